// Gradient clipping (PyTorch semantics): clipGradNorm scales all gradients together when their
// total norm is too large; clipGradValue clamps each gradient element.

import { Tensor } from "../tensor/tensor.js";
import { castTo } from "../autograd/grad_utils.js";
import { isHalf } from "../util/dtype.js";
import { ValueError } from "../util/errors.js";
import { checkOptionKeys } from "../util/options.js";
import { describeValue } from "../util/describe.js";

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  if (!(params instanceof Tensor) && typeof (params as Iterable<Tensor> | null)?.[Symbol.iterator] !== "function") {
    throw new ValueError(`${op}: params must be a Tensor or an iterable of Tensors, got ${describeValue(params)}`);
  }
  const list = params instanceof Tensor ? [params] : [...params];
  const out: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(`${op}: params[${i}] is ${describeValue(p)}, expected a Tensor`);
    if (p.grad) out.push(p.grad);
  });
  return out;
}

export interface ClipGradNormOptions {
  /** p of the p-norm; Infinity for the max-abs norm. Default 2. */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it. */
  errorIfNonfinite?: boolean;
}

/**
 * Total norm of all gradients (as if concatenated), accumulated in float64. When it exceeds
 * maxNorm the gradients are scaled in place by maxNorm / (total + 1e-6). Returns the total norm.
 * A NaN total leaves the gradients as they are (PyTorch multiplies them all by NaN); pass
 * errorIfNonfinite to fail instead.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, opts: ClipGradNormOptions = {}): number {
  checkOptionKeys("clipGradNorm", opts, ["normType", "errorIfNonfinite"]);
  const normType = opts.normType ?? 2;
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new ValueError(`clipGradNorm: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  }
  if (typeof normType !== "number" || Number.isNaN(normType) || normType <= 0) {
    throw new ValueError(`clipGradNorm: normType must be > 0 or Infinity, got ${String(normType)}`);
  }
  const [grads, writeBack] = widened(gradsOf("clipGradNorm", params));
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    // Math.max returns NaN when either argument is NaN, so a NaN gradient makes the total NaN.
    for (const g of grads) for (let i = 0; i < g.data.length; i++) total = Math.max(total, Math.abs(g.data[i]!));
  } else if (normType === 2) {
    for (const g of grads) for (let i = 0; i < g.data.length; i++) total += g.data[i]! * g.data[i]!;
    total = Math.sqrt(total);
  } else {
    for (const g of grads) for (let i = 0; i < g.data.length; i++) total += Math.pow(Math.abs(g.data[i]!), normType);
    total = Math.pow(total, 1 / normType);
  }
  if (!Number.isFinite(total) && opts.errorIfNonfinite) {
    throw new ValueError(`clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of grads) for (let i = 0; i < g.data.length; i++) g.data[i] = g.data[i]! * coef;
    writeBack();
  }
  return total;
}

/** Clamp every gradient element into [-clipValue, clipValue] in place. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== "number" || !(clipValue >= 0)) {
    throw new ValueError(`clipGradValue: clipValue must be a number >= 0, got ${String(clipValue)}`);
  }
  const [grads, writeBack] = widened(gradsOf("clipGradValue", params));
  for (const g of grads) {
    for (let i = 0; i < g.data.length; i++) {
      const v = g.data[i]!;
      g.data[i] = v > clipValue ? clipValue : v < -clipValue ? -clipValue : v;
    }
  }
  writeBack();
}

/** float16/bfloat16 gradients hold bit patterns: work on float32 copies and round them back after. */
function widened(grads: Tensor[]): [Tensor[], () => void] {
  if (!grads.some((g) => isHalf(g.dtype))) return [grads, () => {}];
  const wide = grads.map((g) => (isHalf(g.dtype) ? castTo(g, "float32") : g));
  return [wide, () => grads.forEach((g, i) => { if (wide[i] !== g) g.data.set(castTo(wide[i]!, g.dtype).data); })];
}
