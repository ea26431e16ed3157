// expand / broadcastTo: materialise a broadcast (storage is contiguous, so this copies).
// Backward is the engine's broadcast reduction: the rule returns the output-shaped gradient.

import { getBackend } from "../../backend/index.js";
import { record } from "../../autograd/index.js";
import { canBroadcastTo, checkShapeArg, contiguousStrides, fmt, shapesEqual } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ShapeError } from "../../util/errors.js";
import { broadcastStridesFor } from "./strides.js";
import { empty, requireTensor } from "../operand.js";

/** Expand size-1 dims (and add leading dims) to `shape`; -1 keeps a dim's size. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return expandAs("expand", x, shape);
}

/** expand under the name the user called (expand or broadcastTo), for error messages. */
function expandAs(op: string, x: Tensor, shape: readonly number[]): Tensor {
  requireTensor(op, x);
  checkShapeArg(op, shape);
  const off = shape.length - x.ndim;
  if (off < 0) {
    throw new ShapeError(`${op}: target shape ${fmt(shape)} has fewer dimensions than the input ${fmt(x.shape)}`);
  }
  const target = shape.map((s, i) => (s === -1 && i >= off ? x.shape[i - off]! : s));
  if (!canBroadcastTo(x.shape, target) || target.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ShapeError(`${op}: cannot expand shape ${fmt(x.shape)} to ${fmt(shape)}: only size-1 dimensions can grow`);
  }
  if (shapesEqual(x.shape, target)) return x;
  const out = empty(target, x.dtype);
  getBackend().stridedCopy(x.data, out.data, {
    shape: target, srcOffset: 0, srcStrides: broadcastStridesFor(x.shape, target),
    dstOffset: 0, dstStrides: contiguousStrides(target), accumulate: false,
  });
  return record("expand", [x], out, (g) => [g], { saves: [] });
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expandAs("broadcastTo", x, shape);
}
