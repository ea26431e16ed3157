// reshape / view / flatten: a new shape over the same contiguous storage (no copy).

import { record } from "../../autograd/index.js";
import { fmt, normalizeDim, numel } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { ShapeError } from "../../util/errors.js";
import { requireTensor } from "../operand.js";

/** Resolve one -1 entry and check the element count. */
export function inferShape(op: string, shape: readonly number[], count: number, from: readonly number[]): number[] {
  const out = [...shape];
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

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("reshape", x);
  const target = inferShape("reshape", shape, x.numel, x.shape);
  const out = new Tensor(x.data, target);
  return record("reshape", [x], out, (g) => [new Tensor(g.data, x.shape)], { saves: [] });
}

/** Same as reshape: storage is always contiguous, so every view is valid and shares data. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  requireTensor("view", x);
  const target = inferShape("view", shape, x.numel, x.shape);
  const out = new Tensor(x.data, target);
  return record("view", [x], out, (g) => [new Tensor(g.data, x.shape)], { saves: [] });
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
