// where(cond, a, b) and maskedFill: select elementwise; gradients flow to the chosen side.

import { getBackend } from "../backend/index.js";
import { record } from "../autograd/index.js";
import { broadcastShapes, canBroadcastTo, fmt } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { DTypeError, ShapeError } from "../util/errors.js";
import { type TensorLike, empty, requireOperand, requireTensor, resultDType, toTensor } from "./operand.js";
import { describeValue } from "../util/describe.js";

/** A 0-d zero of `like`'s dtype (storage is zero-filled on allocation). */
function zeroScalar(like: Tensor): Tensor {
  return empty([], like.dtype);
}

/** cond != 0 ? a : b, broadcasting all three. cond is any dtype (nonzero is true). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  requireTensor("where", cond, "condition");
  requireOperand("where", a, "input");
  requireOperand("where", b, "other");
  const dtype = a instanceof Tensor || b instanceof Tensor ? resultDType(a, b) : "float32";
  const ta = toTensor(a, dtype);
  const tb = toTensor(b, dtype);
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, ta.shape), tb.shape);
  const out = empty(shape, dtype);
  getBackend().where(cond.data, cond.shape, ta.data, ta.shape, tb.data, tb.shape, out.data, shape);
  return record("where", [a instanceof Tensor ? a : ta, b instanceof Tensor ? b : tb], out, (g, needs) => {
    const z = zeroScalar(g);
    const ga = needs[0] ? empty(shape, g.dtype) : null;
    const gb = needs[1] ? empty(shape, g.dtype) : null;
    if (ga) getBackend().where(cond.data, cond.shape, g.data, g.shape, z.data, z.shape, ga.data, shape);
    if (gb) getBackend().where(cond.data, cond.shape, z.data, z.shape, g.data, g.shape, gb.data, shape);
    return [ga, gb];
  }, { saves: [cond] });
}

/** x with `value` wherever mask is nonzero; mask must broadcast to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  requireTensor("maskedFill", x);
  requireTensor("maskedFill", mask, "mask");
  if (typeof value !== "number") throw new DTypeError(`maskedFill: value must be a number, got ${describeValue(value)}`);
  if (!canBroadcastTo(mask.shape, x.shape)) {
    throw new ShapeError(`maskedFill: mask of shape ${fmt(mask.shape)} does not broadcast to the input's shape ${fmt(x.shape)}`);
  }
  const v = toTensor(value, x.dtype);
  const out = empty(x.shape, x.dtype);
  getBackend().where(mask.data, mask.shape, v.data, v.shape, x.data, x.shape, out.data, x.shape);
  return record("maskedFill", [x], out, (g) => {
    const gx = empty(x.shape, g.dtype);
    const z = zeroScalar(g);
    getBackend().where(mask.data, mask.shape, z.data, z.shape, g.data, g.shape, gx.data, x.shape);
    return [gx];
  }, { saves: [mask] });
}
