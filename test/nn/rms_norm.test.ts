// rmsNorm / nn.RMSNorm: PyTorch parity (tools/torch_llama_reference.py, torch.nn.RMSNorm
// semantics of PyTorch >= 2.4), a hand-computed row, the finfo(dtype).eps default, gradcheck,
// saved-tensor safety and typed errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AutogradError, DTypeError, ShapeError, ValueError, gradcheck, manualSeed, randn, tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { rmsNorm } from "../../src/nn/functional/index.js";

interface RmsCase {
  name: string; shape: number[]; normalizedShape: number[]; eps: number | null;
  x: number[]; weight: number[] | null; gy: number[]; y: number[]; gx: number[]; gWeight: number[] | null;
}
const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_rms_rotary_reference.json", import.meta.url), "utf8")) as {
  rmsNorm: RmsCase[];
};

const f64 = { dtype: "float64" as const };
const g64 = { dtype: "float64" as const, requiresGrad: true };
function allClose(got: ArrayLike<number>, want: readonly number[], what: string, tol = 1e-12): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs torch ${want[i]}`);
  }
}

describe("rmsNorm matches PyTorch (float64)", () => {
  it("the fixture covers one and two normalised dims, explicit and default eps, with and without weight", () => {
    assert.equal(fx.rmsNorm.length, 5);
    assert.ok(fx.rmsNorm.some((c) => c.eps === null && c.weight === null));
    assert.ok(fx.rmsNorm.some((c) => c.normalizedShape.length === 2));
  });
  for (const c of fx.rmsNorm) {
    it(`${c.name}: functional`, () => {
      const x = tensor(c.x, { ...g64, shape: c.shape });
      const w = c.weight ? tensor(c.weight, { ...g64, shape: c.normalizedShape }) : null;
      const y = rmsNorm(x, c.normalizedShape, w, c.eps);
      allClose(y.data, c.y, "y");
      y.backward(tensor(c.gy, { ...f64, shape: c.shape }));
      allClose(x.grad!.data, c.gx, "gx");
      if (w) allClose(w.grad!.data, c.gWeight!, "gWeight");
    });
    it(`${c.name}: nn.RMSNorm module`, () => {
      const m = new nn.RMSNorm(c.normalizedShape, { eps: c.eps, elementwiseAffine: c.weight !== null, dtype: "float64" });
      if (c.weight) m.weight!.data.set(c.weight);
      const x = tensor(c.x, { ...g64, shape: c.shape });
      const y = m.forward(x);
      allClose(y.data, c.y, "y");
      y.backward(tensor(c.gy, { ...f64, shape: c.shape }));
      allClose(x.grad!.data, c.gx, "gx");
      if (c.gWeight) allClose(m.weight!.grad!.data, c.gWeight, "gWeight");
    });
  }
});

describe("rmsNorm forward", () => {
  it("[1,2,3,4] / sqrt(mean(x²) + eps) = x / sqrt(7.5 + eps), times weight", () => {
    const r = 1 / Math.sqrt(7.5 + 1e-5);
    allClose(rmsNorm(tensor([[1, 2, 3, 4]], f64), [4], null, 1e-5).data, [r, 2 * r, 3 * r, 4 * r], "y");
    allClose(rmsNorm(tensor([1, 2, 3, 4], f64), 4, tensor([2, 0, -1, 1], f64), 1e-5).data, [2 * r, 0, -3 * r, 4 * r], "y");
  });
  it("eps null / omitted = torch.finfo(dtype).eps: 2^-52 for float64, 2^-23 for float32", () => {
    // A zero row: 0 / sqrt(0 + eps) = 0; a row of tiny values shows eps: x / sqrt(x² + eps).
    const x64 = tensor([1e-8], f64);
    allClose(rmsNorm(x64, [1]).data, [1e-8 / Math.sqrt(1e-16 + 2 ** -52)], "f64");
    const x32 = tensor([1e-3], { dtype: "float32" });
    const want32 = Math.fround(Math.fround(1e-3) / Math.sqrt(Math.fround(1e-3) ** 2 + 2 ** -23));
    assert.ok(Math.abs(rmsNorm(x32, [1]).data[0]! - want32) <= 1e-7 * want32);
    assert.equal(new nn.RMSNorm(4).eps, null);
  });
  it("a float32 input with a float64 weight computes in float64 (type promotion)", () => {
    const y = rmsNorm(tensor([1, 2], { dtype: "float32" }), [2], tensor([1, 1], f64), 0);
    assert.equal(y.dtype, "float64");
  });
  it("nn.RMSNorm: weight of ones, no bias; elementwiseAffine false has no parameters", () => {
    const m = new nn.RMSNorm([2, 3], { eps: 1e-6 });
    assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, p.shape]), [["weight", [2, 3]]]);
    assert.ok(m.weight!.data.every((v) => v === 1));
    assert.equal(m.weight!.dtype, "float32");
    assert.equal(new nn.RMSNorm(3, { elementwiseAffine: false }).numParameters(), 0);
    assert.equal(new nn.RMSNorm(3, { elementwiseAffine: false }).elementwiseAffine, false);
    assert.deepEqual(m.normalizedShape, [2, 3]);
    assert.equal(m.toString(), "RMSNorm([2, 3], eps=0.000001, elementwiseAffine=true)");
  });
  it("runs on float32 close to the float64 result", () => {
    manualSeed(5);
    const x = randn([3, 16], f64);
    const w = randn([16], f64);
    const y64 = rmsNorm(x, [16], w, 1e-5);
    const y32 = rmsNorm(x.to("float32"), [16], w.to("float32"), 1e-5);
    allClose(y32.data, [...y64.data], "y32", 1e-6);
  });
});

describe("rmsNorm gradcheck (float64)", () => {
  const cases: [number[], number[]][] = [[[3, 4], [4]], [[2, 3, 4], [3, 4]], [[1, 1, 5], [5]], [[4], [4]], [[2, 1], [1]]];
  for (const [shape, ns] of cases) {
    it(`x [${shape}] normalizedShape [${ns}]: with and without weight`, () => {
      manualSeed(11);
      const x = randn(shape, g64);
      const w = randn(ns, g64);
      const opts = { atol: 1e-5, rtol: 1e-4 };
      assert.ok(gradcheck((a, b) => rmsNorm(a!, ns, b, 1e-5), [x, w], opts));
      assert.ok(gradcheck((a) => rmsNorm(a!, ns, null, 1e-3), [x], opts));
      assert.ok(gradcheck((b) => rmsNorm(x.detach(), ns, b), [w], opts));
    });
  }
});

describe("rmsNorm saved tensors and empty inputs", () => {
  it("an in-place write to the weight before backward throws", () => {
    const x = randn([2, 3], g64), w = randn([3], g64);
    const y = rmsNorm(x, [3], w, 1e-5);
    w.markModified();
    assert.throws(() => y.sum().backward(), AutogradError);
  });
  it("zero rows: an empty output and zero weight gradient", () => {
    const x = randn([0, 3], g64), w = randn([3], g64);
    const y = rmsNorm(x, [3], w, 1e-5);
    assert.deepEqual(y.shape, [0, 3]);
    y.sum().backward();
    assert.deepEqual([...w.grad!.data], [0, 0, 0]);
  });
});

describe("rmsNorm errors", () => {
  it("normalizedShape that does not match the trailing dims names the function and both shapes", () => {
    assert.throws(() => rmsNorm(randn([2, 3]), [4]), (e: Error) => e instanceof ShapeError && /rmsNorm/.test(e.message) && /\[4\]/.test(e.message) && /\[2,3\]/.test(e.message));
    assert.throws(() => rmsNorm(randn([3]), [2, 3]), ShapeError);
    assert.throws(() => rmsNorm(randn([3]), []), ShapeError);
    assert.throws(() => rmsNorm(randn([3]), [1.5]), ValueError);
  });
  it("weight of the wrong shape or dtype; int input", () => {
    assert.throws(() => rmsNorm(randn([2, 3]), [3], randn([4])), (e: Error) => e instanceof ShapeError && /weight/.test(e.message));
    assert.throws(() => rmsNorm(randn([2, 3]), [3], tensor([1, 2, 3], { dtype: "int32" })), DTypeError);
    assert.throws(() => rmsNorm(tensor([1, 2], { dtype: "int32" }), [2]), DTypeError);
  });
  it("bad eps", () => {
    assert.throws(() => rmsNorm(randn([2]), [2], null, -1), (e: Error) => e instanceof ValueError && /eps/.test(e.message));
    assert.throws(() => rmsNorm(randn([2]), [2], null, NaN), ValueError);
    assert.throws(() => new nn.RMSNorm(2, { eps: -1e-5 }), (e: Error) => e instanceof ValueError && /RMSNorm/.test(e.message));
    assert.throws(() => new nn.RMSNorm(-2), ValueError);
  });
});
