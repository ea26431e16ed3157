// Scans along one dim: cumsum, cumprod (exact gradient with zeros), logcumsumexp, and
// cummax/cummin (values and indices; the gradient goes to the index each value came from).

import { getBackend } from "../backend/index.js";
import type { FloatArray, ScanOp } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { normalizeDim } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { allocate } from "../util/dtype.js";
import { ValueError } from "../util/errors.js";
import { castTensor, empty, requireFloat, requireTensor } from "./operand.js";
import { takeFlat } from "./indexing/take.js";
import { splitAround } from "./shape/strides.js";

/** A values tensor and the int32 positions they came from: destructure as [values, indices] or read .values/.indices. */
export type ValuesIndices = [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

function layout(op: string, x: Tensor, dim: number): { outer: number; size: number; inner: number } {
  requireTensor(op, x);
  if (typeof dim !== "number") throw new ValueError(`${op}: dim must be a number, got ${String(dim)}`);
  return splitAround(x.shape, normalizeDim(op, dim, x.ndim));
}

function scanRaw(op: ScanOp, x: Tensor, l: { outer: number; size: number; inner: number }, reverse = false): Tensor {
  const src = x.dtype === "bool" ? castTensor(x, "int32") : x; // a running count of bools is an integer (PyTorch: int64)
  const out = empty(x.shape, src.dtype);
  getBackend().scan(op, src.data, l.outer, l.size, l.inner, reverse, out.data);
  return out;
}

/** Running sum along `dim` (int32 stays int32). */
export function cumsum(x: Tensor, dim: number): Tensor {
  const l = layout("cumsum", x, dim);
  const out = scanRaw("cumsum", x, l);
  // d/dx_i sum_j g_j y_j = sum_{j >= i} g_j: a reversed running sum of the gradient.
  return record("cumsum", [x], out, (g) => [scanRaw("cumsum", castTensor(g, x.dtype), l, true)], { saves: [] });
}

/** Running product along `dim` (int32 stays int32). */
export function cumprod(x: Tensor, dim: number): Tensor {
  const l = layout("cumprod", x, dim);
  const out = scanRaw("cumprod", x, l);
  return record("cumprod", [x], out, (g) => {
    const gx = empty(x.shape, x.dtype);
    getBackend().cumprodBackward(x.data as FloatArray, out.data as FloatArray, castTensor(g, x.dtype).data as FloatArray, l.outer, l.size, l.inner, gx.data as FloatArray);
    return [gx];
  }, { holds: [out] }); // the rule reads the output too
}

/** log(cumsum(exp(x))) along `dim`, without overflow. Float inputs only. */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  const l = layout("logcumsumexp", x, dim);
  requireFloat("logcumsumexp", x);
  const out = scanRaw("logcumsumexp", x, l);
  return record("logcumsumexp", [x], out, (gIn) => {
    // grad_i = sum_{j >= i} g_j exp(x_i - y_j), in log space split by the sign of g (as PyTorch).
    const g = castTensor(gIn, x.dtype).data;
    const y = out.data;
    const n = g.length;
    const pos = allocate(x.dtype, n), neg = allocate(x.dtype, n);
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      pos[i] = gi > 0 ? Math.log(gi) - y[i]! : -Infinity;
      neg[i] = gi < 0 ? Math.log(-gi) - y[i]! : -Infinity;
    }
    const be = getBackend();
    const sp = allocate(x.dtype, n), sn = allocate(x.dtype, n);
    be.scan("logcumsumexp", pos, l.outer, l.size, l.inner, true, sp);
    be.scan("logcumsumexp", neg, l.outer, l.size, l.inner, true, sn);
    const gx = empty(x.shape, x.dtype);
    for (let i = 0; i < n; i++) gx.data[i] = Math.exp(sp[i]! + x.data[i]!) - Math.exp(sn[i]! + x.data[i]!);
    return [gx];
  }, { holds: [out] }); // the rule reads the output too
}

/** Flat positions in x of the elements that `indices` (positions along the scanned dim) pick. */
export function pickedPositions(indices: Int32Array, outer: number, size: number, inner: number, srcSize = size): Int32Array {
  const pos = new Int32Array(indices.length);
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < size; s++) {
      for (let i = 0; i < inner; i++) {
        const p = (o * size + s) * inner + i;
        pos[p] = (o * srcSize + indices[p]!) * inner + i;
      }
    }
  }
  return pos;
}

function cumExtreme(op: "cummax" | "cummin", x: Tensor, dim: number): ValuesIndices {
  const l = layout(op, x, dim);
  const values = empty(x.shape, x.dtype);
  const indices = empty(x.shape, "int32");
  getBackend().cumExtreme(op, x.data, l.outer, l.size, l.inner, values.data, indices.data as Int32Array);
  // The values are x gathered at the indices, so the gradient scatters back to them.
  const picked = takeFlat(op, x, pickedPositions(indices.data as Int32Array, l.outer, l.size, l.inner), x.shape);
  return valuesIndices(picked, indices);
}

/** Running maximum along `dim` and where it came from (ties and NaN: the latest position, as PyTorch). */
export const cummax = (x: Tensor, dim: number): ValuesIndices => cumExtreme("cummax", x, dim);
/** Running minimum along `dim` and where it came from. */
export const cummin = (x: Tensor, dim: number): ValuesIndices => cumExtreme("cummin", x, dim);
