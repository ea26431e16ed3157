// Benchmark helpers: median-of-runs timing with an adaptive repeat count, and table printing.
import { cpus } from "node:os";

export interface Timing { seconds: number; runs: number }

/**
 * Time fn: one warm-up, then enough runs to fill ~budget seconds (3..maxRuns), median.
 * A first run slower than `slowSeconds` is reported alone (slow baselines).
 */
export function timeIt(fn: () => void, budget = 1.5, maxRuns = 25, slowSeconds = 2): Timing {
  const t0 = performance.now();
  fn();
  const first = (performance.now() - t0) / 1e3;
  if (first > slowSeconds) return { seconds: first, runs: 1 };
  const runs = Math.max(3, Math.min(maxRuns, Math.round(budget / Math.max(first, 1e-6))));
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    fn();
    times.push((performance.now() - s) / 1e3);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[runs >> 1]!, runs };
}

export function cpuModel(): string {
  const c = cpus();
  return `${c[0]?.model ?? "unknown CPU"} (${c.length} logical cores)`;
}

/** Print rows as an aligned Markdown table. */
export function printTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
  console.log(out);
  return out;
}

export function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits);
}
