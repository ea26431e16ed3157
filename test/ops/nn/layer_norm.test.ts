// layerNorm: hand-computed row, affine parameters, gradcheck for x/weight/bias, shape errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutogradError, DTypeError, ShapeError, gradcheck, manualSeed, randn, tensor } from "../../../src/index.js";
import { layerNorm } from "../../../src/nn/functional/index.js";

const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `[${i}] ${got[i]} vs ${want[i]}`);
};
const f64 = { dtype: "float64" as const };
const g64 = { dtype: "float64" as const, requiresGrad: true };

describe("layerNorm forward", () => {
  it("normalises a row [1,2,3,4]: mean 2.5, biased variance 1.25", () => {
    const r = 1 / Math.sqrt(1.25 + 1e-5);
    close(layerNorm(tensor([[1, 2, 3, 4]], f64), [4]).data, [-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r]);
  });

  it("applies weight and bias, and eps", () => {
    const r = 1 / Math.sqrt(1.25 + 0.1);
    const y = layerNorm(tensor([1, 2, 3, 4], f64), [4], tensor([1, 2, 3, 4], f64), tensor([0, 1, 0, -1], f64), 0.1);
    close(y.data, [-1.5 * r, -0.5 * r * 2 + 1, 0.5 * r * 3, 1.5 * r * 4 - 1]);
  });

  it("normalises over several trailing dims", () => {
    const x = tensor([[[1, 2], [3, 4]], [[0, 0], [0, 8]]], f64);
    const y = layerNorm(x, [2, 2], null, null, 0);
    const r0 = 1 / Math.sqrt(1.25);
    close(y.data.slice(0, 4), [-1.5 * r0, -0.5 * r0, 0.5 * r0, 1.5 * r0]);
    // second sample: mean 2, var (4+4+4+36)/4 = 12
    const r1 = 1 / Math.sqrt(12);
    close(y.data.slice(4), [-2 * r1, -2 * r1, -2 * r1, 6 * r1]);
  });
});

describe("layerNorm gradcheck (float64)", () => {
  const cases: [number[], number[]][] = [[[3, 4], [4]], [[2, 3, 4], [3, 4]], [[1, 1, 5], [5]], [[4], [4]], [[2, 1], [1]]];
  for (const [shape, ns] of cases) {
    it(`x [${shape}] normalizedShape [${ns}]: with weight+bias, weight only, bias only, none`, () => {
      manualSeed(7);
      const x = randn(shape, g64);
      const w = randn(ns, g64);
      const b = randn(ns, g64);
      const opts = { atol: 1e-5, rtol: 1e-4 };
      assert.ok(gradcheck((a, c, d) => layerNorm(a!, ns, c, d), [x, w, b], opts));
      assert.ok(gradcheck((a, c) => layerNorm(a!, ns, c, null), [x, w], opts));
      assert.ok(gradcheck((a, d) => layerNorm(a!, ns, null, d), [x, b], opts));
      assert.ok(gradcheck((a) => layerNorm(a!, ns), [x], opts));
    });
  }
  it("gradients of weight and bias only (x constant)", () => {
    manualSeed(3);
    const x = randn([3, 4], f64);
    assert.ok(gradcheck((c, d) => layerNorm(x, [4], c, d), [randn([4], g64), randn([4], g64)]));
  });
});

describe("layerNorm saved tensors", () => {
  it("an in-place write to the bias before backward is fine (not read); to the weight it throws", () => {
    const x = randn([2, 3], g64);
    const w = randn([3], g64);
    const b = randn([3], g64);
    const y = layerNorm(x, [3], w, b);
    b.markModified();
    y.sum().backward();
    assert.ok(b.grad!.data.every((v) => v === 2));
    const z = layerNorm(x, [3], w, b);
    w.markModified();
    assert.throws(() => z.sum().backward(), AutogradError);
  });
});

describe("layerNorm errors", () => {
  it("normalizedShape that does not match the trailing dims", () => {
    assert.throws(() => layerNorm(randn([2, 3]), [4]), (e: Error) => e instanceof ShapeError && /layerNorm/.test(e.message) && /\[4\]/.test(e.message) && /\[2,3\]/.test(e.message));
    assert.throws(() => layerNorm(randn([3]), [2, 3]), ShapeError);
  });
  it("weight or bias of the wrong shape", () => {
    assert.throws(() => layerNorm(randn([2, 3]), [3], randn([4])), (e: Error) => e instanceof ShapeError && /weight/.test(e.message) && /\[4\]/.test(e.message));
    assert.throws(() => layerNorm(randn([2, 3]), [3], null, randn([1, 3])), (e: Error) => e instanceof ShapeError && /bias/.test(e.message));
  });
  it("int32 input", () => {
    assert.throws(() => layerNorm(tensor([1, 2], { dtype: "int32" }), [2]), (e: Error) => e instanceof DTypeError && /layerNorm/.test(e.message));
  });
});
