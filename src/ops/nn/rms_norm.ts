// rmsNorm over the trailing `normalizedShape` dims (torch.nn.functional.rms_norm, PyTorch >= 2.4):
// y = x / sqrt(mean(x², trailing dims) + eps) * weight, on the backend's fused kernels with x
// viewed as (R, C), C = prod(normalizedShape). Forward and backward side by side.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { fmt, numel, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { type DType, allocate, promoteTypes } from "../../util/dtype.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, requireFloat, requireTensor } from "../operand.js";

const OP = "rmsNorm";

/** torch.finfo(dtype).eps of the dtype the norm is computed in (PyTorch's default eps). */
export function machineEpsilon(dtype: DType): number {
  return dtype === "float64" ? Number.EPSILON : 2 ** -23;
}

/**
 * x * rsqrt(mean(x², last normalizedShape.length dims) + eps) * weight. `eps` null/undefined
 * means torch.finfo(x.dtype).eps, as in PyTorch; LLaMA passes 1e-5 or 1e-6 explicitly.
 */
export function rmsNorm(
  x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, eps?: number | null,
): Tensor {
  requireTensor(OP, x);
  requireFloat(OP, x);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ValueError(`${OP}: normalizedShape must be a non-negative integer or an array of them, got ${JSON.stringify(normalizedShape)}`);
  }
  const k = shape.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), shape)) {
    throw new ShapeError(
      `${OP}: normalizedShape ${fmt(shape)} must be non-empty and match the trailing dimensions of the input ${fmt(x.shape)}`,
    );
  }
  if (weight) {
    requireTensor(OP, weight, "weight");
    requireFloat(OP, weight, "weight");
    if (!shapesEqual(weight.shape, shape)) {
      throw new ShapeError(`${OP}: weight must have shape ${fmt(shape)} (normalizedShape), got ${fmt(weight.shape)}`);
    }
  }
  const dtype = weight ? promoteTypes(x.dtype, weight.dtype) : x.dtype;
  const epsilon = eps ?? machineEpsilon(x.dtype);
  if (typeof epsilon !== "number" || !(epsilon >= 0) || epsilon === Infinity) {
    throw new ValueError(`${OP}: eps must be a finite non-negative number or null, got ${String(eps)}`);
  }

  const xc = castTensor(x, dtype), wc = weight ? castTensor(weight, dtype) : null;
  const X = xc.data as FloatArray;
  const W = wc ? (wc.data as FloatArray) : null;
  const cols = numel(shape);
  const rows = cols === 0 ? 0 : x.numel / cols;
  const out = allocateUninit(dtype, x.numel) as FloatArray; // the kernels write every element
  const rstd = allocateUninit(dtype, rows) as FloatArray;
  const be = getBackend();
  if (rows > 0) be.rmsNorm(X, W, rows, cols, epsilon, out, rstd);

  const inputs = weight ? [x, weight] : [x];
  return record(OP, inputs, new Tensor(out, x.shape), (g, needs) => {
    const G = castTensor(g, dtype).data as FloatArray;
    const gx = needs[0] ? (allocateUninit(dtype, x.numel) as FloatArray) : null;
    const gw = weight && needs[1] ? (allocate(dtype, cols) as FloatArray) : null; // accumulated into: starts at 0
    if (rows > 0) be.rmsNormBackward(X, W, rstd, G, rows, cols, gx, gw);
    const grads: (Tensor | null)[] = [gx ? new Tensor(gx, x.shape) : null];
    if (weight) grads.push(gw ? new Tensor(gw, weight.shape) : null);
    return grads;
  }, { holds: [xc, ...(wc ? [wc] : []), new Tensor(rstd, [rows])] }); // the cast copies (if any) and rstd
}
