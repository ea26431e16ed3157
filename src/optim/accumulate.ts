// Gradient accumulation: run forward/backward on micro-batches with each loss scaled by 1/steps,
// so the summed .grad equals the gradient of the mean loss over the whole batch.

import { fmt } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { checkOptionKeys } from "../util/options.js";
import { describeValue } from "../util/describe.js";

export interface AccumulateOptions {
  /** What to divide each micro-batch loss by; defaults to the number of micro-batches. */
  steps?: number;
}

/**
 * For each micro-batch: loss = lossFn(mb, i); (loss / steps).backward(). Gradients add up in
 * .grad (call optimizer.zeroGrad() before, optimizer.step() after). With equal-sized micro-batches
 * and mean-reduced losses the result is the full-batch gradient. Returns the mean unscaled loss.
 */
export function accumulateGradients<B>(
  microBatches: Iterable<B>, lossFn: (microBatch: B, index: number) => Tensor, opts: AccumulateOptions = {},
): number {
  checkOptionKeys("accumulateGradients", opts, ["steps"]);
  if (typeof (microBatches as Iterable<B> | null)?.[Symbol.iterator] !== "function") {
    throw new ValueError(`accumulateGradients: microBatches must be an iterable, got ${describeValue(microBatches)}`);
  }
  if (typeof lossFn !== "function") throw new ValueError(`accumulateGradients: lossFn must be a function, got ${describeValue(lossFn)}`);
  const batches = [...microBatches];
  if (batches.length === 0) throw new ValueError("accumulateGradients: got no micro-batches");
  const steps = opts.steps ?? batches.length;
  if (!Number.isInteger(steps) || steps < 1) throw new ValueError(`accumulateGradients: steps must be a positive integer, got ${String(steps)}`);
  let total = 0;
  batches.forEach((mb, i) => {
    const loss = lossFn(mb, i);
    if (!(loss instanceof Tensor) || loss.numel !== 1) throw new ValueError(`accumulateGradients: lossFn must return a one-element loss, got shape ${fmt(loss.shape)} for micro-batch ${i}`);
    total += loss.item();
    loss.div(steps).backward();
  });
  return total / batches.length;
}
