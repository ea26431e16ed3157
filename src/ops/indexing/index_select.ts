// indexSelect: pick whole slices of `dim` by an int32 index. The (outer, size, inner) view makes
// it the backend's embedding gather (cols = inner), and its backward the embedding scatter-add.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { fmt, normalizeDim } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { TypedArray } from "../../util/dtype.js";
import { ShapeError } from "../../util/errors.js";
import { empty, requireTensor } from "../operand.js";
import { splitAround } from "../shape/strides.js";
import { checkIndexRange, requireIndex } from "./validate.js";

/**
 * out (outer, k, inner) from x (outer, size, inner) by idx (k). Few outer rows: one embedding
 * call per row; many: one strided copy per index, so the call count stays min(outer, k).
 */
function selectRaw(x: TypedArray, outer: number, size: number, inner: number, idx: Int32Array, out: TypedArray): void {
  const be = getBackend();
  const k = idx.length;
  if (outer <= k) {
    for (let o = 0; o < outer; o++) {
      be.embedding(x.subarray(o * size * inner, (o + 1) * size * inner), idx, inner,
        out.subarray(o * k * inner, (o + 1) * k * inner));
    }
    return;
  }
  const shape = [outer, inner];
  for (let j = 0; j < k; j++) {
    be.stridedCopy(x, out, {
      shape, srcOffset: idx[j]! * inner, srcStrides: [size * inner, 1],
      dstOffset: j * inner, dstStrides: [k * inner, 1], accumulate: false,
    });
  }
}

/** gx (outer, size, inner) += g (outer, k, inner) scattered by idx; repeated indices add up. */
function selectBackwardRaw(g: FloatArray, outer: number, size: number, inner: number, idx: Int32Array, gx: FloatArray): void {
  const be = getBackend();
  const k = idx.length;
  if (outer <= k) {
    for (let o = 0; o < outer; o++) {
      be.embeddingBackward(g.subarray(o * k * inner, (o + 1) * k * inner), idx, inner,
        gx.subarray(o * size * inner, (o + 1) * size * inner));
    }
    return;
  }
  const shape = [outer, inner];
  for (let j = 0; j < k; j++) {
    be.stridedCopy(g, gx, {
      shape, srcOffset: j * inner, srcStrides: [k * inner, 1],
      dstOffset: idx[j]! * inner, dstStrides: [size * inner, 1], accumulate: true,
    });
  }
}

/** out = x with dim `dim` replaced by x's slices at `index` (int32, 0-d or 1-D). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  requireTensor("indexSelect", x);
  requireIndex("indexSelect", index);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-d or 1-D, got shape ${fmt(index.shape)}`);
  const d = normalizeDim("indexSelect", dim, x.ndim);
  const { outer, size, inner } = splitAround(x.shape, d);
  const idx = index.data as Int32Array;
  checkIndexRange("indexSelect", idx, dim, size, x.shape);
  const shape = x.ndim === 0 ? (index.ndim === 0 ? [] : [idx.length]) : x.shape.map((s, i) => (i === d ? idx.length : s));
  const out = empty(shape, x.dtype);
  selectRaw(x.data, outer, size, inner, idx, out.data);
  return record("indexSelect", [x], out, (g) => {
    const gx = empty(x.shape, g.dtype);
    selectBackwardRaw(g.data as FloatArray, outer, size, inner, idx, gx.data as FloatArray);
    return [gx];
  }, { saves: [index] });
}
