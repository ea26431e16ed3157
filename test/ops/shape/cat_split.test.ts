// cat / stack / split / chunk / narrow / slice: values, round trips, gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DTypeError, IndexError, ShapeError, ValueError, arange, cat, chunk, narrow, slice, split, stack, tensor, zeros,
} from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "./helpers.js";

describe("cat / stack", () => {
  it("cat along dims 0, 1 and -1", () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    const b = tensor([[5, 6]], { dtype: "float64" });
    close(cat([a, b]).toArray(), [[1, 2], [3, 4], [5, 6]]);
    const c = tensor([[7], [8]], { dtype: "float64" });
    close(cat([a, c], 1).toArray(), [[1, 2, 7], [3, 4, 8]]);
    close(cat([c, a, c], -1).toArray(), [[7, 1, 2, 7], [8, 3, 4, 8]]);
    close(cat([tensor([1, 2]), zeros([0]), tensor([3])]).toArray(), [1, 2, 3]);
  });

  it("cat promotes dtypes", () => {
    const out = cat([tensor([1], { dtype: "int32" }), tensor([0.5], { dtype: "float64" })]);
    assert.equal(out.dtype, "float64");
    close(out.toArray(), [1, 0.5]);
  });

  it("stack of 3 tensors along a new dim", () => {
    const a = tensor([1, 2]), b = tensor([3, 4]), c = tensor([5, 6]);
    close(stack([a, b, c]).toArray(), [[1, 2], [3, 4], [5, 6]]);
    close(stack([a, b, c], 1).toArray(), [[1, 3, 5], [2, 4, 6]]);
    close(stack([a, b, c], -1).toArray(), [[1, 3, 5], [2, 4, 6]]);
    assert.deepEqual(stack([tensor(1), tensor(2), tensor(3)]).shape, [3]);
  });

  it("gradients go back to each input's window", () => {
    const a = leaf([2, 3], 1), b = leaf([2, 1], 2);
    const w = tensor([[1, 2, 3, 4], [5, 6, 7, 8]], { dtype: "float64" });
    cat([a, b], 1).mul(w).sum().backward();
    close(a.grad!.toArray(), [[1, 2, 3], [5, 6, 7]]);
    close(b.grad!.toArray(), [[4], [8]]);
  });

  it("gradcheck with several shapes and dims", () => {
    check((a, b) => cat([a!, b!]), [leaf([2, 3], 3), leaf([1, 3], 4)]);
    check((a, b, c) => cat([a!, b!, c!], -1), [leaf([2, 1, 2], 5), leaf([2, 1, 3], 6), leaf([2, 1, 1], 7)]);
    check((a, b) => cat([a!, b!, a!], 1), [leaf([1, 2], 8), leaf([1, 1], 9)]);
    check((a, b, c) => stack([a!, b!, c!], 1), [leaf([2, 3], 10), leaf([2, 3], 11), leaf([2, 3], 12)]);
    check((a, b) => stack([a!, b!], -1), [leaf([1, 2], 13), leaf([1, 2], 14)]);
  });

  it("errors name the op, the shapes and the dim", () => {
    const a = zeros([2, 3]), b = zeros([2, 4]);
    throwsWith(() => cat([a, b]), ShapeError, "cat", "[2,3]", "[2,4]", "dimension 0");
    throwsWith(() => cat([a, zeros([2, 3, 1])], 1), ShapeError, "cat", "[2,3,1]");
    throwsWith(() => cat([a], 2), IndexError, "cat");
    throwsWith(() => cat([]), ValueError, "cat");
    throwsWith(() => cat([tensor(1), tensor(2)]), ShapeError, "cat", "zero-dimensional");
    throwsWith(() => cat([a, 3 as never]), DTypeError, "cat", "element 1");
    throwsWith(() => stack([a, b], 1), ShapeError, "stack", "[2,3]", "[2,4]", "dimension 1");
    throwsWith(() => stack([a, a], 3), IndexError, "stack");
  });
});

