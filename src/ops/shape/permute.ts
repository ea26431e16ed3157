// permute / transpose: reorder dimensions. Storage is always contiguous, so this copies with the
// backend's stridedCopy; the backward is the inverse permutation of the gradient.

import { getBackend } from "../../backend/index.js";
import { record } from "../../autograd/index.js";
import { contiguousStrides, fmt, normalizeDim } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { IndexError, ShapeError } from "../../util/errors.js";
import { empty, requireTensor } from "../operand.js";

/** Forward only: out[i0..] = x[...] with out dim k taken from x dim perm[k] (perm normalised). */
function permuteRaw(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((d) => x.shape[d]!);
  if (perm.every((d, i) => d === i)) return new Tensor(x.data, shape); // identity: share storage
  const strides = contiguousStrides(x.shape);
  const out = empty(shape, x.dtype);
  getBackend().stridedCopy(x.data, out.data, {
    shape, srcOffset: 0, srcStrides: perm.map((d) => strides[d]!),
    dstOffset: 0, dstStrides: contiguousStrides(shape), accumulate: false,
  });
  return out;
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
