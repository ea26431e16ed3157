// Sum and mean over all or given dims, with keepDim. Multi-dim reductions run one dim at a time
// on the backend's (outer, size, inner) kernel.

import { autocastFloat32 } from "./autocast.js";
import { getBackend } from "../backend/index.js";
import type { ReduceOp } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { normalizeDims, numel } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { isHalf } from "../util/dtype.js";
import { castTensor, empty, requireFloat, requireTensor } from "./operand.js";
import { binaryForward } from "./binary.js";
import { expand } from "./shape/expand.js";

export type Dims = number | readonly number[];

/** Output shape of reducing `dims` (sorted), with or without the reduced dims kept as 1. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepDim) out.push(1);
  });
  return out;
}

/**
 * Forward-only reduction of `dims` (sorted, normalised), returning the keepDim shape.
 * float16/bfloat16 accumulate in float32 over all dims and round once (PyTorch's CPU behaviour);
 * bool sums and products count in int32 (PyTorch: int64), bool max/min stay bool.
 */
export function reduceRaw(op: ReduceOp, x: Tensor, dims: readonly number[]): Tensor {
  if (isHalf(x.dtype) && dims.length > 0) return castTensor(reduceRaw(op, castTensor(x, "float32"), dims), x.dtype);
  if (x.dtype === "bool" && (op === "sum" || op === "prod")) return reduceRaw(op, castTensor(x, "int32"), dims);
  if (x.numel === 0 && dims.length > 0) {
    // Every slice is empty: fill the result with the identity in one pass (reducing one dim at a
    // time could allocate a huge intermediate, e.g. [2^50, 1] on the way from [2^50, 0] to []).
    const kept = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
    const out = empty(kept, x.dtype);
    getBackend().reduce(op, x.data, out.numel, 0, 1, out.data);
    return out;
  }
  let cur = x;
  let shape = [...x.shape];
  for (let j = dims.length - 1; j >= 0; j--) {
    const d = dims[j]!;
    const outer = numel(shape.slice(0, d));
    const inner = numel(shape.slice(d + 1));
    const size = shape[d]!;
    const out = empty(shape.map((s, i) => (i === d ? 1 : s)), cur.dtype);
    getBackend().reduce(op, cur.data, outer, size, inner, out.data);
    shape = [...out.shape];
    cur = out;
  }
  if (dims.length === 0) return new Tensor(x.data.slice(), x.shape);
  return cur;
}

export function sum(x: Tensor, dim?: Dims, keepDim = false): Tensor {
  x = autocastFloat32(x); // autocast: runs in float32
  requireTensor("sum", x);
  const dims = normalizeDims("sum", dim, x.ndim);
  const kept = reduceRaw("sum", x, dims);
  const out = new Tensor(kept.data, reducedShape(x.shape, dims, keepDim));
  // Backward: broadcast the gradient back over the reduced dims.
  return record("sum", [x], out, (g) => [expand(new Tensor(g.data, kept.shape), x.shape)], { saves: [] });
}

export function mean(x: Tensor, dim?: Dims, keepDim = false): Tensor {
  x = autocastFloat32(x); // autocast: runs in float32
  requireTensor("mean", x);
  const dims = normalizeDims("mean", dim, x.ndim);
  const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
  requireFloat("mean", x);
  const wide = isHalf(x.dtype) ? castTensor(x, "float32") : x; // one rounding of sum / count, not two
  const kept = reduceRaw("sum", wide, dims);
  const scaled = castTensor(binaryForward("div", kept, count)[2], x.dtype);
  const out = new Tensor(scaled.data, reducedShape(x.shape, dims, keepDim));
  return record("mean", [x], out, (g) => [expand(binaryForward("div", new Tensor(g.data, kept.shape), count)[2], x.shape)], {
    saves: [],
  });
}
