// Two adjoint primitives for ops that only move elements (flip, roll, pad, repeat, diag, sort,
// maskedSelect, ...): takeFlat gathers out[i] = x.flat[pos[i]] (backward scatter-adds), putFlat
// scatter-adds out.flat[pos[i]] += x[i] into zeros (backward gathers). Positions are computed
// and validated by the caller; they run on the backend's embedding kernels with one column.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { castTensor, empty } from "../operand.js";

function scatterAddInto(src: Tensor, pos: Int32Array, dst: Tensor): void {
  if (dst.data instanceof Int32Array) {
    for (let i = 0; i < pos.length; i++) dst.data[pos[i]!]! += src.data[i]!; // the scatter-add kernel is float-only
  } else {
    getBackend().embeddingBackward(src.data as FloatArray, pos, 1, dst.data as FloatArray); // widened for half/bool storage
  }
}

/** out (shape outShape) with out.flat[i] = x.flat[pos[i]]; gradient scatter-added back. */
export function takeFlat(name: string, x: Tensor, pos: Int32Array, outShape: readonly number[]): Tensor {
  const out = empty(outShape, x.dtype);
  getBackend().embedding(x.data, pos, 1, out.data);
  return record(name, [x], out, (g) => {
    const gx = empty(x.shape, x.dtype);
    scatterAddInto(castTensor(g, x.dtype), pos, gx);
    return [gx];
  }, { saves: [], holds: [new Tensor(pos, [pos.length])] });
}

/** zeros(outShape) with out.flat[pos[i]] += x.flat[i]; gradient gathered back. */
export function putFlat(name: string, x: Tensor, pos: Int32Array, outShape: readonly number[]): Tensor {
  const out = empty(outShape, x.dtype);
  scatterAddInto(x, pos, out);
  return record(name, [x], out, (g) => {
    const gx = empty(x.shape, x.dtype);
    getBackend().embedding(castTensor(g, x.dtype).data, pos, 1, gx.data);
    return [gx];
  }, { saves: [], holds: [new Tensor(pos, [pos.length])] });
}

/**
 * Flat positions in a contiguous tensor of `srcShape` for every element (row-major) of
 * `outShape`, where `coord(d, o)` maps output coordinate o of dim d to the source coordinate.
 * Dims are independent, so each dim's map is tabulated once.
 */
export function mapPositions(srcShape: readonly number[], outShape: readonly number[], coord: (d: number, o: number) => number): Int32Array {
  const nd = outShape.length;
  const tables: Int32Array[] = [];
  let stride = 1;
  const strides = new Array<number>(nd);
  for (let d = nd - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= srcShape[d]!;
  }
  for (let d = 0; d < nd; d++) {
    const t = new Int32Array(outShape[d]!);
    for (let o = 0; o < outShape[d]!; o++) t[o] = coord(d, o) * strides[d]!;
    tables.push(t);
  }
  let n = 1;
  for (const s of outShape) n *= s;
  const pos = new Int32Array(n);
  if (n === 0) return pos;
  const idx = new Array<number>(nd).fill(0);
  let base = 0;
  for (let d = 0; d < nd; d++) base += tables[d]![0]!;
  for (let p = 0; p < n; p++) {
    pos[p] = base;
    for (let d = nd - 1; d >= 0; d--) {
      const t = tables[d]!;
      base -= t[idx[d]!]!;
      idx[d]!++;
      if (idx[d]! < outShape[d]!) {
        base += t[idx[d]!]!;
        break;
      }
      idx[d] = 0;
      base += t[0]!;
    }
  }
  return pos;
}

