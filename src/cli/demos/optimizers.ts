// `descent demo optimizers`: SGD, momentum, Adam and AdamW side by side on the reference's
// "narrow gorge", f(x, y) = ½(x² + 100 y²): steps to a loss threshold, final loss, zig-zags.

import { type Tensor, tensor } from "../../index.js";
import * as optim from "../../optim/index.js";
import { UsageError } from "../errors.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText, numberOption } from "./registry.js";

export interface OptimizersDemoOptions {
  /** Steps each optimizer runs (default 500). */
  steps?: number;
  /** Loss to reach (default 1e-6). */
  threshold?: number;
  json?: boolean;
}

export interface OptimizerRun {
  name: string;
  settings: string;
  /** First step at which the loss is below the threshold, or null if never. */
  stepsToThreshold: number | null;
  finalLoss: number;
  final: [number, number];
  /** How often y changed sign: the left-right wobble across the gorge. */
  ySignFlips: number;
}

export interface OptimizersDemoResult {
  problem: string;
  start: [number, number];
  steps: number;
  threshold: number;
  runs: OptimizerRun[];
}

const START: [number, number] = [10, 1];
const CURVATURE = tensor([1, 100], { dtype: "float64" });

/** f(p) = ½ Σ c_i p_i² with c = (1, 100): condition number 100. */
function gorge(p: Tensor): Tensor {
  return p.mul(p).mul(CURVATURE).sum().mul(0.5);
}

const CONTENDERS: { name: string; settings: string; make: (p: Tensor) => optim.Optimizer }[] = [
  { name: "SGD", settings: "lr 0.019", make: (p) => new optim.SGD([p], { lr: 0.019 }) },
  { name: "Momentum", settings: "lr 0.01, momentum 0.9", make: (p) => new optim.SGD([p], { lr: 0.01, momentum: 0.9 }) },
  { name: "Adam", settings: "lr 0.1", make: (p) => new optim.Adam([p], { lr: 0.1 }) },
  { name: "AdamW", settings: "lr 0.1, weightDecay 0.01", make: (p) => new optim.AdamW([p], { lr: 0.1, weightDecay: 0.01 }) },
];

function runOne(c: (typeof CONTENDERS)[number], steps: number, threshold: number): OptimizerRun {
  const p = tensor(START, { dtype: "float64", requiresGrad: true });
  const opt = c.make(p);
  let reached: number | null = null;
  let flips = 0;
  let prevY = START[1];
  for (let t = 1; t <= steps; t++) {
    opt.zeroGrad();
    gorge(p).backward();
    opt.step();
    const y = p.data[1]!;
    if (Math.sign(y) !== 0 && Math.sign(y) !== Math.sign(prevY)) flips++;
    if (y !== 0) prevY = y;
    if (reached === null && gorge(p).item() < threshold) reached = t;
  }
  return { name: c.name, settings: c.settings, stepsToThreshold: reached, finalLoss: gorge(p).item(), final: [p.data[0]!, p.data[1]!], ySignFlips: flips };
}

export function optimizersDemoResult(opts: OptimizersDemoOptions = {}): OptimizersDemoResult {
  const steps = opts.steps ?? 500;
  const threshold = opts.threshold ?? 1e-6;
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`optimizers demo: --steps must be a positive integer, got ${steps}`);
  if (!(threshold > 0)) throw new UsageError(`optimizers demo: --threshold must be > 0, got ${threshold}`);
  return {
    problem: "f(x, y) = ½(x² + 100·y²)",
    start: START,
    steps,
    threshold,
    runs: CONTENDERS.map((c) => runOne(c, steps, threshold)),
  };
}

export function formatOptimizersDemo(r: OptimizersDemoResult): string {
  const header = ["optimizer", "settings", `steps to loss < ${r.threshold.toExponential(0)}`, "final loss", "final (x, y)", "y sign flips"];
  const rows = r.runs.map((run) => [
    run.name,
    run.settings,
    run.stepsToThreshold === null ? `not in ${r.steps}` : String(run.stepsToThreshold),
    run.finalLoss.toExponential(2),
    `(${run.final[0].toExponential(1)}, ${run.final[1].toExponential(1)})`,
    String(run.ySignFlips),
  ]);
  return [
    `The narrow gorge ${r.problem}, from (${r.start.join(", ")}), ${r.steps} steps each.`,
    "The y direction is 100x steeper than x: plain SGD must keep lr < 2/100 and crawls along x;",
    "momentum builds speed along the valley; Adam rescales each coordinate by its gradient size.",
    "",
    ...columns([header, ...rows], { headerRule: true }),
  ].join("\n");
}

export function runOptimizersDemo(opts: OptimizersDemoOptions = {}): string {
  return jsonOrText(optimizersDemoResult(opts), opts.json, formatOptimizersDemo);
}

export const optimizersDemo = defineDemo<OptimizersDemoOptions>({
  name: "optimizers",
  section: "Momentum",
  summary: "SGD, momentum, Adam and AdamW side by side on an ill-conditioned quadratic",
  options: [
    numberOption("--steps <n>", "steps per optimizer", 500),
    numberOption("--threshold <loss>", "loss threshold to count steps to", 1e-6),
    jsonOption,
  ],
  run: runOptimizersDemo,
});
