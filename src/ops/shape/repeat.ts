// repeat (tile the whole tensor), repeatInterleave (repeat each element), unflatten (split one
// dim into several).

import { fmt, normalizeDim } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { requireTensor } from "../operand.js";
import { mapPositions, takeFlat } from "../indexing/take.js";
import { requireIndex } from "../indexing/validate.js";
import { alias, inferShape } from "./reshape.js";

/** Tile x `sizes[d]` times along each dim (sizes may add leading dims), like torch.Tensor.repeat. */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  requireTensor("repeat", x);
  if (!Array.isArray(sizes) || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ValueError(`repeat: sizes must be a list of non-negative integers, got ${JSON.stringify(sizes)}`);
  }
  if (sizes.length < x.ndim) {
    throw new ShapeError(`repeat: got ${sizes.length} repeat sizes for a tensor of shape ${fmt(x.shape)}; need at least ${x.ndim}`);
  }
  const src = [...new Array<number>(sizes.length - x.ndim).fill(1), ...x.shape];
  const outShape = src.map((n, d) => n * sizes[d]!);
  return takeFlat("repeat", x, mapPositions(src, outShape, (d, o) => o % src[d]!), outShape);
}

/**
 * Repeat each element `repeats` times along `dim` (a number, or an int32 tensor with one count
 * per element of that dim). Without dim, the flattened input is repeated.
 */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number): Tensor {
  requireTensor("repeatInterleave", x);
  const src = dim === undefined ? alias("repeatInterleave", x, [x.numel]) : x;
  const d = dim === undefined ? 0 : normalizeDim("repeatInterleave", dim, x.ndim);
  if (src.ndim === 0) return repeatInterleave(alias("repeatInterleave", src, [1]), repeats, 0);
  const n = src.shape[d]!;
  let counts: number[];
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats) || repeats < 0) throw new ValueError(`repeatInterleave: repeats must be a non-negative integer, got ${repeats}`);
    counts = new Array<number>(n).fill(repeats);
  } else {
    requireIndex("repeatInterleave", repeats, "repeats");
    if (repeats.ndim > 1 || (repeats.numel !== n && repeats.numel !== 1)) {
      throw new ShapeError(`repeatInterleave: repeats of shape ${fmt(repeats.shape)} must have one count per element (${n}) of dim ${d}, or just one`);
    }
    counts = repeats.numel === 1 ? new Array<number>(n).fill(repeats.data[0]!) : [...repeats.data];
    const bad = counts.findIndex((c) => c < 0);
    if (bad >= 0) throw new ValueError(`repeatInterleave: repeats must be non-negative, got ${counts[bad]} at position ${bad}`);
  }
  // Bound the output before building it: a huge repeat count must be an error, not an out-of-memory crash.
  const total = counts.reduce((a, c) => a + c, 0);
  const rest = src.numel / Math.max(1, n);
  if (total * rest > 2 ** 31 - 1) {
    throw new ShapeError(`repeatInterleave: the result would have ${total * rest} elements along with dim ${d} repeated ${total} times; at most ${2 ** 31 - 1} are supported`);
  }
  const source: number[] = [];
  counts.forEach((c, i) => { for (let r = 0; r < c; r++) source.push(i); });
  const outShape = src.shape.map((s, k) => (k === d ? source.length : s));
  return takeFlat("repeatInterleave", src, mapPositions(src.shape, outShape, (k, o) => (k === d ? source[o]! : o)), outShape);
}

/** Split dim `dim` into `sizes` (one may be -1); a view like reshape. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  requireTensor("unflatten", x);
  if (x.ndim === 0) throw new ShapeError("unflatten: cannot unflatten a 0-d tensor");
  const d = normalizeDim("unflatten", dim, x.ndim);
  if (!Array.isArray(sizes) || sizes.length === 0) throw new ValueError(`unflatten: sizes must be a non-empty list, got ${JSON.stringify(sizes)}`);
  const inner = inferShape("unflatten", sizes, x.shape[d]!, [x.shape[d]!]);
  return alias("unflatten", x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

