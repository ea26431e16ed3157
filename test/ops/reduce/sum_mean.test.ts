// The existing sum / mean: values over all, one and several dims (keepDim, negative dims), gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, IndexError, arange, mean, sum, tensor } from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "../shape/helpers.js";

describe("sum / mean", () => {
  const x = arange(24, { dtype: "float64" }).reshape([2, 3, 4]); // x[i][j][k] = 12i + 4j + k

  it("sum over all, one and several dims", () => {
    assert.equal(sum(x).item(), 276);
    assert.deepEqual(sum(x).shape, []);
    close(x.sum(2).toArray(), [[6, 22, 38], [54, 70, 86]]);
    close(x.sum(-1, true).toArray(), [[[6], [22], [38]], [[54], [70], [86]]]);
    close(x.sum([0, 2]).toArray(), [60, 92, 124]);
    close(x.sum([-1, 0], true).toArray(), [[[60], [92], [124]]]);
    assert.equal(sum(tensor([1, 2, 3], { dtype: "int32" })).dtype, "int32");
    assert.equal(sum(tensor([], { dtype: "float64" })).item(), 0);
  });

  it("mean over all, one and several dims", () => {
    assert.equal(mean(x).item(), 11.5);
    close(x.mean(1).toArray(), [[4, 5, 6, 7], [16, 17, 18, 19]]);
    close(x.mean([0, 1], true).toArray(), [[[10, 11, 12, 13]]]);
  });

  it("gradients broadcast back (sum: ones, mean: 1/N)", () => {
    const a = leaf([2, 3], 1);
    a.mean(1).sum().backward();
    close(a.grad!.toArray(), [[1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]]);
    check((t) => sum(t!, 1), [leaf([2, 3, 1], 2)]);
    check((t) => sum(t!, [0, -1], true), [leaf([2, 3, 2], 3)]);
    check((t) => mean(t!), [leaf([3, 4], 4)]);
    check((t) => t!.mean(-2), [leaf([1, 4, 2], 5)]);
  });

  it("errors", () => {
    throwsWith(() => sum(x, 3), IndexError, "sum", "3");
    throwsWith(() => mean(x, [0, 0]), IndexError, "mean");
    throwsWith(() => mean(tensor([1, 2], { dtype: "int32" })), DTypeError, "mean", "int32");
  });
});
