// layerNorm over the trailing `normalizedShape` dims on the backend's fused kernels:
// x viewed as (R, C) with C = prod(normalizedShape); gradients for x, weight and bias.

import { autocastFloat32 } from "../autocast.js";
import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { fmt, numel, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { allocate, promoteTypes } from "../../util/dtype.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, requireFloat, requireTensor } from "../operand.js";

function checkParam(name: string, p: Tensor, normalizedShape: readonly number[]): void {
  requireTensor("layerNorm", p, name);
  requireFloat("layerNorm", p, name);
  if (!shapesEqual(p.shape, normalizedShape)) {
    throw new ShapeError(`layerNorm: ${name} must have shape ${fmt(normalizedShape)} (normalizedShape), got ${fmt(p.shape)}`);
  }
}

/** (x - mean) / sqrt(var + eps) * weight + bias over the last normalizedShape.length dims (biased variance). */
export function layerNorm(
  x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5,
): Tensor {
  requireTensor("layerNorm", x);
  requireFloat("layerNorm", x);
  if (!Array.isArray(normalizedShape) || normalizedShape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ValueError(`layerNorm: normalizedShape must be an array of non-negative integers, got ${JSON.stringify(normalizedShape)}`);
  }
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new ShapeError(
      `layerNorm: normalizedShape ${fmt(normalizedShape)} must be non-empty and match the trailing dimensions of the input ${fmt(x.shape)}`,
    );
  }
  if (weight) checkParam("weight", weight, normalizedShape);
  if (bias) checkParam("bias", bias, normalizedShape);
  if (typeof eps !== "number" || !(eps >= 0)) throw new ValueError(`layerNorm: eps must be a non-negative number, got ${eps}`);
  x = autocastFloat32(x); // autocast: runs in float32
  weight = autocastFloat32(weight);
  bias = autocastFloat32(bias);

  let dtype = x.dtype;
  if (weight) dtype = promoteTypes(dtype, weight.dtype);
  if (bias) dtype = promoteTypes(dtype, bias.dtype);
  const X = castTensor(x, dtype);
  const W = weight ? (castTensor(weight, dtype).data as FloatArray) : null;
  const B = bias ? (castTensor(bias, dtype).data as FloatArray) : null;
  const cols = numel(normalizedShape);
  const rows = cols === 0 ? 0 : x.numel / cols;
  const out = allocateUninit(dtype, x.numel) as FloatArray;
  const mean = allocateUninit(dtype, rows) as FloatArray; // every row's statistics are written
  const rstd = allocateUninit(dtype, rows) as FloatArray;
  const be = getBackend();
  if (rows > 0) be.layerNorm(X.data as FloatArray, W, B, rows, cols, eps, out, mean, rstd);

  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return record("layerNorm", inputs, new Tensor(out, x.shape), (g, needs) => {
    const G = castTensor(g, dtype).data as FloatArray;
    const gx = allocateUninit(dtype, x.numel) as FloatArray;
    const gw = weight && needs[1] ? (allocate(dtype, cols) as FloatArray) : null; // accumulated into: starts at 0
    const gb = bias && needs[weight ? 2 : 1] ? (allocate(dtype, cols) as FloatArray) : null;
    if (rows > 0) be.layerNormBackward(X.data as FloatArray, W, mean, rstd, G, rows, cols, gx, gw, gb);
    const grads: (Tensor | null)[] = [needs[0] ? new Tensor(gx, x.shape) : null];
    if (weight) grads.push(gw ? new Tensor(gw, weight.shape) : null);
    if (bias) grads.push(gb ? new Tensor(gb, bias.shape) : null);
    return grads;
  }, { saves: weight ? [x, weight] : [x], holds: [X], privates: [new Tensor(mean, [rows]), new Tensor(rstd, [rows])] }); // the bias gradient reads no data
}
