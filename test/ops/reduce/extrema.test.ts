// max / min / amax / amin / argmax / argmin / logsumexp: values, ties, NaN, gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  IndexError, ShapeError, amax, amin, argmax, argmin, gradcheck, logsumexp, max, min, tensor, zeros,
} from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "../shape/helpers.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "float64", requiresGrad: true });

describe("max / min", () => {
  const m = tensor([[1, 5, 2], [7, 0, 7]], { dtype: "float64" });

  it("values over all and along a dim (keepDim, negative dims)", () => {
    assert.equal(max(m).item(), 7);
    assert.equal(m.min().item(), 0);
    assert.deepEqual(max(m).shape, []);
    close(max(m, 1).toArray(), [5, 7]);
    close(m.max(0, true).toArray(), [[7, 5, 7]]);
    close(min(m, -1).toArray(), [1, 0]);
    close(m.min(-2).toArray(), [1, 0, 2]);
    assert.equal(max(tensor(3), 0).item(), 3);
    assert.equal(max(tensor([1, 9, 4], { dtype: "int32" })).item(), 9);
  });

  it("along a dim the gradient goes to the first arg-max only", () => {
    const x = f64([[7, 1, 7], [2, 2, 0]]);
    max(x, 1).sum().backward();
    close(x.grad!.toArray(), [[1, 0, 0], [1, 0, 0]]);
    const y = f64([[3, 3], [1, 3]]);
    y.min(0).sum().backward();
    close(y.grad!.toArray(), [[0, 1], [1, 0]]); // column 1 ties: the first row wins
  });

  it("over all dims ties share the gradient evenly", () => {
    const x = f64([[7, 1, 7], [2, 7, 0]]);
    max(x).backward();
    close(x.grad!.toArray(), [[1 / 3, 0, 1 / 3], [0, 1 / 3, 0]]);
    const y = f64([0, -1, -1]);
    y.min().mul(4).backward();
    close(y.grad!.toArray(), [0, 2, 2]);
  });

  it("NaN propagates", () => {
    const x = tensor([[1, NaN, 3], [4, 5, 6]], { dtype: "float64" });
    close(max(x, 1).toArray(), [NaN, 6]);
    close(min(x, 1).toArray(), [NaN, 4]);
    assert.ok(Number.isNaN(max(x).item()));
    assert.equal(argmax(x, 1).toArray().toString(), "1,2");
  });

  it("gradcheck over shapes incl. size-1 dims", () => {
    check((x) => max(x!, 1), [leaf([3, 4], 1)]);
    check((x) => x!.min(-1, true), [leaf([2, 1, 3], 2)]);
    check((x) => max(x!, 0), [leaf([1, 3], 3)]);
    check((x) => max(x!), [leaf([2, 3], 4)]);
    check((x) => x!.min(), [leaf([4, 1, 2], 5)]);
  });

  it("errors", () => {
    throwsWith(() => max(m, 2), IndexError, "max", "2");
    throwsWith(() => min(m, -3), IndexError, "min");
    throwsWith(() => max(zeros([0, 3]), 0), ShapeError, "max", "size 0");
    throwsWith(() => min(zeros([0])), ShapeError, "min");
  });
});

describe("amax / amin", () => {
  const x = tensor([[[1, 8], [3, 4]], [[5, 2], [8, 0]]], { dtype: "float64" }); // (2, 2, 2)

  it("values over several dims", () => {
    close(amax(x, [0, 2]).toArray(), [8, 8]);
    close(x.amax([1, 2], true).toArray(), [[[8]], [[8]]]);
    close(amin(x, -1).toArray(), [[1, 3], [2, 0]]);
    assert.equal(x.amin().item(), 0);
    assert.equal(amax(x, []).item(), 8, "an empty dim list reduces everything, like torch.amax");
  });

  it("ties split the gradient evenly within each reduced slice", () => {
    const y = f64([[4, 4, 1], [2, 3, 3]]);
    amax(y, 1).backward(tensor([2, 6], { dtype: "float64" }));
    close(y.grad!.toArray(), [[1, 1, 0], [0, 3, 3]]);
    const z = f64([[0, 5], [0, 0]]);
    z.amin([0, 1]).backward();
    close(z.grad!.toArray(), [[1 / 3, 0], [1 / 3, 1 / 3]]);
  });

  it("gradcheck", () => {
    check((t) => amax(t!, [0, -1]), [leaf([2, 3, 4], 6)]);
    check((t) => t!.amin(1, true), [leaf([3, 1, 2], 7)]);
  });

  it("errors", () => {
    throwsWith(() => amax(x, [0, 3]), IndexError, "amax", "3");
    throwsWith(() => amin(x, [1, -2]), IndexError, "amin", "repeats");
    throwsWith(() => amax(zeros([2, 0]), 1), ShapeError, "amax");
  });
});

describe("argmax / argmin", () => {
  const m = tensor([[1, 5, 5], [7, 0, 7]], { dtype: "float64" });

  it("indices along a dim (first wins on ties) and flat without dim", () => {
    const a = argmax(m, 1);
    assert.equal(a.dtype, "int32");
    assert.deepEqual(a.toArray(), [1, 0]);
    assert.deepEqual(m.argmin(1).toArray(), [0, 1]);
    assert.deepEqual(m.argmax(0, true).toArray(), [[1, 0, 1]]);
    assert.deepEqual(argmin(m, -2).toArray(), [0, 1, 0]);
    assert.equal(argmax(m).item(), 3);
    assert.equal(m.argmin().item(), 4);
    assert.deepEqual(argmax(m, undefined, true).shape, [1, 1]);
  });

  it("errors", () => {
    throwsWith(() => argmax(m, 2), IndexError, "argmax");
    throwsWith(() => argmin(zeros([0])), ShapeError, "argmin", "empty");
    throwsWith(() => argmax(zeros([2, 0]), 1), ShapeError, "argmax");
  });
});

describe("logsumexp", () => {
  it("values, stable for large inputs and infinities", () => {
    const x = tensor([[0, Math.log(3)], [1000, 1000]], { dtype: "float64" });
    close(logsumexp(x, 1).toArray(), [Math.log(4), 1000 + Math.log(2)]);
    close(x.logsumexp(-1, true).toArray(), [[Math.log(4)], [1000 + Math.log(2)]]);
    close(logsumexp(x, [0, 1]).toArray(), 1000 + Math.log(2), 1e-15);
    close(logsumexp(tensor([-Infinity, -Infinity], { dtype: "float64" }), 0).toArray(), -Infinity);
    close(logsumexp(tensor([Infinity, 1], { dtype: "float64" }), 0).toArray(), Infinity);
    close(logsumexp(tensor([-Infinity, 0], { dtype: "float64" }), 0).toArray(), 0);
  });

  it("gradient is the softmax over the reduced dims", () => {
    const x = f64([[0, Math.log(3)]]);
    logsumexp(x, 1).sum().backward();
    close(x.grad!.toArray(), [[0.25, 0.75]]);
    check((t) => logsumexp(t!, 1), [leaf([3, 4], 8)]);
    check((t) => t!.logsumexp([0, -1], true), [leaf([2, 1, 3], 9)]);
    const big = tensor([[500, 501], [-800, -799]], { dtype: "float64", requiresGrad: true });
    assert.ok(gradcheck((t) => logsumexp(t!, 1), [big], { eps: 1e-6, atol: 1e-6, rtol: 1e-4 }));
  });

  it("errors", () => {
    throwsWith(() => logsumexp(zeros([2]), 1), IndexError, "logsumexp");
  });
});
