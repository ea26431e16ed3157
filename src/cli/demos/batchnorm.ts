// `descent demo batchnorm`: BatchNorm's backward flows through the batch mean and variance, so
// every sample's gradient depends on the others. Compare the full gradient (as nn.BatchNorm1d
// computes it) with one where the statistics are detached, and with LayerNorm, whose statistics
// are per token: there, one sample's loss has no gradient on another sample's input.

import { type Tensor, tensor } from "../../index.js";
import * as nn from "../../nn/index.js";
import { columns, matrixLines } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface BatchnormDemoResult {
  x: number[][];
  /** dL/dx through the batch statistics, from nn.BatchNorm1d. */
  gradFull: number[][];
  /** The same from hand-written ops, to check the layer. */
  gradFullByOps: number[][];
  /** dL/dx with mean and variance detached (treated as constants). */
  gradDetached: number[][];
  maxAbsDiff: number;
  /** Σ over the batch of dL/dx per feature: 0 through the statistics (shifting all x changes nothing). */
  columnSumsFull: number[];
  columnSumsDetached: number[];
  /** ‖∂L₀/∂x_n‖ for samples n = 1.. where L₀ is sample 0's loss only. */
  crossSampleBatchNorm: number[];
  crossSampleLayerNorm: number[];
}

const EPS = 1e-5;
const X = [[1.0, 2.0, -1.0], [0.5, -0.5, 3.0], [2.0, 1.0, 0.0], [-1.0, 0.0, 1.0]];
const R = [[0.3, -0.2, 0.5], [0.1, 0.4, -0.3], [-0.6, 0.2, 0.1], [0.2, -0.1, 0.7]];

const f64 = (v: number[][], requiresGrad = false): Tensor => tensor(v, { dtype: "float64", requiresGrad });
const rows = (t: Tensor): number[][] => t.toArray() as number[][];

/** (x − mean) / sqrt(var + eps) over the batch dim, optionally with the statistics detached. */
function batchNormByOps(x: Tensor, detachStats: boolean): Tensor {
  let mean = x.mean(0, true);
  let variance = x.sub(mean).pow(2).mean(0, true); // biased, as BatchNorm normalises with
  if (detachStats) {
    mean = mean.detach();
    variance = variance.detach();
  }
  return x.sub(mean).div(variance.add(EPS).sqrt());
}

function gradOf(fn: (x: Tensor) => Tensor, weights: number[][]): Tensor {
  const x = f64(X, true);
  fn(x).mul(f64(weights)).sum().backward();
  return x.grad!;
}

/** ‖∂L₀/∂x_n‖ for n ≥ 1, where L₀ weights only sample 0's outputs. */
function crossSample(fn: (x: Tensor) => Tensor): number[] {
  const only0 = R.map((r, i) => (i === 0 ? r : r.map(() => 0)));
  const g = rows(gradOf(fn, only0));
  return g.slice(1).map((r) => Math.hypot(...r));
}

export function batchnormDemoResult(): BatchnormDemoResult {
  const bn = new nn.BatchNorm1d(3, { dtype: "float64", eps: EPS });
  const full = rows(gradOf((x) => bn.forward(x), R));
  const byOps = rows(gradOf((x) => batchNormByOps(x, false), R));
  const detached = rows(gradOf((x) => batchNormByOps(x, true), R));
  let maxAbsDiff = 0;
  full.forEach((r, i) => r.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - detached[i]![j]!)))));
  const colSums = (g: number[][]): number[] => g[0]!.map((_, j) => g.reduce((a, r) => a + r[j]!, 0));
  return {
    x: X,
    gradFull: full,
    gradFullByOps: byOps,
    gradDetached: detached,
    maxAbsDiff,
    columnSumsFull: colSums(full),
    columnSumsDetached: colSums(detached),
    crossSampleBatchNorm: crossSample((x) => batchNormByOps(x, false)),
    crossSampleLayerNorm: crossSample((x) => nn.functional.layerNorm(x, [3], null, null, EPS)),
  };
}

const fmtSum = (v: number): string => (Math.abs(v) < 1e-12 ? "0" : v.toFixed(6));

export function formatBatchnormDemo(r: BatchnormDemoResult): string {
  return [
    "L = Σ R ⊙ BatchNorm(x) for a batch of 4 samples × 3 features (training mode, float64)",
    "",
    "dL/dx through the batch mean and variance (nn.BatchNorm1d):",
    ...matrixLines(r.gradFull).map((l) => `  ${l}`.trimEnd()),
    "dL/dx with mean and variance detached:",
    ...matrixLines(r.gradDetached).map((l) => `  ${l}`.trimEnd()),
    `largest difference: ${r.maxAbsDiff.toFixed(6)}`,
    "",
    ...columns([
      ["per feature", ...r.columnSumsFull.map((_, j) => `feature ${j}`)],
      ["Σ_batch dL/dx (full)", ...r.columnSumsFull.map(fmtSum)],
      ["Σ_batch dL/dx (detached)", ...r.columnSumsDetached.map(fmtSum)],
    ], { headerRule: true, indent: "  ", align: ["left", "right", "right", "right"] }),
    "Through the statistics the gradient sums to zero over the batch: shifting every sample by the",
    "same amount changes nothing after normalisation. Detached, that term (and the variance's) is lost.",
    "",
    "Does sample 0's loss reach the other samples' inputs? ‖∂L₀/∂x_n‖:",
    ...columns([
      ["", ...r.crossSampleBatchNorm.map((_, i) => `n = ${i + 1}`)],
      ["BatchNorm (batch statistics)", ...r.crossSampleBatchNorm.map((v) => v.toFixed(6))],
      ["LayerNorm (per-token statistics)", ...r.crossSampleLayerNorm.map((v) => (v === 0 ? "0" : v.toExponential(2)))],
    ], { headerRule: true, indent: "  ", align: ["left", "right", "right", "right"] }),
    "BatchNorm couples the samples of a batch; LayerNorm normalises each token over its own features,",
    "which is why LLMs use it: a token's gradient never depends on what else is in the batch.",
  ].join("\n");
}

export const batchnormDemo = defineDemo<{ json?: boolean }>({
  name: "batchnorm",
  section: "Interview questions",
  summary: "BatchNorm's backward through batch statistics vs detached statistics, beside LayerNorm",
  options: [jsonOption],
  run: (o) => jsonOrText(batchnormDemoResult(), o.json, formatBatchnormDemo),
});
