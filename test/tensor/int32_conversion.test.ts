// Converting to int32 refuses what does not fit (NaN, ±Inf, |v| ≥ 2³¹) instead of wrapping or
// zeroing it; integer typed arrays convert by value; fractional values truncate like PyTorch.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, ValueError, full, arange, linspace, randint, tensor, to } from "../../src/index.js";

const overflow = (op: string) => (e: unknown) =>
  e instanceof ValueError && new RegExp(`^${op}: .*cannot be converted to int32 without overflow`).test((e as Error).message);

describe("int32 conversion", () => {
  it("tensor(Uint32Array) refuses values >= 2^31 and keeps the others", () => {
    assert.throws(() => tensor(new Uint32Array([1, 4294967295])), overflow("tensor"));
    assert.throws(() => tensor(new Uint32Array([2147483648])), /element 0 = 2147483648/);
    const t = tensor(new Uint32Array([0, 2147483647]));
    assert.equal(t.dtype, "int32");
    assert.deepEqual([...t.data], [0, 2147483647]);
  });

  it("Int8/Uint16/Int16/Uint8Clamped arrays become int32 by value, not by relabelled bits; Uint8Array is bool storage", () => {
    const cases: [ArrayLike<number> & { length: number }, number[]][] = [
      
      [new Int8Array([-128, -1, 127]), [-128, -1, 127]],
      [new Uint16Array([0, 65535, 40000]), [0, 65535, 40000]],
      [new Int16Array([-32768, -2, 32767]), [-32768, -2, 32767]],
      [new Uint8ClampedArray([0, 9, 255]), [0, 9, 255]],
    ];
    for (const [src, want] of cases) {
      const t = tensor(src as Uint8Array);
      assert.equal(t.dtype, "int32", src.constructor.name);
      assert.ok(t.data instanceof Int32Array);
      assert.deepEqual([...t.data], want, src.constructor.name);
    }
    // Uint8Array is the bool dtype's storage: bool by default (nonzero -> 1), by value when asked.
    assert.equal(tensor(new Uint8Array([0, 200])).dtype, "bool");
    assert.deepEqual([...tensor(new Uint8Array([0, 200])).data], [0, 1]);
    assert.deepEqual([...tensor(new Uint8Array([1, 255]), { dtype: "int32" }).data], [1, 255]);
    assert.deepEqual([...tensor(new Uint8Array([1, 255]), { dtype: "float64" }).data], [1, 255]);
  });

  it("other array views are a DTypeError", () => {
    assert.throws(() => tensor(new BigInt64Array([1n]) as unknown as Int32Array), (e: unknown) => e instanceof DTypeError && /BigInt64Array/.test((e as Error).message));
    assert.throws(() => tensor(new DataView(new ArrayBuffer(4)) as unknown as Int32Array), DTypeError);
  });

  it("tensor(..., int32): NaN, ±Inf and >= 2^31 are refused; fractions truncate toward zero", () => {
    for (const v of [NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 40]) {
      assert.throws(() => tensor([1, v], { dtype: "int32" }), overflow("tensor"), String(v));
      assert.throws(() => tensor(new Float64Array([v]), { dtype: "int32" }), overflow("tensor"), String(v));
    }
    assert.throws(() => tensor([[1], [NaN]], { dtype: "int32" }), /element \[1\]\[0\] = NaN/);
    assert.deepEqual([...tensor([2.7, -2.7, 2 ** 31 - 1, -(2 ** 31)], { dtype: "int32" }).data], [2, -2, 2147483647, -2147483648]);
  });

  it("full refuses a fill value that does not fit int32", () => {
    assert.throws(() => full([2], 2 ** 40, { dtype: "int32" }), overflow("full"));
    assert.throws(() => full([2], NaN, { dtype: "int32" }), overflow("full"));
    assert.deepEqual([...full([2], -7.9, { dtype: "int32" }).data], [-7, -7]);
    assert.ok(Number.isNaN(full([1], NaN, { dtype: "float64" }).item()));
  });

  it("randint with an int32 range that does not fit is refused (PyTorch: 'to - 1 is out of bounds')", () => {
    assert.throws(() => randint(0, 2 ** 40, [2]), overflow("randint"));
    assert.throws(() => randint(-(2 ** 31) - 1, 0, [2]), overflow("randint"));
    const r = randint(0, 2 ** 31, [50]);
    assert.ok([...r.data].every((v) => v >= 0 && v < 2 ** 31));
    const f = randint(0, 2 ** 40, [50], { dtype: "float64" });
    assert.ok([...f.data].every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 40));
  });

  it("arange and linspace refuse int32 values that do not fit", () => {
    assert.throws(() => arange(2 ** 31 - 2, 2 ** 31 + 1, 1, { dtype: "int32" }), overflow("arange"));
    assert.deepEqual([...arange(2 ** 31 - 2, 2 ** 31, 1, { dtype: "int32" }).data], [2147483646, 2147483647]);
    assert.throws(() => linspace(0, NaN, 3, { dtype: "int32" }), overflow("linspace"));
  });

  it('to("int32") refuses NaN, ±Inf and out-of-range values and truncates the rest', () => {
    const x = tensor([1.9, -1.9, NaN], { dtype: "float64" });
    assert.throws(() => x.to("int32"), (e: unknown) => overflow("to")(e) && /element 2 = NaN/.test((e as Error).message));
    assert.throws(() => to(tensor([2 ** 31], { dtype: "float64" }), "int32"), overflow("to"));
    assert.throws(() => to(tensor([-Infinity]), "int32"), overflow("to"));
    assert.deepEqual([...tensor([1.9, -1.9, 2147483647], { dtype: "float64" }).to("int32").data], [1, -1, 2147483647]);
    // float16 is checked by value, not by its bit pattern.
    assert.throws(() => tensor([1, Infinity], { dtype: "float16" }).to("int32"), overflow("to"));
    assert.deepEqual([...tensor([2.5, -3.5], { dtype: "float16" }).to("int32").data], [2, -3]);
    assert.throws(() => tensor(tensor([NaN], { dtype: "bfloat16" }).data as never, { dtype: "int32" }), overflow("tensor"));
  });
});
