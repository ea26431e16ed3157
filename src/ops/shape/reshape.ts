// reshape / view / flatten: a new shape over the same contiguous storage (no copy).

import { record } from "../../autograd/index.js";
import { checkShapeArg, fmt, normalizeDim, numel } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { ShapeError } from "../../util/errors.js";
import { requireTensor } from "../operand.js";

/** Resolve one -1 entry and check the element count. */
export function inferShape(op: string, shape: readonly number[], count: number, from: readonly number[]): number[] {
  const out = checkShapeArg(op, shape);
  const free = out.indexOf(-1);
  if (out.indexOf(-1, free + 1) !== -1 && free !== -1) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmt(shape)}`);
  for (const s of out) {
    if (s !== -1 && (!Number.isInteger(s) || s < 0)) throw new ShapeError(`${op}: invalid size ${s} in shape ${fmt(shape)}`);
  }
  if (free !== -1) {
    const rest = numel(out.filter((_, i) => i !== free));
    if (rest === 0 || count % rest !== 0) {
      throw new ShapeError(`${op}: shape ${fmt(shape)} is invalid for input ${fmt(from)} of ${count} elements`);
    }
    out[free] = count / rest;
  }
  if (numel(out) !== count) throw new ShapeError(`${op}: shape ${fmt(shape)} is invalid for input ${fmt(from)} of ${count} elements`);
  return out;
}

/** `x`'s storage under a new (validated) shape; the gradient is reshaped back. Shared with squeeze/unsqueeze. */
export function alias(name: string, x: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(x.data, shape);
  const inShape = x.shape; // only the shape: the rule must not keep x alive
  return record(name, [x], out, (g) => [new Tensor(g.data, inShape)], { saves: [] });
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("reshape", x);
  return alias("reshape", x, inferShape("reshape", shape, x.numel, x.shape));
}

/** Same as reshape: storage is always contiguous, so every view is valid and shares data. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("view", x);
  return alias("view", x, inferShape("view", shape, x.numel, x.shape));
}

/** Merge dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  requireTensor("flatten", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim("flatten", startDim, x.ndim);
  const e = normalizeDim("flatten", endDim, x.ndim);
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmt(x.shape)}`);
  const merged = numel(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}
