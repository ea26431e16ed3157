// indexSelect / gather / scatterAdd: values, accumulation of repeated indices, gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, IndexError, ShapeError, arange, gather, indexSelect, scatterAdd, tensor, zeros } from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "../shape/helpers.js";

const i32 = (v: number[] | number[][] | number[][][]) => tensor(v, { dtype: "int32" });

describe("indexSelect", () => {
  it("selects slices along dims 0, 1 and -1", () => {
    const m = arange(12, { dtype: "float64" }).reshape([3, 4]);
    close(indexSelect(m, 0, i32([2, 0])).toArray(), [[8, 9, 10, 11], [0, 1, 2, 3]]);
    close(m.indexSelect(1, i32([3, 3, 0])).toArray(), [[3, 3, 0], [7, 7, 4], [11, 11, 8]]);
    close(m.indexSelect(-1, i32([1])).toArray(), [[1], [5], [9]]);
    const x = arange(24).reshape([2, 3, 4]);
    close(x.indexSelect(1, i32([2, 1])).toArray(), [[[8, 9, 10, 11], [4, 5, 6, 7]], [[20, 21, 22, 23], [16, 17, 18, 19]]]);
    assert.deepEqual(m.indexSelect(0, tensor([], { dtype: "int32" })).shape, [0, 4]);
    // Many outer rows and few indices takes the strided-copy path.
    const tall = arange(60).reshape([20, 3]);
    close(tall.indexSelect(1, i32([2])).toArray(), Array.from({ length: 20 }, (_, r) => [3 * r + 2]));
  });

  it("repeated indices accumulate gradients", () => {
    const x = leaf([3, 2], 1);
    indexSelect(x, 0, i32([1, 1, 2, 1])).sum().backward();
    close(x.grad!.toArray(), [[0, 0], [3, 3], [1, 1]]);
    const y = leaf([2, 3], 2);
    y.indexSelect(-1, i32([0, 0])).mul(tensor([[1, 2], [3, 4]], { dtype: "float64" })).sum().backward();
    close(y.grad!.toArray(), [[3, 0, 0], [7, 0, 0]]);
    const tall = leaf([10, 3], 3); // strided-copy path with accumulate
    tall.indexSelect(1, i32([2, 2])).sum().backward();
    close(tall.grad!.toArray(), Array.from({ length: 10 }, () => [0, 0, 2]));
  });

  it("gradcheck", () => {
    check((x) => indexSelect(x!, 0, i32([2, 0, 2])), [leaf([3, 2], 4)]);
    check((x) => x!.indexSelect(1, i32([1, 0, 1, 1])), [leaf([2, 2, 3], 5)]);
    check((x) => x!.indexSelect(-1, i32([0])), [leaf([3, 1], 6)]);
    check((x) => x!.indexSelect(1, i32([0, 0])), [leaf([6, 1, 2], 7)]);
  });

  it("errors", () => {
    const m = zeros([3, 4]);
    throwsWith(() => indexSelect(m, 1, i32([0, 4])), IndexError, "indexSelect", "index 4", "dimension 1", "size 4", "0..3");
    throwsWith(() => indexSelect(m, 0, i32([-1])), IndexError, "indexSelect", "-1", "0..2");
    throwsWith(() => indexSelect(m, 0, tensor([0, 1])), DTypeError, "indexSelect", "int32", "float32");
    throwsWith(() => indexSelect(m, 0, i32([[0]])), ShapeError, "indexSelect", "1-D");
    throwsWith(() => indexSelect(m, 2, i32([0])), IndexError, "indexSelect");
  });
});

