// transpose / permute / squeeze / unsqueeze: values, gradients over several shapes, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IndexError, ShapeError, arange, permute, squeeze, tensor, transpose, unsqueeze } from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "./helpers.js";

describe("transpose / permute", () => {
  it("transpose swaps two dims", () => {
    const x = arange(6, { dtype: "float64" }).reshape([2, 3]);
    close(transpose(x, 0, 1).toArray(), [[0, 3], [1, 4], [2, 5]]);
    close(x.transpose(-1, -2).toArray(), [[0, 3], [1, 4], [2, 5]]);
    const y = arange(24).reshape([2, 3, 4]).transpose(0, 2); // (4, 3, 2)
    assert.deepEqual(y.shape, [4, 3, 2]);
    // y[k][j][i] = x[i][j][k] = 12i + 4j + k
    assert.equal((y.toArray() as number[][][])[3]![2]![1], 12 + 8 + 3);
    close(transpose(tensor(7), 0, -1).toArray(), 7);
  });

  it("permute reorders dims (negative dims allowed)", () => {
    const x = arange(24).reshape([2, 3, 4]);
    const y = x.permute([2, 0, 1]); // y[k][i][j] = x[i][j][k]
    assert.deepEqual(y.shape, [4, 2, 3]);
    const a = y.toArray() as number[][][];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) assert.equal(a[k]![i]![j], 12 * i + 4 * j + k);
    close(permute(x, [-1, -3, -2]).toArray(), y.toArray());
    close(permute(x, [0, 1, 2]).toArray(), x.toArray());
  });

  it("moving only size-1 dims keeps the layout: no copy, storage shared", () => {
    const x = arange(6).reshape([2, 1, 3]);
    const y = x.permute([1, 0, 2]);
    assert.equal(y.data, x.data);
    assert.deepEqual(y.toArray(), [[[0, 1, 2], [3, 4, 5]]]);
    assert.equal(x.transpose(0, 1).data, x.data);
    assert.notEqual(x.transpose(0, 2).data, x.data, "size-2 and size-3 dims swap: a copy");
  });

  it("gradcheck over shapes incl. size-1 dims", () => {
    check((x) => transpose(x!, 0, 1), [leaf([3, 4], 1)]);
    check((x) => x!.transpose(-1, 0), [leaf([2, 1, 3], 2)]);
    check((x) => permute(x!, [2, 0, 1]), [leaf([2, 3, 4], 3)]);
    check((x) => permute(x!, [1, -1, 0, 2]), [leaf([1, 2, 3, 1], 4)]);
    check((x) => x!.permute([1, 0]).mul(x!.permute([1, 0])), [leaf([4, 1], 5)]);
  });

  it("errors", () => {
    const x = arange(6).reshape([2, 3]);
    throwsWith(() => transpose(x, 0, 2), IndexError, "transpose", "2");
    throwsWith(() => permute(x, [0]), ShapeError, "permute", "[2,3]");
    throwsWith(() => permute(x, [0, 0]), IndexError, "permute", "repeat");
    throwsWith(() => permute(x, [0, -3]), IndexError, "permute", "-3");
  });
});

describe("squeeze / unsqueeze", () => {
  it("squeeze removes size-1 dims only", () => {
    const x = arange(6).reshape([1, 2, 1, 3, 1]);
    assert.deepEqual(squeeze(x).shape, [2, 3]);
    assert.deepEqual(x.squeeze(0).shape, [2, 1, 3, 1]);
    assert.deepEqual(x.squeeze(1).shape, [1, 2, 1, 3, 1], "size-2 dim is kept");
    assert.deepEqual(x.squeeze([-1, 2, 3]).shape, [1, 2, 3]);
    assert.deepEqual(squeeze(tensor(1)).shape, []);
    assert.deepEqual(x.squeeze([]).shape, [1, 2, 1, 3, 1], "an empty dim list squeezes nothing");
    close(squeeze(x).toArray(), [[0, 1, 2], [3, 4, 5]]);
  });

  it("unsqueeze inserts a size-1 dim anywhere in -(n+1)..n", () => {
    const x = arange(6).reshape([2, 3]);
    assert.deepEqual(unsqueeze(x, 0).shape, [1, 2, 3]);
    assert.deepEqual(x.unsqueeze(2).shape, [2, 3, 1]);
    assert.deepEqual(x.unsqueeze(-1).shape, [2, 3, 1]);
    assert.deepEqual(x.unsqueeze(-3).shape, [1, 2, 3]);
    assert.deepEqual(x.unsqueeze(1).shape, [2, 1, 3]);
    assert.deepEqual(unsqueeze(tensor(2), 0).shape, [1]);
    close(x.unsqueeze(1).toArray(), [[[0, 1, 2]], [[3, 4, 5]]]);
  });

  it("gradcheck", () => {
    check((x) => squeeze(x!), [leaf([1, 3, 1], 6)]);
    check((x) => x!.squeeze(-1).mul(2), [leaf([2, 1], 7)]);
    check((x) => unsqueeze(x!, -1), [leaf([2, 3], 8)]);
    check((x) => x!.unsqueeze(0).squeeze(0), [leaf([3], 9)]);
  });

  it("errors", () => {
    const x = arange(6).reshape([2, 3]);
    throwsWith(() => squeeze(x, 2), IndexError, "squeeze", "2");
    throwsWith(() => squeeze(x, [0, 0]), IndexError, "squeeze");
    throwsWith(() => unsqueeze(x, 3), IndexError, "unsqueeze", "3");
    throwsWith(() => unsqueeze(x, -4), IndexError, "unsqueeze", "-4");
  });
});
