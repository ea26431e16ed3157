// permute / transpose: reorder dimensions. Storage is always contiguous, so this copies with the
// backend's stridedCopy (unless only size-1 dims move); the backward is the inverse permutation.

import { getBackend } from "../../backend/index.js";
import { record } from "../../autograd/index.js";
import { contiguousStrides, fmt, normalizeDim } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { type TypedArray, dtypeOfArray } from "../../util/dtype.js";
import { IndexError, ShapeError } from "../../util/errors.js";
import { requireTensor } from "../operand.js";

/**
 * Raw data of a contiguous `shape` permuted so that out dim k is dim perm[k] (perm normalised),
 * for ops that work on arrays. When the dims larger than 1 keep their order the layout does not
 * change, and `data` itself is returned (shared, not copied).
 */
export function permuteData<T extends TypedArray>(data: T, shape: readonly number[], perm: readonly number[]): T {
  if (keepsLayout(shape, perm)) return data;
  const out = allocateUninit(dtypeOfArray(data), data.length) as T; // the copy writes every element
  const outShape = perm.map((d) => shape[d]!);
  const strides = contiguousStrides(shape);
  getBackend().stridedCopy(data, out, {
    shape: outShape, srcOffset: 0, srcStrides: perm.map((d) => strides[d]!),
    dstOffset: 0, dstStrides: contiguousStrides(outShape), accumulate: false,
  });
  return out;
}

/** True when the permutation moves only size-1 dims, so the row-major order of elements is unchanged. */
function keepsLayout(shape: readonly number[], perm: readonly number[]): boolean {
  let last = -1;
  for (const d of perm) {
    if (shape[d] === 1) continue;
    if (d < last) return false;
    last = d;
  }
  return true;
}

function permuteRaw(x: Tensor, perm: readonly number[]): Tensor {
  return new Tensor(permuteData(x.data, x.shape, perm), perm.map((d) => x.shape[d]!));
}

function recordPermute(name: string, x: Tensor, perm: readonly number[]): Tensor {
  const out = permuteRaw(x, perm);
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => (inverse[d] = i));
  return record(name, [x], out, (g) => [permuteRaw(g, inverse)], { saves: [] });
}

/** Reorder dims: out.shape[k] = x.shape[dims[k]]. dims must list every dim once (negatives allowed). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  requireTensor("permute", x);
  if (!Array.isArray(dims) || dims.length !== x.ndim) {
    throw new ShapeError(
      `permute: dims ${Array.isArray(dims) ? `[${dims.join(",")}]` : String(dims)} must list all ${x.ndim} dimensions of the input ${fmt(x.shape)}`,
    );
  }
  const perm = dims.map((d) => normalizeDim("permute", d, x.ndim));
  if (new Set(perm).size !== perm.length) {
    throw new IndexError(`permute: dims [${dims.join(",")}] repeat a dimension (input shape ${fmt(x.shape)})`);
  }
  return recordPermute("permute", x, perm);
}

/** Swap two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  requireTensor("transpose", x);
  const a = normalizeDim("transpose", dim0, x.ndim);
  const b = normalizeDim("transpose", dim1, x.ndim);
  const perm = Array.from({ length: x.ndim }, (_, i) => (i === a ? b : i === b ? a : i));
  return recordPermute("transpose", x, perm);
}
