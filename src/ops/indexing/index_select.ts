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
 * Move slices between `full` (outer, size, inner) and `picked` (outer, k, inner), picked[:, j] being
 * full[:, idx[j]]: gather full -> picked (forward), or with `scatter` add picked into full
 * (backward; repeated indices add up). Few outer rows: one embedding kernel call per row; many:
 * one strided copy per index, so the call count stays min(outer, k).
 */
function moveSlices(
  full: TypedArray, picked: TypedArray, outer: number, size: number, inner: number, idx: Int32Array, scatter: boolean,
): void {
  const be = getBackend();
  const k = idx.length;
  if (outer <= k) {
    for (let o = 0; o < outer; o++) {
      const f = full.subarray(o * size * inner, (o + 1) * size * inner);
      const p = picked.subarray(o * k * inner, (o + 1) * k * inner);
      if (scatter) be.embeddingBackward(p as FloatArray, idx, inner, f as FloatArray);
      else be.embedding(f, idx, inner, p);
    }
    return;
  }
  const shape = [outer, inner];
  for (let j = 0; j < k; j++) {
    const f = { offset: idx[j]! * inner, strides: [size * inner, 1] }; // full[:, idx[j]]
    const p = { offset: j * inner, strides: [k * inner, 1] }; // picked[:, j]
    const [from, to] = scatter ? [p, f] : [f, p];
    be.stridedCopy(scatter ? picked : full, scatter ? full : picked, {
      shape, srcOffset: from.offset, srcStrides: from.strides, dstOffset: to.offset, dstStrides: to.strides, accumulate: scatter,
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
  moveSlices(x.data, out.data, outer, size, inner, idx, false);
  return record("indexSelect", [x], out, (g) => {
    const gx = empty(x.shape, g.dtype);
    moveSlices(gx.data, g.data, outer, size, inner, idx, true);
    return [gx];
  }, { saves: [index] });
}
