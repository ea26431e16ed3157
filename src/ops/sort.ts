// sort / argsort / topk along one dim. Sorting is stable (equal values keep their order, NaN
// sorts as the largest value, as PyTorch's CPU sort); values are the input gathered at the
// indices, so their gradient scatters back to the selected positions.

import { getBackend } from "../backend/index.js";
import { fmt, normalizeDim } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { IndexError, ValueError } from "../util/errors.js";
import { empty, requireTensor } from "./operand.js";
import { takeFlat } from "./indexing/take.js";
import { type ValuesIndices, pickedPositions, valuesIndices } from "./scan.js";
import { splitAround } from "./shape/strides.js";

export interface SortOptions {
  /** Accepted for PyTorch compatibility; Descent's sort is always stable. */
  stable?: boolean;
}

function sortIndices(op: string, x: Tensor, dim: number, descending: boolean): { indices: Tensor; d: number } {
  requireTensor(op, x);
  if (typeof descending !== "boolean") throw new ValueError(`${op}: descending must be a boolean, got ${String(descending)}`);
  const d = normalizeDim(op, dim, x.ndim);
  const { outer, size, inner } = splitAround(x.shape, d);
  const values = empty(x.shape, x.dtype);
  const indices = empty(x.shape, "int32");
  getBackend().sort(x.data, outer, size, inner, descending, values.data, indices.data as Int32Array);
  return { indices, d };
}

/** Sorted values along `dim` (default last) and their original positions. */
export function sort(x: Tensor, dim = -1, descending = false, opts: SortOptions = {}): ValuesIndices {
  void opts;
  const { indices, d } = sortIndices("sort", x, dim, descending);
  const { outer, size, inner } = splitAround(x.shape, d);
  const values = takeFlat("sort", x, pickedPositions(indices.data as Int32Array, outer, size, inner), x.shape);
  return valuesIndices(values, indices);
}

/** The positions that would sort x along `dim` (int32). */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  return sortIndices("argsort", x, dim, descending).indices;
}

/**
 * The k largest (or smallest) values along `dim` and their positions, in sorted order. Among
 * equal values the lower position comes first (PyTorch leaves the choice open).
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  requireTensor("topk", x);
  void sorted; // always sorted; PyTorch's sorted=false allows any order
  if (typeof largest !== "boolean") throw new ValueError(`topk: largest must be a boolean, got ${String(largest)}`);
  const d = normalizeDim("topk", dim, x.ndim);
  const { outer, size, inner } = splitAround(x.shape, d);
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new IndexError(`topk: k = ${String(k)} is out of range for dimension ${dim} of size ${size} in shape ${fmt(x.shape)} (expected 0..${size})`);
  }
  const all = sortIndices("topk", x, d, largest).indices.data as Int32Array;
  const outShape = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? k : s));
  const indices = empty(outShape, "int32");
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < k; s++) {
      for (let i = 0; i < inner; i++) indices.data[(o * k + s) * inner + i] = all[(o * size + s) * inner + i]!;
    }
  }
  const values = takeFlat("topk", x, pickedPositions(indices.data as Int32Array, outer, k, inner, size), outShape);
  return valuesIndices(values, indices);
}
