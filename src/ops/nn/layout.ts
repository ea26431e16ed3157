// Moving one axis to the end and back, so row-wise fused kernels (softmax, cross-entropy) can
// work on any dim. A tensor is viewed as (outer, size, inner); "last" layout is (outer, inner, size).
// Both are permuteData (ops/shape/permute.ts), which returns `data` itself when inner or size is 1.

import type { TypedArray } from "../../util/dtype.js";
import { permuteData } from "../shape/permute.js";

/** (outer, size, inner) -> (outer, inner, size). */
export function dimToLast<T extends TypedArray>(data: T, outer: number, size: number, inner: number): T {
  return permuteData(data, [outer, size, inner], [0, 2, 1]);
}

/** (outer, inner, size) -> (outer, size, inner); the inverse of dimToLast. */
export function lastToDim<T extends TypedArray>(data: T, outer: number, size: number, inner: number): T {
  return permuteData(data, [outer, inner, size], [0, 2, 1]);
}
