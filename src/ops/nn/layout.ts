// Moving one axis to the end and back, so row-wise fused kernels (softmax, cross-entropy) can
// work on any dim. A tensor is viewed as (outer, size, inner); "last" layout is (outer, inner, size).

import { getBackend } from "../../backend/index.js";
import { numel } from "../../shape/shape.js";
import { type TypedArray, allocate, dtypeOfArray } from "../../util/dtype.js";

/** Sizes of the (outer, size, inner) view of `shape` around `dim`. */
export function splitAt(shape: readonly number[], dim: number): { outer: number; size: number; inner: number } {
  return { outer: numel(shape.slice(0, dim)), size: shape[dim] ?? 1, inner: numel(shape.slice(dim + 1)) };
}

/** (outer, size, inner) -> (outer, inner, size). Returns `data` itself when inner is 1. */
export function dimToLast<T extends TypedArray>(data: T, outer: number, size: number, inner: number): T {
  if (inner === 1 || size === 1) return data;
  const out = allocate(dtypeOfArray(data), data.length) as T;
  getBackend().stridedCopy(data, out, {
    shape: [outer, inner, size], srcOffset: 0, srcStrides: [size * inner, 1, inner],
    dstOffset: 0, dstStrides: [inner * size, size, 1], accumulate: false,
  });
  return out;
}

/** (outer, inner, size) -> (outer, size, inner); the inverse of dimToLast. */
export function lastToDim<T extends TypedArray>(data: T, outer: number, size: number, inner: number): T {
  if (inner === 1 || size === 1) return data;
  const out = allocate(dtypeOfArray(data), data.length) as T;
  getBackend().stridedCopy(data, out, {
    shape: [outer, size, inner], srcOffset: 0, srcStrides: [inner * size, 1, size],
    dstOffset: 0, dstStrides: [size * inner, inner, 1], accumulate: false,
  });
  return out;
}
