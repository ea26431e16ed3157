// `descent demo accumulation`: a batch of 32 split into k micro-batches. Backward on each
// micro-batch loss divided by k (optim.accumulateGradients) adds up to exactly the full batch's
// gradient; without the 1/k the accumulated gradient is k times too large.

import { manualSeed, randint, randn, type Tensor } from "../../index.js";
import * as nn from "../../nn/index.js";
import * as optim from "../../optim/index.js";
import { UsageError } from "../errors.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface AccumulationDemoOptions {
  json?: boolean;
}

export interface AccumulationRow {
  microBatches: number;
  microBatchSize: number;
  /** max |g_accumulated − g_full| over every parameter, with each loss divided by k. */
  maxDiffScaled: number;
  /** ‖g_accumulated‖ / ‖g_full‖ without the division: k. */
  normRatioUnscaled: number;
}

export interface AccumulationDemoResult {
  batchSize: number;
  fullGradNorm: number;
  rows: AccumulationRow[];
}

const BATCH = 32;

function gradients(model: nn.Module): Float64Array[] {
  return model.parameters().map((p) => Float64Array.from(p.grad!.data));
}

export function accumulationDemoResult(): AccumulationDemoResult {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(8, 16, { dtype: "float64" }), new nn.GELU(), new nn.Linear(16, 4, { dtype: "float64" }));
  const x = randn([BATCH, 8], { dtype: "float64" });
  const y = randint(0, 4, [BATCH]);
  const lossOf = (mb: { x: Tensor; y: Tensor }): Tensor => nn.functional.crossEntropy(model.forward(mb.x), mb.y);
  const zero = (): void => model.zeroGrad();

  zero();
  lossOf({ x, y }).backward();
  const full = gradients(model);
  const fullNorm = Math.hypot(...full.flatMap((g) => Array.from(g)));

  const rows = [2, 4, 8, 32].map((k) => {
    if (BATCH % k !== 0) throw new UsageError(`accumulation demo: ${BATCH} is not divisible by ${k}`);
    const size = BATCH / k;
    const micro = Array.from({ length: k }, (_, i) => ({ x: x.narrow(0, i * size, size), y: y.narrow(0, i * size, size) }));
    zero();
    optim.accumulateGradients(micro, lossOf);
    const scaled = gradients(model);
    zero();
    optim.accumulateGradients(micro, lossOf, { steps: 1 }); // no division: plain sum of micro-batch gradients
    const unscaled = gradients(model);
    let maxDiff = 0;
    scaled.forEach((g, i) => g.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - full[i]![j]!)))));
    const unscaledNorm = Math.hypot(...unscaled.flatMap((g) => Array.from(g)));
    return { microBatches: k, microBatchSize: size, maxDiffScaled: maxDiff, normRatioUnscaled: unscaledNorm / fullNorm };
  });
  return { batchSize: BATCH, fullGradNorm: fullNorm, rows };
}

export function formatAccumulationDemo(r: AccumulationDemoResult): string {
  return [
    `Gradient accumulation: one batch of ${r.batchSize} (MLP 8-16-4, cross-entropy, float64), ‖full-batch gradient‖ = ${r.fullGradNorm.toFixed(6)}`,
    "",
    ...columns([
      ["micro-batches k", "size each", "loss / k: max |g − g_full|", "no scaling: ‖g‖ / ‖g_full‖"],
      ...r.rows.map((row) => [String(row.microBatches), String(row.microBatchSize), row.maxDiffScaled.toExponential(2), row.normRatioUnscaled.toFixed(6)]),
    ], { headerRule: true, indent: "  ", align: ["right", "right", "right", "right"] }),
    "",
    "Each micro-batch loss is a mean over its own examples, so dividing it by k makes the summed",
    "gradients the mean over the whole batch: the same gradient (to rounding) with 1/k of the",
    "activations in memory at a time. Forget the division and the gradient is k times too large,",
    "which silently multiplies the learning rate by k (Adam hides it, SGD does not).",
  ].join("\n");
}

export const accumulationDemo = defineDemo<AccumulationDemoOptions>({
  name: "accumulation",
  section: "Gradient accumulation",
  summary: "k micro-batches with the loss scaled by 1/k equal one big batch; without it, k× too large",
  options: [jsonOption],
  run: (o) => jsonOrText(accumulationDemoResult(), o.json, formatAccumulationDemo),
});
