// narrow / slice: a window along one dim (slice adds a step, with Python's clamping rules).
// Forward copies the window out; backward writes the gradient into zeros of the input's shape.

import { record } from "../../autograd/index.js";
import { fmt, normalizeDim } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { IndexError, ValueError } from "../../util/errors.js";
import { empty, requireTensor } from "../operand.js";
import { type Window, copyWindow, windowShape } from "./strides.js";

function requireInt(op: string, name: string, v: number): void {
  if (!Number.isInteger(v)) throw new ValueError(`${op}: ${name} must be an integer, got ${v}`);
}

/** Forward and backward of a validated window (shared with split/chunk). */
export function takeWindow(name: string, x: Tensor, w: Window): Tensor {
  const out = empty(windowShape(x.shape, w), x.dtype);
  copyWindow(x.data, out.data, x.shape, w);
  const shape = x.shape; // only the shape: the rule must not keep x alive
  return record(name, [x], out, (g) => {
    const gx = empty(shape, g.dtype); // zeros outside the window
    copyWindow(g.data, gx.data, shape, w, true);
    return [gx];
  }, { saves: [] });
}

/** Elements start..start+length-1 of `dim`; a negative start counts from the end. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  requireTensor("narrow", x);
  if (x.ndim === 0) throw new IndexError("narrow: cannot narrow a 0-d tensor");
  const d = normalizeDim("narrow", dim, x.ndim);
  requireInt("narrow", "start", start);
  requireInt("narrow", "length", length);
  const size = x.shape[d]!;
  if (start < -size || start > size) {
    throw new IndexError(`narrow: start ${start} out of range for dimension ${dim} of size ${size} in shape ${fmt(x.shape)} (expected ${-size}..${size})`);
  }
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size) {
    throw new IndexError(`narrow: start ${s} + length ${length} exceeds dimension ${dim} of size ${size} in shape ${fmt(x.shape)} (length must be in 0..${size - s})`);
  }
  return takeWindow("narrow", x, { dim: d, start: s, count: length, step: 1 });
}

/** x[start:end:step] along `dim` with Python semantics: negatives count from the end, out-of-range bounds clamp. */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  requireTensor("slice", x);
  if (x.ndim === 0) throw new IndexError("slice: cannot slice a 0-d tensor");
  const d = normalizeDim("slice", dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new ValueError(`slice: step must be a positive integer, got ${step}`);
  const n = x.shape[d]!;
  const bound = (v: number | null | undefined, fallback: number, name: string): number => {
    if (v === undefined || v === null) return fallback;
    requireInt("slice", name, v);
    const r = v < 0 ? v + n : v;
    return Math.min(Math.max(r, 0), n);
  };
  const s = bound(start, 0, "start");
  const e = bound(end, n, "end");
  const count = e > s ? Math.ceil((e - s) / step) : 0;
  return takeWindow("slice", x, { dim: d, start: count > 0 ? s : 0, count, step });
}
