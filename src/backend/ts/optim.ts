// Reference optimizer updates over flat buffers, following PyTorch's single-tensor code paths.

import type { AdamParams, AdamTensorUpdate, FloatArray, SgdParams } from "../backend.js";

export function adamUpdate(
  param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, p: AdamParams,
): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, step, gradScale } = p;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = lr / bc1;
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const w1 = 1 - beta1;
  for (let i = 0; i < param.length; i++) {
    let g = gradScale === 1 ? grad[i]! : grad[i]! / gradScale;
    let w = param[i]!;
    if (weightDecay !== 0) {
      if (decoupled) w *= decay;
      else g += weightDecay * w;
    }
    // torch lerp: weight < 0.5 uses self + w*(end - self)
    const mi = w1 < 0.5 ? m[i]! + w1 * (g - m[i]!) : g - (g - m[i]!) * (1 - w1);
    const vi = v[i]! * beta2 + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let vhat = vi;
    if (vmax) {
      const mx = Math.max(vmax[i]!, vi);
      vmax[i] = mx;
      vhat = mx;
    }
    const denom = Math.sqrt(vhat) / bc2Sqrt + eps;
    param[i] = w - stepSize * (mi / denom);
  }
}

export function adamUpdateMany(updates: readonly AdamTensorUpdate[]): void {
  for (const u of updates) adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
}

export function sgdUpdate(param: FloatArray, grad: FloatArray, buf: FloatArray | null, p: SgdParams): void {
  const { lr, momentum, dampening, nesterov, weightDecay, firstStep } = p;
  for (let i = 0; i < param.length; i++) {
    let g = grad[i]!;
    if (weightDecay !== 0) g += weightDecay * param[i]!;
    if (buf && momentum !== 0) {
      const b = firstStep ? g : buf[i]! * momentum + (1 - dampening) * g;
      buf[i] = b;
      g = nesterov ? g + momentum * b : b;
    }
    param[i] = param[i]! - lr * g;
  }
}
