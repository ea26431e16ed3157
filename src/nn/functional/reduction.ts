// Applying a loss reduction ("mean" | "sum" | "none") to an unreduced loss tensor.

import { mean, sum } from "../../ops/reduce.js";
import { type Reduction, checkReduction } from "../../ops/nn/class_targets.js";
import type { Tensor } from "../../tensor/tensor.js";

export type { Reduction } from "../../ops/nn/class_targets.js";

export { checkReduction };

/** Reduce with an already validated reduction (validate first with checkReduction, before computing). */
export function applyReduction(loss: Tensor, r: Reduction): Tensor {
  if (r === "none") return loss;
  return r === "sum" ? sum(loss) : mean(loss);
}
