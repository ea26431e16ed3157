// gradcheck itself: passes on correct gradients, reports the worst element on wrong ones.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, GradcheckError, Tensor, gradcheck, randn, tensor } from "../../src/index.js";
import { record } from "../../src/autograd/index.js";
import { empty } from "../../src/ops/operand.js";

/** y = x^2 with a deliberately wrong backward (3x instead of 2x) at index 1. */
function buggySquare(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  for (let i = 0; i < x.numel; i++) out.data[i] = x.data[i]! ** 2;
  return record("buggySquare", [x], out, (g) => {
    const gx = empty(x.shape, x.dtype);
    for (let i = 0; i < x.numel; i++) gx.data[i] = g.data[i]! * (i === 1 ? 3 : 2) * x.data[i]!;
    return [gx];
  });
}

describe("gradcheck", () => {
  it("passes for correct gradients", () => {
    assert.equal(gradcheck((x) => x!.mul(x!).sum(), [randn([3], { dtype: "float64", requiresGrad: true })]), true);
  });

  it("finds the wrong element and reports analytic vs numeric", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    assert.throws(() => gradcheck((t) => buggySquare(t!), [x]), (e: unknown) => {
      assert.ok(e instanceof GradcheckError);
      assert.equal(e.inputIndex, 0);
      assert.equal(e.elementIndex, 1);
      assert.ok(/input 0/.test(e.message) && /flat index 1/.test(e.message));
      return true;
    });
    assert.equal(gradcheck((t) => buggySquare(t!), [x], { throwOnFailure: false }), false);
  });

  it("restores the inputs' .grad and data", () => {
    const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    x.grad = tensor([7, 7], { dtype: "float64" });
    gradcheck((t) => t!.exp(), [x]);
    assert.deepEqual([...x.grad.data], [7, 7]);
    assert.deepEqual([...x.data], [1, 2]);
  });

  it("requires float64 inputs", () => {
    assert.throws(() => gradcheck((t) => t!.exp(), [randn([2], { requiresGrad: true })]), DTypeError);
  });
});
