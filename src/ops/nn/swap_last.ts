// Internal: swap the last two dims (..., A, B) -> (..., B, A) with a strided copy, for attention's
// k^T. Kept private to nn ops so it does not collide with the general transpose in ops/shape.

import { getBackend } from "../../backend/index.js";
import { record } from "../../autograd/index.js";
import { fmt, numel } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocate } from "../../util/dtype.js";
import { ShapeError } from "../../util/errors.js";

function swapRaw(x: Tensor): Tensor {
  const n = x.ndim;
  const a = x.shape[n - 2]!;
  const b = x.shape[n - 1]!;
  const batch = numel(x.shape.slice(0, n - 2));
  const out = allocate(x.dtype, x.numel);
  getBackend().stridedCopy(x.data, out, {
    shape: [batch, b, a], srcOffset: 0, srcStrides: [a * b, 1, b], dstOffset: 0, dstStrides: [a * b, a, 1], accumulate: false,
  });
  return new Tensor(out, [...x.shape.slice(0, n - 2), b, a]);
}

export function swapLastDims(x: Tensor): Tensor {
  if (x.ndim < 2) throw new ShapeError(`swapLastDims: need at least 2 dimensions, got ${fmt(x.shape)}`);
  return record("transpose", [x], swapRaw(x), (g) => [swapRaw(g)]);
}