describe("split / chunk", () => {
  it("split by size: the last piece may be smaller", () => {
    const x = arange(5, { dtype: "float64" });
    const parts = split(x, 2);
    assert.equal(parts.length, 3);
    close(parts.map((p) => p.toArray()), [[0, 1], [2, 3], [4]]);
    const m = arange(12).reshape([3, 4]);
    close(m.split(3, 1).map((p) => p.toArray()), [[[0, 1, 2], [4, 5, 6], [8, 9, 10]], [[3], [7], [11]]]);
  });

  it("split by sections, including zero-length pieces", () => {
    const m = arange(12).reshape([3, 4]);
    const parts = split(m, [1, 0, 3], -1);
    assert.deepEqual(parts.map((p) => p.shape), [[3, 1], [3, 0], [3, 3]]);
    close(parts[2]!.toArray(), [[1, 2, 3], [5, 6, 7], [9, 10, 11]]);
  });

  it("split then cat round-trips", () => {
    const x = leaf([3, 7, 2], 20);
    for (const [s, d] of [[3, 1], [[2, 5], 1], [1, 0], [[1, 1], -1]] as const) {
      const back = cat(split(x, s as number | number[], d), d);
      assert.deepEqual(back.shape, x.shape);
      assert.deepEqual(Array.from(back.data), Array.from(x.data));
    }
  });

  it("chunk uses ceil(n / chunks) pieces like torch.chunk", () => {
    const x = arange(6);
    assert.deepEqual(chunk(x, 4).map((p) => p.shape[0]), [2, 2, 2]);
    assert.deepEqual(chunk(x, 3).map((p) => p.shape[0]), [2, 2, 2]);
    assert.deepEqual(x.chunk(4).map((p) => p.toArray()), [[0, 1], [2, 3], [4, 5]]);
    assert.deepEqual(chunk(arange(5), 2).map((p) => p.toArray()), [[0, 1, 2], [3, 4]]);
    assert.deepEqual(chunk(arange(8).reshape([2, 4]), 3, -1).map((p) => p.shape), [[2, 2], [2, 2]]);
  });

  it("gradcheck: unused pieces give zero gradient, used pieces pass theirs", () => {
    check((x) => { const [a, b, c] = split(x!, 2, 1); return a!.mul(c!).sub(b!.mul(2)); }, [leaf([3, 6], 21)]);
    check((x) => split(x!, [1, 2], -1)[1]!, [leaf([2, 1, 3], 22)]);
    check((x) => { const p = chunk(x!, 3, 0); return p[0]!.add(p[2]!); }, [leaf([3, 2], 23)]);
    const x = leaf([4], 24);
    split(x, 2)[1]!.sum().backward();
    close(x.grad!.toArray(), [0, 0, 1, 1]);
  });

  it("errors", () => {
    const x = zeros([3, 4]);
    throwsWith(() => split(x, [1, 1], 0), ShapeError, "split", "[1,1]", "sum to 2", "size 3");
    throwsWith(() => split(x, 0), ValueError, "split");
    throwsWith(() => split(x, 2, 2), IndexError, "split");
    throwsWith(() => chunk(x, 0), ValueError, "chunk");
    throwsWith(() => chunk(x, 2, -3), IndexError, "chunk");
  });
});

describe("narrow / slice", () => {
  it("narrow takes length elements from start (negative start counts from the end)", () => {
    const m = arange(12, { dtype: "float64" }).reshape([3, 4]);
    close(narrow(m, 1, 1, 2).toArray(), [[1, 2], [5, 6], [9, 10]]);
    close(m.narrow(0, -1, 1).toArray(), [[8, 9, 10, 11]]);
    assert.deepEqual(narrow(m, -1, 4, 0).shape, [3, 0]);
  });

  it("slice follows Python slicing: negatives, clamping, steps", () => {
    const x = arange(10);
    const s = (a?: number | null, b?: number | null, st?: number) => slice(x, 0, a, b, st).toArray();
    assert.deepEqual(s(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(s(2, 5), [2, 3, 4]);
    assert.deepEqual(s(-3), [7, 8, 9]);
    assert.deepEqual(s(null, -7), [0, 1, 2]);
    assert.deepEqual(s(-100, 100, 4), [0, 4, 8]);
    assert.deepEqual(s(1, undefined, 3), [1, 4, 7]);
    assert.deepEqual(s(6, 2), []);
    assert.deepEqual(s(20, 30), []);
    const m = arange(12).reshape([3, 4]);
    assert.deepEqual(m.slice(-1, 1, null, 2).toArray(), [[1, 3], [5, 7], [9, 11]]);
    assert.deepEqual(m.slice(0, -2).toArray(), [[4, 5, 6, 7], [8, 9, 10, 11]]);
  });

  it("gradients land in the window, zeros elsewhere", () => {
    const x = leaf([6], 30);
    slice(x, 0, 1, null, 2).mul(tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
    close(x.grad!.toArray(), [0, 1, 0, 2, 0, 3]);
    check((a) => narrow(a!, 1, 1, 2), [leaf([2, 4, 1], 31)]);
    check((a) => a!.narrow(-1, 0, 1), [leaf([3, 1], 32)]);
    check((a) => slice(a!, 0, -3, undefined, 2), [leaf([5, 2], 33)]);
    check((a) => a!.slice(-2, 1, 100, 3).add(a!.slice(-2, 0, 2)), [leaf([2, 5, 2], 34)]);
  });

  it("errors", () => {
    const m = zeros([3, 4]);
    throwsWith(() => narrow(m, 1, 5, 0), IndexError, "narrow", "start 5", "size 4");
    throwsWith(() => narrow(m, 1, 2, 3), IndexError, "narrow", "length 3");
    throwsWith(() => narrow(m, 2, 0, 1), IndexError, "narrow");
    throwsWith(() => slice(m, 0, 0, 2, 0), ValueError, "slice", "step");
    throwsWith(() => slice(m, 0, 0, 2, -1), ValueError, "slice", "step");
    throwsWith(() => slice(m, -3), IndexError, "slice");
    throwsWith(() => slice(m, 0, 0.5), ValueError, "slice", "start");
  });
});
