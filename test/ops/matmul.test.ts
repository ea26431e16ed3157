// matmul (1-D, 2-D, batched, broadcast batch) and linear: values, gradchecks, shape errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, ShapeError, gradcheck, linear, manualSeed, matmul, randn, tensor } from "../../src/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

describe("matmul", () => {
  it("2-D values", () => {
    const a = tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float64" });
    const b = tensor([[1, 0, 2], [0, 1, 3]], { dtype: "float64" });
    assert.deepEqual(matmul(a, b).toArray(), [[1, 2, 8], [3, 4, 18], [5, 6, 28]]);
  });

  it("1-D cases follow NumPy semantics", () => {
    const v = tensor([1, 2], { dtype: "float64" });
    const m = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    assert.equal(matmul(v, v).ndim, 0);
    assert.equal(matmul(v, v).item(), 5);
    assert.deepEqual(matmul(m, v).toArray(), [5, 11]);
    assert.deepEqual(matmul(v, m).toArray(), [7, 10]);
  });

  it("broadcast batch shapes", () => {
    manualSeed(0);
    const a = randn([2, 1, 3, 4], { dtype: "float64" });
    const b = randn([5, 4, 2], { dtype: "float64" });
    const y = matmul(a, b);
    assert.deepEqual(y.shape, [2, 5, 3, 2]);
    // element [1, 3, 2, 1] = sum_k a[1,0,2,k] * b[3,k,1]
    let s = 0;
    for (let k = 0; k < 4; k++) s += a.data[1 * 12 + 2 * 4 + k]! * b.data[3 * 8 + k * 2 + 1]!;
    assert.ok(Math.abs(y.data[((1 * 5 + 3) * 3 + 2) * 2 + 1]! - s) < 1e-14);
  });

  it("gradcheck over every shape combination", () => {
    manualSeed(4);
    const cases: [number[], number[]][] = [
      [[3], [3]], [[2, 3], [3]], [[3], [3, 4]], [[2, 3], [3, 4]], [[2, 2, 3], [2, 3, 4]],
      [[2, 1, 3, 4], [5, 4, 2]], [[3, 4], [2, 4, 5]], [[2, 2, 3], [3]], [[1, 3], [3, 1]],
    ];
    for (const [sa, sb] of cases) gradcheck((x, y) => matmul(x!, y!), [randn(sa, f64), randn(sb, f64)]);
  });

  it("0 * Inf inside a product gives NaN, as in BLAS and PyTorch", () => {
    const y = matmul(tensor([[0, 1]], { dtype: "float64" }), tensor([[Infinity], [2]], { dtype: "float64" }));
    assert.ok(Number.isNaN(y.item()));
  });

  it("inner-dimension mismatch names both shapes", () => {
    assert.throws(() => matmul(randn([2, 3]), randn([4, 5])), (e: unknown) =>
      e instanceof ShapeError && (e as Error).message === "matmul: cannot multiply [2,3] by [4,5]: inner dimensions 3 and 4 differ");
    assert.throws(() => matmul(randn([2, 2, 3]), randn([3, 3, 4])), ShapeError);
    assert.throws(() => matmul(tensor(1), randn([2])), ShapeError);
    assert.throws(() => matmul(tensor([1, 2], { dtype: "int32" }), tensor([1, 2], { dtype: "int32" })), DTypeError);
  });
});

describe("linear", () => {
  it("equals x W^T + b and gradchecks", () => {
    manualSeed(5);
    const x = randn([2, 3, 4], f64);
    const w = randn([5, 4], f64);
    const b = randn([5], f64);
    const y = linear(x, w, b);
    assert.deepEqual(y.shape, [2, 3, 5]);
    let s = b.data[2]!;
    for (let k = 0; k < 4; k++) s += x.data[1 * 12 + 2 * 4 + k]! * w.data[2 * 4 + k]!;
    assert.ok(Math.abs(y.data[(1 * 3 + 2) * 5 + 2]! - s) < 1e-14);
    gradcheck((a, c, e) => linear(a!, c!, e!), [x, w, b]);
    gradcheck((a, c) => linear(a!, c!), [randn([3, 4], f64), w]);
  });

  it("errors on mismatched in_features and bias shape", () => {
    assert.throws(() => linear(randn([2, 3]), randn([5, 4])), ShapeError);
    assert.throws(() => linear(randn([2, 4]), randn([5, 4]), randn([4])), ShapeError);
  });
});