describe("gather", () => {
  it("matches torch.gather along dims 0 and 1", () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    close(gather(x, 1, i32([[0, 0], [1, 0]])).toArray(), [[1, 1], [4, 3]]);
    close(x.gather(0, i32([[1, 0], [0, 0], [1, 1]])).toArray(), [[3, 2], [1, 2], [3, 4]]);
    // index smaller than the input on the other dims
    const m = arange(12, { dtype: "float64" }).reshape([3, 4]);
    close(m.gather(-1, i32([[3], [0]])).toArray(), [[3], [4]]);
    const t = arange(24).reshape([2, 3, 4]);
    close(t.gather(1, i32([[[2, 0, 1, 2]], [[0, 0, 0, 1]]])).toArray(), [[[8, 1, 6, 11]], [[12, 13, 14, 19]]]);
  });

  it("backward scatter-adds (repeated indices accumulate)", () => {
    const x = leaf([2, 3], 10);
    gather(x, 1, i32([[2, 2, 0], [1, 1, 1]])).sum().backward();
    close(x.grad!.toArray(), [[1, 0, 2], [0, 3, 0]]);
  });

  it("gradcheck", () => {
    check((x) => gather(x!, 1, i32([[0, 2, 2], [1, 0, 0]])), [leaf([2, 3], 11)]);
    check((x) => gather(x!, 0, i32([[1], [0], [1]])), [leaf([2, 2], 12)]);
    check((x) => x!.gather(-1, i32([[[0, 0]], [[1, 0]]])), [leaf([2, 1, 2], 13)]);
  });

  it("errors", () => {
    const x = zeros([2, 3]);
    throwsWith(() => gather(x, 1, i32([[0, 3]])), IndexError, "gather", "index 3", "dimension 1", "size 3");
    throwsWith(() => gather(x, 0, i32([[0, 0, 0, 0]])), ShapeError, "gather", "[1,4]", "[2,3]", "dimension 0");
    throwsWith(() => gather(x, 0, i32([0])), ShapeError, "gather", "[1]", "[2,3]");
    throwsWith(() => gather(x, 0, tensor([[0]])), DTypeError, "gather", "int32");
    throwsWith(() => gather(x, -3, i32([[0]])), IndexError, "gather");
  });
});

describe("scatterAdd", () => {
  it("adds src into x at the index positions (out of place)", () => {
    const x = zeros([2, 3], { dtype: "float64" });
    const src = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    const out = scatterAdd(x, 1, i32([[0, 0, 2], [1, 2, 2]]), src);
    close(out.toArray(), [[3, 0, 3], [0, 4, 11]]);
    close(x.toArray(), [[0, 0, 0], [0, 0, 0]], 0);
    const y = tensor([1, 1, 1, 1], { dtype: "int32" });
    assert.deepEqual(y.scatterAdd(0, i32([3, 3, 0]), i32([5, 6, 7])).toArray(), [8, 1, 1, 12]);
    // src larger than index: only its leading block is used
    const big = arange(6, { dtype: "float64" }).reshape([2, 3]);
    close(scatterAdd(zeros([3, 2], { dtype: "float64" }), 0, i32([[2, 0]]), big).toArray(), [[0, 1], [0, 0], [0, 0]]);
  });

  it("gradients: x gets g, src gets g gathered at the index", () => {
    const x = leaf([2, 3], 20), src = leaf([2, 3], 21);
    const w = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    scatterAdd(x, 1, i32([[2, 0]]), src).mul(w).sum().backward();
    close(x.grad!.toArray(), [[1, 2, 3], [4, 5, 6]]);
    close(src.grad!.toArray(), [[3, 1, 0], [0, 0, 0]]);
  });

  it("gradcheck w.r.t. x and src", () => {
    check((x, s) => scatterAdd(x!, 0, i32([[1, 0, 1], [1, 1, 0]]), s!), [leaf([2, 3], 22), leaf([2, 3], 23)]);
    check((x, s) => x!.scatterAdd(-1, i32([[0, 0], [2, 1]]), s!), [leaf([2, 3], 24), leaf([2, 4], 25)]);
    check((x, s) => scatterAdd(x!, 1, i32([[[0]], [[1]]]), s!).mul(x!), [leaf([2, 2, 1], 26), leaf([2, 1, 1], 27)]);
  });

  it("errors", () => {
    const x = zeros([2, 3]);
    throwsWith(() => scatterAdd(x, 1, i32([[3]]), zeros([1, 1])), IndexError, "scatterAdd", "index 3", "size 3");
    throwsWith(() => scatterAdd(x, 1, i32([[0, 1]]), zeros([1, 1])), ShapeError, "scatterAdd", "src", "[1,1]");
    throwsWith(() => scatterAdd(x, 1, i32([[0], [0], [0]]), zeros([3, 1])), ShapeError, "scatterAdd", "[3,1]", "[2,3]");
    throwsWith(() => scatterAdd(x, 1, i32([[0]]), zeros([1, 1], { dtype: "float64" })), DTypeError, "scatterAdd", "float64");
    throwsWith(() => scatterAdd(x, 1, tensor([[0]]), zeros([1, 1])), DTypeError, "scatterAdd", "int32");
  });
});
