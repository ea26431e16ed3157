// split / chunk: cut a tensor into consecutive windows along one dim. Each piece is its own
// graph node (a window copy), so gradients of unused pieces are simply zeros.

import { fmt, normalizeDim } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { IndexError, ShapeError, ValueError } from "../../util/errors.js";
import { requireTensor } from "../operand.js";
import { takeWindow } from "./slice.js";

function pieces(name: string, x: Tensor, d: number, sizes: readonly number[]): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const count of sizes) {
    out.push(takeWindow(name, x, { dim: d, start, count, step: 1 }));
    start += count;
  }
  return out;
}

/** Pieces of `splitSize` along dim (the last may be smaller), or of the listed sizes (which must sum to the dim's size). */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  requireTensor("split", x);
  if (x.ndim === 0) throw new IndexError("split: cannot split a 0-d tensor");
  const d = normalizeDim("split", dim, x.ndim);
  const n = x.shape[d]!;
  if (typeof splitSizeOrSections === "number") {
    const size = splitSizeOrSections;
    if (!Number.isInteger(size) || size < 0 || (size === 0 && n !== 0)) {
      throw new ValueError(`split: split size must be a positive integer, got ${size} (dimension ${dim} has size ${n})`);
    }
    if (n === 0) return pieces("split", x, d, [0]);
    const sizes: number[] = [];
    for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
    return pieces("split", x, d, sizes);
  }
  if (!Array.isArray(splitSizeOrSections)) {
    throw new ValueError(`split: expected a number or an array of sizes, got ${typeof splitSizeOrSections}`);
  }
  const sizes = splitSizeOrSections;
  let total = 0;
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 0) throw new ValueError(`split: sizes [${sizes.join(",")}] must be non-negative integers`);
    total += s;
  }
  if (total !== n) {
    throw new ShapeError(`split: sizes [${sizes.join(",")}] sum to ${total} but dimension ${dim} of shape ${fmt(x.shape)} has size ${n}`);
  }
  return pieces("split", x, d, sizes);
}

/** `chunks` pieces of size ceil(n / chunks) along dim (fewer when the dim is short), like torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  requireTensor("chunk", x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  if (x.ndim === 0) throw new IndexError("chunk: cannot chunk a 0-d tensor");
  const d = normalizeDim("chunk", dim, x.ndim);
  const n = x.shape[d]!;
  if (n === 0) return pieces("chunk", x, d, new Array<number>(chunks).fill(0));
  const size = Math.ceil(n / chunks);
  const sizes: number[] = [];
  for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
  return pieces("chunk", x, d, sizes);
}
