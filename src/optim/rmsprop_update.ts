// The pure RMSprop update over flat arrays (PyTorch's single-tensor path), written once here so
// a fused native kernel can replace it later; the RMSprop class only manages state.

import type { FloatArray } from "../backend/backend.js";

// A type alias (not an interface) so it satisfies the optimizer's indexable Hyper constraint.
export type RmspropParams = {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
};

/**
 * In place: sq <- alpha sq + (1 - alpha) g^2; centered: ga <- alpha ga + (1 - alpha) g and
 * avg = sqrt(sq - ga^2), else avg = sqrt(sq); avg += eps; momentum: buf <- mu buf + g / avg,
 * w -= lr buf; otherwise w -= lr g / avg. L2 weight decay is added to g first.
 */
export function rmspropUpdate(
  param: FloatArray, grad: FloatArray, squareAvg: FloatArray, gradAvg: FloatArray | null, momentumBuf: FloatArray | null,
  p: RmspropParams,
): void {
  const { lr, alpha, eps, weightDecay, momentum, centered } = p;
  const a1 = 1 - alpha;
  for (let i = 0; i < param.length; i++) {
    let g = grad[i]!;
    if (weightDecay !== 0) g += weightDecay * param[i]!;
    const sq = squareAvg[i]! * alpha + a1 * g * g;
    squareAvg[i] = sq;
    let avg: number;
    if (centered && gradAvg) {
      const ga = gradAvg[i]! * alpha + a1 * g;
      gradAvg[i] = ga;
      avg = Math.sqrt(sq - ga * ga);
    } else {
      avg = Math.sqrt(sq);
    }
    avg += eps;
    if (momentum > 0 && momentumBuf) {
      const b = momentumBuf[i]! * momentum + g / avg;
      momentumBuf[i] = b;
      param[i] = param[i]! - lr * b;
    } else {
      param[i] = param[i]! - lr * (g / avg);
    }
  }
}
