// Activations beyond relu/gelu/tanh/sigmoid: silu softplus elu selu celu mish hardswish
// hardsigmoid relu6 hardtanh logsigmoid softsign softmin. Each runs the backend's activation kernel
// forward and its derivative backward (PyTorch's slopes at the kinks). Float inputs, except
// hardtanh/relu6, which clamp int32 like PyTorch (no gradient for integers).

import { getBackend } from "../backend/index.js";
import type { ActivationOp, ActivationParams, FloatArray } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { normalizeDim } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { binaryForward } from "./binary.js";
import { neg } from "./unary.js";
import { softmax } from "./nn/softmax.js";
import { castTensor, empty, requireFloat, requireTensor } from "./operand.js";

function activationOp(op: ActivationOp, name: string, x: Tensor, p: ActivationParams = { a: 0, b: 0 }): Tensor {
  requireTensor(name, x);
  requireFloat(name, x);
  const out = empty(x.shape, x.dtype);
  getBackend().activation(op, x.data as FloatArray, p, out.data as FloatArray);
  return record(name, [x], out, (g) => {
    const gx = empty(x.shape, x.dtype);
    getBackend().activationBackward(op, x.data as FloatArray, out.data as FloatArray, castTensor(g, x.dtype).data as FloatArray, p, gx.data as FloatArray);
    return [gx];
  }, { holds: [out] }); // the rule reads the output too
}

function requireNumber(name: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new ValueError(`${name}: ${arg} must be a number, got ${String(v)}`);
  return v;
}

/** x·sigmoid(x) (also called swish). */
export const silu = (x: Tensor): Tensor => activationOp("silu", "silu", x);

/** log(1 + exp(βx))/β, and x itself where βx > threshold (PyTorch's defaults β = 1, threshold = 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  requireNumber("softplus", "beta", beta);
  requireNumber("softplus", "threshold", threshold);
  return activationOp("softplus", "softplus", x, { a: beta, b: threshold });
}

/** x for x > 0, α(exp(x) - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activationOp("elu", "elu", x, { a: requireNumber("elu", "alpha", alpha), b: 0 });
}

/** scale·elu(x, α) with the self-normalising constants α ≈ 1.6733, scale ≈ 1.0507. */
export const selu = (x: Tensor): Tensor => activationOp("selu", "selu", x);

/** max(0, x) + min(0, α(exp(x/α) - 1)); α must not be 0. */
export function celu(x: Tensor, alpha = 1): Tensor {
  requireNumber("celu", "alpha", alpha);
  if (alpha === 0) throw new ValueError("celu: alpha must not be 0 (it divides x)");
  return activationOp("celu", "celu", x, { a: alpha, b: 0 });
}

/** x·tanh(softplus(x)). */
export const mish = (x: Tensor): Tensor => activationOp("mish", "mish", x);

/** x·relu6(x + 3)/6. */
export const hardswish = (x: Tensor): Tensor => activationOp("hardswish", "hardswish", x);

/** relu6(x + 3)/6. */
export const hardsigmoid = (x: Tensor): Tensor => activationOp("hardsigmoid", "hardsigmoid", x);

/**
 * x clamped into [minVal, maxVal]. Unlike clamp, the gradient is 0 at the two edges themselves
 * (PyTorch's hardtanh_backward passes it only strictly inside).
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1, name = "hardtanh"): Tensor {
  requireTensor(name, x);
  requireNumber(name, "minVal", minVal);
  requireNumber(name, "maxVal", maxVal);
  if (minVal > maxVal) throw new ValueError(`${name}: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  if (x.dtype === "int32") return binaryForward("minimum", binaryForward("maximum", x, minVal)[2], maxVal)[2];
  return activationOp("hardtanh", name, x, { a: minVal, b: maxVal });
}

/** min(max(x, 0), 6) = hardtanh(x, 0, 6). */
export const relu6 = (x: Tensor): Tensor => hardtanh(x, 0, 6, "relu6");

/** log(sigmoid(x)), computed without overflow. */
export const logsigmoid = (x: Tensor): Tensor => activationOp("logsigmoid", "logsigmoid", x);

/** x / (1 + |x|). */
export const softsign = (x: Tensor): Tensor => activationOp("softsign", "softsign", x);

/** softmax(-x) along `dim`. */
export function softmin(x: Tensor, dim: number): Tensor {
  requireTensor("softmin", x);
  if (typeof dim !== "number") throw new ValueError(`softmin: dim must be a number, got ${String(dim)}`);
  normalizeDim("softmin", dim, x.ndim);
  requireFloat("softmin", x);
  return softmax(neg(x), dim);
}
