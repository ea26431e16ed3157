// Shapes: sizes, strides, broadcasting and dimension normalisation, with the error text ops share.

import { describeValue } from "../util/describe.js";
import { IndexError, ShapeError } from "../util/errors.js";

export type Shape = readonly number[];

export function fmt(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The most elements one tensor may hold: the longest typed array this JS engine can create. */
export const MAX_NUMEL = 2 ** 32;

/** Validate a shape argument: an array of non-negative integer sizes whose product fits a tensor. */
export function checkShape(op: string, shape: Shape, arg = "shape"): number[] {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${op}: ${arg} must be an array of sizes such as [2, 3], got ${describeValue(shape)}`);
  }
  for (const s of shape as unknown[]) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new ShapeError(`${op}: invalid ${arg} [${shape.map(String).join(",")}]: sizes must be non-negative integers`);
    }
  }
  const n = numel(shape);
  if (n > MAX_NUMEL) {
    throw new ShapeError(`${op}: ${arg} ${fmt(shape)} has ${n} elements, more than the ${MAX_NUMEL} a tensor can hold`);
  }
  return [...shape];
}

/** NumPy/PyTorch broadcasting of two shapes; throws naming the op when they are incompatible. */
export function broadcastShapes(op: string, a: Shape, b: Shape, names?: readonly [string, string]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: cannot broadcast ${names ? `${names[0]} of shape ${fmt(a)} and ${names[1]} of shape ${fmt(b)}` : `shapes ${fmt(a)} and ${fmt(b)}`}: ` +
          `size ${da} and size ${db} differ at dimension ${i - n} and neither is 1`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Whether `from` broadcasts to `to` (used by expand/broadcastTo). */
export function canBroadcastTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[off + i]) return false;
  return true;
}

/**
 * Validate a shape argument whose entries may also be -1 (reshape's inferred size, expand's
 * "keep this size"): an array of integers >= -1.
 */
export function checkShapeArg(op: string, shape: Shape, arg = "shape"): number[] {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${op}: ${arg} must be an array of sizes such as [2, -1], got ${describeValue(shape)}`);
  }
  for (const s of shape as unknown[]) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < -1) {
      throw new ShapeError(`${op}: invalid ${arg} [${shape.map(String).join(",")}]: sizes must be non-negative integers (or -1)`);
    }
  }
  return [...shape];
}

/** Map a possibly negative dim into [0, ndim). */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new IndexError(`${op}: dimension ${dim} out of range for a tensor with ${ndim} dimension(s) (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalise a list of dims; undefined or [] means all dims (PyTorch). Sorted, duplicates rejected. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims !== undefined && typeof dims !== "number" && !Array.isArray(dims)) {
    throw new IndexError(`${op}: dim must be an integer or an array of integers, got ${describeValue(dims)}`);
  }
  if (dims === undefined || (typeof dims !== "number" && dims.length === 0)) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const out = list.map((d) => normalizeDim(op, d, ndim));
  const set = new Set(out);
  if (set.size !== out.length) throw new IndexError(`${op}: dimension list [${list.join(",")}] repeats a dimension`);
  // A 0-d tensor accepts dim 0 / -1 (PyTorch) but has no dimension to reduce: nothing to do.
  if (ndim === 0) return [];
  return out.sort((x, y) => x - y);
}
