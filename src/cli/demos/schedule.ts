// `descent demo schedule`: the linear-warmup + cosine-decay learning rate (the reference's worked
// example by default) as a sampled table and an ASCII plot; --csv writes every step's lr.

import { writeFileSync } from "node:fs";
import * as optim from "../../optim/index.js";
import { UsageError } from "../errors.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText, numberOption } from "./registry.js";

export interface ScheduleDemoOptions {
  /** Write "step,lr" rows for every step 0..totalSteps to this path. */
  csv?: string;
  warmupSteps?: number;
  totalSteps?: number;
  maxLr?: number;
  minLr?: number;
  json?: boolean;
}

export interface ScheduleDemoResult {
  warmupSteps: number;
  totalSteps: number;
  maxLr: number;
  minLr: number;
  samples: { step: number; lr: number; phase: "warmup" | "cosine" | "floor" }[];
  csv: { path: string; rows: number } | null;
}

const PLOT_WIDTH = 60;
const PLOT_HEIGHT = 12;

export function scheduleDemoResult(o: ScheduleDemoOptions = {}): ScheduleDemoResult {
  const warmupSteps = o.warmupSteps ?? 100;
  const totalSteps = o.totalSteps ?? 1000;
  const maxLr = o.maxLr ?? 3e-4;
  const minLr = o.minLr ?? 3e-5;
  const f = optim.schedules.warmupCosine({ warmupSteps, totalSteps, maxLr, minLr });
  // Warmup start, middle and end, then the cosine phase in quarters (550 is the reference's midpoint).
  const steps = new Set<number>([0, Math.round(warmupSteps / 2), warmupSteps]);
  for (let k = 1; k <= 4; k++) steps.add(Math.round(warmupSteps + (k * (totalSteps - warmupSteps)) / 4));
  const samples = [...steps].sort((a, b) => a - b).map((step) => ({
    step,
    lr: f(step),
    phase: (step < warmupSteps ? "warmup" : step <= totalSteps ? "cosine" : "floor") as "warmup" | "cosine" | "floor",
  }));
  let csv: ScheduleDemoResult["csv"] = null;
  if (o.csv) {
    const lines = ["step,lr"];
    for (let t = 0; t <= totalSteps; t++) lines.push(`${t},${f(t)}`);
    try {
      writeFileSync(o.csv, `${lines.join("\n")}\n`);
    } catch (e) {
      throw new UsageError(`schedule demo: cannot write --csv ${o.csv}: ${e instanceof Error ? e.message : String(e)}`);
    }
    csv = { path: o.csv, rows: totalSteps + 1 };
  }
  return { warmupSteps, totalSteps, maxLr, minLr, samples, csv };
}

/** lr over steps 0..T as rows of characters, the top row at maxLr. */
function asciiPlot(r: ScheduleDemoResult): string[] {
  const f = optim.schedules.warmupCosine({ warmupSteps: r.warmupSteps, totalSteps: r.totalSteps, maxLr: r.maxLr, minLr: r.minLr });
  const grid = Array.from({ length: PLOT_HEIGHT }, () => new Array<string>(PLOT_WIDTH).fill(" "));
  for (let c = 0; c < PLOT_WIDTH; c++) {
    const t = Math.round((c * r.totalSteps) / (PLOT_WIDTH - 1));
    const level = r.maxLr > 0 ? f(t) / r.maxLr : 0;
    const row = PLOT_HEIGHT - 1 - Math.round(level * (PLOT_HEIGHT - 1));
    grid[row]![c] = "*";
  }
  const label = (row: number) => {
    if (row === 0) return r.maxLr.toExponential(1);
    if (row === PLOT_HEIGHT - 1) return "0";
    return "";
  };
  const w = r.maxLr.toExponential(1).length;
  const lines = grid.map((cells, row) => `${label(row).padStart(w)} |${cells.join("")}`.trimEnd());
  lines.push(`${" ".repeat(w)} +${"-".repeat(PLOT_WIDTH)}`);
  const tail = `step ${r.totalSteps}`;
  lines.push(`${" ".repeat(w)}  0${" ".repeat(Math.max(1, PLOT_WIDTH - 1 - tail.length))}${tail}`);
  return lines;
}

export function formatScheduleDemo(r: ScheduleDemoResult): string {
  const header = ["step", "lr", "phase"];
  const rows = r.samples.map((s) => [String(s.step), s.lr.toExponential(4), s.phase]);
  return [
    `Linear warmup to ${r.maxLr} over ${r.warmupSteps} steps, then cosine decay to ${r.minLr} at step ${r.totalSteps}:`,
    "  lr(t) = t/Twarm * maxLr                                    for t < Twarm",
    "  lr(t) = minLr + 1/2 (maxLr - minLr)(1 + cos(pi (t - Twarm)/(T - Twarm)))  up to T, minLr after",
    "",
    ...columns([header, ...rows], { align: ["right", "right"] }),
    "",
    ...asciiPlot(r),
    ...(r.csv ? ["", `wrote ${r.csv.rows} rows (step,lr) to ${r.csv.path}`] : []),
  ].join("\n");
}

export function runScheduleDemo(opts: ScheduleDemoOptions = {}): string {
  return jsonOrText(scheduleDemoResult(opts), opts.json, formatScheduleDemo);
}

export const scheduleDemo = defineDemo<ScheduleDemoOptions>({
  name: "schedule",
  section: "Learning-rate schedules",
  summary: "linear warmup + cosine decay learning-rate schedule (table, ASCII plot, optional CSV)",
  options: [
    { flags: "--csv <path>", description: "also write step,lr for every step as CSV" },
    numberOption("--warmup-steps <n>", "warmup steps", 100),
    numberOption("--total-steps <n>", "total steps", 1000),
    numberOption("--max-lr <lr>", "peak learning rate", 3e-4),
    numberOption("--min-lr <lr>", "final learning rate", 3e-5),
    jsonOption,
  ],
  run: runScheduleDemo,
});
