// gather / scatterAdd (torch.gather, out-of-place torch.scatter_add): elementwise indexing along
// one dim. Flat element positions are computed once (which also validates), then the backend's
// embedding kernels with cols = 1 do the gather and the scatter-add (each other's backward).

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { contiguousStrides, fmt, normalizeDim, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { DTypeError, ShapeError } from "../../util/errors.js";
import { empty, requireTensor } from "../operand.js";
import { checkIndexRange, requireIndex } from "./validate.js";

/**
 * For every element of an index-shaped grid (row-major), its flat position in a contiguous
 * tensor of `shape`: coordinates are the grid's own, except along `d` where `idx` gives it
 * (or, with idx null, the grid coordinate itself).
 */
export function flatPositions(shape: readonly number[], grid: readonly number[], d: number, idx: Int32Array | null): Int32Array {
  const strides = contiguousStrides(shape);
  const nd = grid.length;
  let n = 1;
  for (const s of grid) n *= s;
  const out = new Int32Array(n);
  const m = new Array<number>(nd).fill(0);
  const sd = nd === 0 ? 0 : strides[d]!;
  let base = 0; // sum over k != d of m[k] * strides[k]
  for (let p = 0; p < n; p++) {
    out[p] = base + (idx ? idx[p]! : m[d]!) * sd;
    for (let k = nd - 1; k >= 0; k--) {
      m[k]!++;
      if (k !== d) base += strides[k]!;
      if (m[k]! < grid[k]!) break;
      if (k !== d) base -= strides[k]! * grid[k]!;
      m[k] = 0;
    }
  }
  return out;
}

/** index must have x's ndim and fit inside `limit` on every dim other than `d` (all dims when d < 0). */
export function checkGrid(op: string, index: Tensor, limit: Tensor, limitName: string, d: number, dim: number): void {
  const fits = index.ndim === limit.ndim && index.shape.every((s, k) => k === d || s <= limit.shape[k]!);
  if (!fits) {
    const where = d >= 0 ? `on every dimension except dimension ${dim}` : "on every dimension";
    throw new ShapeError(
      `${op}: index of shape ${fmt(index.shape)} does not fit ${limitName} of shape ${fmt(limit.shape)}: it needs the same number of dimensions and sizes no larger ${where}`,
    );
  }
}

function sizeAlong(t: Tensor, d: number): number {
  return t.ndim === 0 ? 1 : t.shape[d]!;
}

/** out[..., j, ...] = x[..., index[..., j, ...], ...] along `dim`; out has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  requireTensor("gather", x);
  requireIndex("gather", index);
  const d = normalizeDim("gather", dim, x.ndim);
  checkGrid("gather", index, x, "input", d, dim);
  checkIndexRange("gather", index.data as Int32Array, dim, sizeAlong(x, d), x.shape);
  const flat = flatPositions(x.shape, index.shape, d, index.data as Int32Array);
  const out = empty(index.shape, x.dtype);
  getBackend().embedding(x.data, flat, 1, out.data);
  const xShape = x.shape; // not x: the closure would keep its storage alive
  return record("gather", [x], out, (g) => {
    const gx = empty(xShape, g.dtype);
    getBackend().embeddingBackward(g.data as FloatArray, flat, 1, gx.data as FloatArray); // repeated indices add up
    return [gx];
  }, { saves: [], holds: [new Tensor(flat, [flat.length])] }); // the flat positions (int32, index-shaped)
}

/**
 * out = x, then out[..., index[..., j, ...], ...] += src[..., j, ...] along `dim` (out-of-place
 * torch.scatter_add). Only src's index-shaped leading block is used. Differentiable in x and src.
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  requireTensor("scatterAdd", x);
  requireTensor("scatterAdd", src, "src");
  requireIndex("scatterAdd", index);
  if (src.dtype !== x.dtype) throw new DTypeError(`scatterAdd: src has dtype ${src.dtype} but the input has dtype ${x.dtype}; they must match`);
  const d = normalizeDim("scatterAdd", dim, x.ndim);
  checkGrid("scatterAdd", index, x, "input", d, dim);
  checkGrid("scatterAdd", index, src, "src", -1, dim);
  checkIndexRange("scatterAdd", index.data as Int32Array, dim, sizeAlong(x, d), x.shape);
  const dst = flatPositions(x.shape, index.shape, d, index.data as Int32Array);
  const whole = shapesEqual(src.shape, index.shape);
  const srcPos = whole ? null : flatPositions(src.shape, index.shape, d, null);
  const be = getBackend();
  let picked = src.data;
  if (srcPos) {
    picked = empty(index.shape, src.dtype).data;
    be.embedding(src.data, srcPos, 1, picked);
  }
  const out = new Tensor(x.data.slice(), x.shape);
  if (out.data instanceof Int32Array) {
    for (let i = 0; i < dst.length; i++) out.data[dst[i]!]! += picked[i]!; // the scatter-add kernel is float-only
  } else if (out.data instanceof Uint8Array) {
    for (let i = 0; i < dst.length; i++) out.data[dst[i]!]! |= picked[i]!; // bool addition is logical or
  } else {
    be.embeddingBackward(picked as FloatArray, dst, 1, out.data as FloatArray);
  }
  const indexShape = index.shape, srcShape = src.shape; // not the tensors: the closure would keep them alive
  return record("scatterAdd", [x, src], out, (g, needs) => {
    let gsrc: Tensor | null = null;
    if (needs[1]) {
      const gathered = empty(indexShape, g.dtype);
      be.embedding(g.data, dst, 1, gathered.data);
      if (srcPos) {
        gsrc = empty(srcShape, g.dtype); // zeros where src was not used
        be.embeddingBackward(gathered.data as FloatArray, srcPos, 1, gsrc.data as FloatArray);
      } else gsrc = gathered;
    }
    return [needs[0] ? g : null, gsrc];
  }, { saves: [], holds: [dst, ...(srcPos ? [srcPos] : [])].map((p) => new Tensor(p, [p.length])) }); // positions computed in the forward pass
}
