// Checks every indexing op runs before computing: the index is an int32 tensor and every
// value lies in 0..size-1 of the indexed dim (no negative indices, like torch.gather).

import { fmt } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { DTypeError, IndexError } from "../../util/errors.js";

export function requireIndex(op: string, index: unknown, arg = "index"): Tensor {
  if (!(index instanceof Tensor)) throw new DTypeError(`${op}: ${arg} must be an int32 Tensor, got ${index === null ? "null" : typeof index}`);
  if (index.dtype !== "int32") throw new DTypeError(`${op}: ${arg} must have dtype int32, got ${index.dtype} (shape ${fmt(index.shape)})`);
  return index;
}

/** Throw naming the first value outside 0..size-1. */
export function checkIndexRange(op: string, idx: Int32Array, dim: number, size: number, shape: readonly number[]): void {
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= size) {
      const range = size > 0 ? `expected 0..${size - 1}` : "the dimension is empty";
      throw new IndexError(`${op}: index ${v} (at position ${i}) is out of range for dimension ${dim} of size ${size} in shape ${fmt(shape)} (${range})`);
    }
  }
}
