// Stride helpers for ops that move data with the backend's stridedCopy.

import { getBackend } from "../../backend/index.js";
import { contiguousStrides } from "../../shape/shape.js";
import type { TypedArray } from "../../util/dtype.js";

/** Strides of `shape` right-aligned to `target`, 0 on broadcast (size-1 or missing) dims. */
export function broadcastStridesFor(shape: readonly number[], target: readonly number[]): number[] {
  const n = target.length;
  const out = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[n - shape.length + i] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return out;
}

/** Sizes of the (outer, size, inner) view of `shape` around dim `d` (a 0-d shape is [1]). */
export function splitAround(shape: readonly number[], d: number): { outer: number; size: number; inner: number } {
  if (shape.length === 0) return { outer: 1, size: 1, inner: 1 };
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i]!;
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, size: shape[d]!, inner };
}

/** Where a window along `dim` lies: elements start, start+step, ... (count of them). */
export interface Window {
  dim: number;
  start: number;
  count: number;
  step: number;
}

/** Shape of `shape` with dim `w.dim` cut down to the window. */
export function windowShape(shape: readonly number[], w: Window): number[] {
  return shape.map((s, i) => (i === w.dim ? w.count : s));
}

/**
 * Copy the window out of a contiguous buffer of `shape` into a contiguous `dst` (forward of
 * narrow/slice/split and backward of cat), or with `reverse` write a contiguous window back
 * into `dst` of `shape` (backward of narrow/slice, forward of cat).
 */
export function copyWindow(src: TypedArray, dst: TypedArray, shape: readonly number[], w: Window, reverse = false): void {
  const full = contiguousStrides(shape);
  const win = windowShape(shape, w);
  const strided = full.map((s, i) => (i === w.dim ? s * w.step : s));
  const offset = w.start * full[w.dim]!;
  const packed = contiguousStrides(win);
  getBackend().stridedCopy(src, dst, reverse
    ? { shape: win, srcOffset: 0, srcStrides: packed, dstOffset: offset, dstStrides: strided, accumulate: false }
    : { shape: win, srcOffset: offset, srcStrides: strided, dstOffset: 0, dstStrides: packed, accumulate: false });
}
