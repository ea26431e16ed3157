// The existing reshape / view / flatten / expand / broadcastTo: values, sharing, gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ShapeError, IndexError, arange, broadcastTo, expand, flatten, reshape, tensor, view } from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "./helpers.js";

describe("reshape / view / flatten", () => {
  it("reshape keeps row-major order and infers -1", () => {
    const x = arange(6, { dtype: "float64" });
    close(reshape(x, [2, 3]).toArray(), [[0, 1, 2], [3, 4, 5]]);
    close(x.reshape([3, -1]).toArray(), [[0, 1], [2, 3], [4, 5]]);
    assert.deepEqual(x.view([-1, 1, 2]).shape, [3, 1, 2]);
    assert.deepEqual(reshape(tensor(5), [1, 1]).shape, [1, 1]);
    assert.equal(view(x, [6]).data, x.data, "view shares storage");
  });

  it("flatten merges a dim range, negative dims allowed", () => {
    const x = arange(24).reshape([2, 3, 4]);
    assert.deepEqual(flatten(x).shape, [24]);
    assert.deepEqual(x.flatten(1).shape, [2, 12]);
    assert.deepEqual(x.flatten(0, -2).shape, [6, 4]);
    assert.deepEqual(flatten(tensor(3)).shape, [1]);
    close((x.flatten(1).toArray() as number[][])[1]!, Array.from({ length: 12 }, (_, i) => 12 + i));
  });

  it("gradcheck", () => {
    check((x) => reshape(x!, [3, 2]).mul(x!.reshape([3, 2])), [leaf([2, 3], 1)]);
    check((x) => view(x!, [-1]), [leaf([2, 1, 3], 2)]);
    check((x) => flatten(x!, 1, -1), [leaf([2, 3, 1, 2], 3)]);
  });

  it("errors name the op and shapes", () => {
    const x = arange(6);
    throwsWith(() => reshape(x, [4, 2]), ShapeError, "reshape", "[4,2]", "[6]");
    throwsWith(() => view(x, [-1, -1]), ShapeError, "view", "-1");
    throwsWith(() => reshape(x, [4, -1]), ShapeError, "reshape");
    throwsWith(() => x.reshape([2, 3]).flatten(2), IndexError, "flatten");
    throwsWith(() => x.reshape([2, 3]).flatten(1, 0), ShapeError, "flatten");
  });
});

describe("expand / broadcastTo", () => {
  it("repeats size-1 dims and adds leading dims", () => {
    const x = tensor([[1], [2]], { dtype: "float64" });
    close(expand(x, [2, 3]).toArray(), [[1, 1, 1], [2, 2, 2]]);
    close(x.expand([2, -1, 2]).toArray(), [[[1, 1], [2, 2]], [[1, 1], [2, 2]]]);
    close(broadcastTo(tensor([1, 2]), [2, 2]).toArray(), [[1, 2], [1, 2]]);
  });

  it("backward sums over the expanded dims", () => {
    const x = tensor([[1], [2]], { dtype: "float64", requiresGrad: true });
    x.expand([3, 2, 4]).sum().backward();
    close(x.grad!.toArray(), [[12], [12]]);
    check((a) => expand(a!, [2, 3, 4]), [leaf([3, 1], 4)]);
    check((a) => broadcastTo(a!, [2, 1, 3]), [leaf([1, 3], 5)]);
  });

  it("errors name the op and shapes", () => {
    throwsWith(() => expand(arange(3), [2, 4]), ShapeError, "expand", "[3]", "[2,4]");
    throwsWith(() => expand(arange(6).reshape([2, 3]), [3]), ShapeError, "expand", "fewer");
    throwsWith(() => broadcastTo(arange(2), [3]), ShapeError, "expand");
  });
});
