// `descent demo lr-sweep`: Adam on the same small classifier at learning rates spanning four
// decades. The final loss is U-shaped in the learning rate: too small barely moves, too large
// thrashes. Adam adapts per-parameter scales, not the global step size, so lr still needs tuning.

import { UsageError } from "../errors.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText, numberOption } from "./registry.js";
import { spiralData, trainClassifier } from "./toy_classifier.js";

export interface LrSweepOptions {
  steps?: number;
  json?: boolean;
}

export interface LrSweepRow {
  lr: number;
  finalLoss: number;
  finalAccuracy: number;
  /** Largest increase of the loss from one step to the next: a sign of overshooting. */
  worstIncrease: number;
}

export interface LrSweepResult {
  problem: string;
  steps: number;
  rows: LrSweepRow[];
  bestLr: number;
}

export const SWEEP_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];

export function lrSweepResult(o: LrSweepOptions = {}): LrSweepResult {
  const steps = o.steps ?? 120;
  if (!Number.isInteger(steps) || steps < 1 || steps > 100000) throw new UsageError(`lr-sweep demo: --steps must be an integer in [1, 100000], got ${steps}`);
  const data = spiralData(0);
  const rows = SWEEP_LRS.map((lr) => {
    const c = trainClassifier(data, steps, () => lr);
    let worst = 0;
    for (let i = 1; i < c.losses.length; i++) worst = Math.max(worst, c.losses[i]! - c.losses[i - 1]!);
    return { lr, finalLoss: c.finalLoss, finalAccuracy: c.finalAccuracy, worstIncrease: worst };
  });
  const best = rows.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a));
  return { problem: "3 spirals, 300 points, MLP 2-32-32-3, full-batch Adam (β 0.9, 0.999), float64", steps, rows, bestLr: best.lr };
}

const BAR = 40;

export function formatLrSweep(r: LrSweepResult): string {
  const maxLoss = Math.max(...r.rows.map((row) => row.finalLoss));
  return [
    `Learning-rate sweep: ${r.problem}, ${r.steps} steps per lr`,
    "",
    ...columns([
      ["lr", "final loss", "accuracy", "worst loss jump", "final loss (bar)"],
      ...r.rows.map((row) => [
        String(row.lr),
        row.finalLoss.toFixed(4),
        `${(row.finalAccuracy * 100).toFixed(1)}%`,
        row.worstIncrease.toFixed(4),
        `${"█".repeat(Math.max(1, Math.round((row.finalLoss / maxLoss) * BAR)))}${row.lr === r.bestLr ? "  ← best" : ""}`,
      ]),
    ], { headerRule: true, indent: "  ", align: ["right", "right", "right", "right", "left"] }),
    "",
    "Too small an lr barely moves in the budget; too large overshoots (the loss jumps up between steps)",
    "and ends worse. Adam rescales each parameter by its gradient history, but the global lr, its",
    "schedule and weight decay still decide whether training works: Adam does not remove tuning.",
  ].join("\n");
}

export const lrSweepDemo = defineDemo<LrSweepOptions>({
  name: "lr-sweep",
  section: "Interview questions",
  summary: "Adam over learning rates from 1e-4 to 1 on a small classifier: the final loss is U-shaped",
  options: [numberOption("--steps <n>", "Adam steps per learning rate", 120), jsonOption],
  run: (o) => jsonOrText(lrSweepResult(o), o.json, formatLrSweep),
});
