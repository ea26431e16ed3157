// embedding: gather values, scatter-add gradient, paddingIdx, gradcheck, index errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutogradError, DTypeError, IndexError, ShapeError, gradcheck, manualSeed, randn, tensor } from "../../../src/index.js";
import { embedding } from "../../../src/nn/functional/index.js";

const i32 = { dtype: "int32" as const };

describe("embedding", () => {
  it("gathers rows for indices of any shape: (2, 2) -> (2, 2, C)", () => {
    const w = tensor([[0, 1], [10, 11], [20, 21]], { dtype: "float64" });
    const y = embedding(tensor([[2, 0], [1, 2]], i32), w);
    assert.deepEqual(y.shape, [2, 2, 2]);
    assert.deepEqual(y.toArray(), [[[20, 21], [0, 1]], [[10, 11], [20, 21]]]);
    assert.deepEqual(embedding(tensor(1, i32), w).toArray(), [10, 11]);
  });

  it("repeated indices sum their gradients; paddingIdx rows get none", () => {
    const w = tensor([[0, 1], [10, 11], [20, 21]], { dtype: "float64", requiresGrad: true });
    embedding(tensor([0, 2, 0, 1], i32), w).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[2, 2], [1, 1], [1, 1]]);
    w.grad = null;
    embedding(tensor([0, 2, 0, 1], i32), w, { paddingIdx: 0 }).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[0, 0], [1, 1], [1, 1]]);
    w.grad = null;
    embedding(tensor([0, 2, 0, 1], i32), w, { paddingIdx: -1 }).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[2, 2], [1, 1], [0, 0]]);
  });

  it("gradcheck (float64), with and without paddingIdx", () => {
    manualSeed(1);
    const w = randn([5, 3], { dtype: "float64", requiresGrad: true });
    const idx = tensor([[4, 1, 1], [0, 3, 4]], i32);
    assert.ok(gradcheck((t) => embedding(idx, t), [w]));
    // paddingIdx deliberately withholds its row's gradient (PyTorch semantics): exact when the
    // row is unused, and the finite-difference check must fail when it is used.
    assert.ok(gradcheck((t) => embedding(idx, t, { paddingIdx: 2 }), [w]));
    assert.equal(gradcheck((t) => embedding(idx, t, { paddingIdx: 1 }), [w], { throwOnFailure: false }), false);
  });

  it("backward reads the indices, not the table: writing the weight in place before backward is fine", () => {
    const w = tensor([[0, 1], [10, 11], [20, 21]], { dtype: "float64", requiresGrad: true });
    const idx = tensor([1, 1], i32);
    const y = embedding(idx, w);
    w.markModified(); // e.g. an optimizer step
    y.sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[0, 0], [2, 2], [0, 0]]);
    const z = embedding(idx, w);
    idx.markModified();
    assert.throws(() => z.sum().backward(), AutogradError);
  });

  it("errors: out-of-range index, float indices, non-2-D weight, bad paddingIdx", () => {
    const w = randn([4, 2]);
    assert.throws(() => embedding(tensor([1, 4], i32), w), (e: Error) => e instanceof IndexError && /embedding/.test(e.message) && /index 4/.test(e.message) && /4 rows/.test(e.message));
    assert.throws(() => embedding(tensor([-1], i32), w), IndexError);
    assert.throws(() => embedding(tensor([1.0]), w), (e: Error) => e instanceof DTypeError && /int32/.test(e.message) && /float32/.test(e.message));
    assert.throws(() => embedding(tensor([1], i32), randn([4])), (e: Error) => e instanceof ShapeError && /\[4\]/.test(e.message));
    assert.throws(() => embedding(tensor([1], i32), w, { paddingIdx: 4 }), (e: Error) => e instanceof IndexError && /paddingIdx 4/.test(e.message));
  });
});
