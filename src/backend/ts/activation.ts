// Reference kernels for the parameterised activations and their derivatives, following
// PyTorch's CPU kernels (thresholds, which side of a kink gets which slope).

import type { ActivationOp, ActivationParams, FloatArray } from "../backend.js";
import { sigmoid } from "./special.js";

export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** PyTorch's hardsigmoid_backward uses the float literal 1.0f/6.0f even for float64. */
const ONE_SIXTH_F32 = Math.fround(1 / 6);

/** log(1 + exp(x)) without overflow. */
function softplus1(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function activationFn(op: ActivationOp, p: ActivationParams): (x: number) => number {
  switch (op) {
    case "silu": return (x) => x / (1 + Math.exp(-x));
    case "softplus": return (x) => (x * p.a > p.b ? x : Math.log1p(Math.exp(x * p.a)) / p.a);
    case "elu": return (x) => (x > 0 ? x : p.a * Math.expm1(x));
    case "selu": return (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x));
    case "celu": return (x) => (x > 0 ? x : p.a * Math.expm1(x / p.a));
    case "mish": return (x) => x * Math.tanh(Math.log1p(Math.exp(x)));
    case "hardswish": return (x) => (x <= -3 ? x * 0 : x >= 3 ? x : (x * (x + 3)) / 6); // -0 below -3, as PyTorch
    case "hardsigmoid": return (x) => (x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6);
    case "hardtanh": return (x) => (x < p.a ? p.a : x > p.b ? p.b : x);
    case "logsigmoid": return (x) => -softplus1(-x);
    case "softsign": return (x) => x / (1 + Math.abs(x));
    default: return op satisfies never;
  }
}

function activationGrad(op: ActivationOp, p: ActivationParams): (x: number, y: number) => number {
  switch (op) {
    case "silu": return (x) => {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 + x * (1 - s));
    };
    case "softplus": return (x) => {
      if (x * p.a > p.b) return 1;
      const z = Math.exp(x * p.a);
      return z / (z + 1);
    };
    case "elu": return (x) => (x > 0 ? 1 : p.a * Math.exp(x));
    case "selu": return (x) => (x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x));
    case "celu": return (x) => (x > 0 ? 1 : Math.exp(x / p.a));
    case "mish": return (x) => {
      const t = Math.tanh(Math.log1p(Math.exp(x)));
      return t + x * sigmoid(x) * (1 - t * t);
    };
    case "hardswish": return (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1);
    case "hardsigmoid": return (x) => (x > -3 && x < 3 ? ONE_SIXTH_F32 : 0);
    case "hardtanh": return (x) => (x > p.a && x < p.b ? 1 : 0);
    case "logsigmoid": return (x) => sigmoid(-x);
    case "softsign": return (x) => {
      const d = 1 + Math.abs(x);
      return 1 / (d * d);
    };
    default: return op satisfies never;
  }
}

export function activation(op: ActivationOp, x: FloatArray, p: ActivationParams, out: FloatArray): void {
  if (op === "silu") { // the LLaMA MLP's activation: an inlined loop, PyTorch's x / (1 + exp(-x))
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v / (1 + Math.exp(-v));
    }
    return;
  }
  const f = activationFn(op, p);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
}

export function activationBackward(op: ActivationOp, x: FloatArray, y: FloatArray, gy: FloatArray, p: ActivationParams, out: FloatArray): void {
  if (op === "silu") {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const s = 1 / (1 + Math.exp(-v));
      out[i] = gy[i]! * s * (1 + v * (1 - s));
    }
    return;
  }
  const d = activationGrad(op, p);
  for (let i = 0; i < x.length; i++) out[i] = gy[i]! * d(x[i]!, y[i]!);
}
