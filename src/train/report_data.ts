// What a training report shows, gathered from a run directory: metrics.jsonl as columns (one
// array per field, null where a line lacks it), the settings (config.json, else the latest
// checkpoint's config.json and trainer.json), data.json, summary.json (final sample) and the
// warnings logged with the steps. Missing files give empty parts, never an error, except a run
// directory without metrics.jsonl.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ValueError } from "../util/errors.js";

/** The metric columns the report can chart; any other numeric field is kept too. */
export const REPORT_COLUMNS = [
  "step", "loss", "valLoss", "trainLoss", "lr", "gradNorm", "tokensPerSec", "elapsedSec", "activationBytes", "lossScale", "skippedSteps",
] as const;

export interface ReportWarning {
  readonly step: number;
  readonly kind: string;
  readonly message: string;
}

export interface ReportData {
  readonly runDir: string;
  /** Field -> values by line (null where that line has no such number). `step` is always present. */
  readonly columns: Record<string, (number | null)[]>;
  readonly lines: number;
  readonly modelConfig: Record<string, unknown> | null;
  readonly trainConfig: Record<string, unknown> | null;
  readonly data: Record<string, unknown> | null;
  readonly summary: Record<string, unknown> | null;
  readonly warnings: readonly ReportWarning[];
  /** Last gradient-health entry logged (per-layer norms), if any. */
  readonly health: Record<string, unknown> | null;
}

function readJSON(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The latest checkpoint directory of a run (via checkpoints/latest.json), or null. */
function latestCheckpoint(runDir: string): string | null {
  const ptr = readJSON(join(runDir, "checkpoints", "latest.json"));
  const name = ptr?.["checkpoint"];
  return typeof name === "string" ? join(runDir, "checkpoints", name) : null;
}

export function readReportData(runDir: string): ReportData {
  const metricsPath = join(runDir, "metrics.jsonl");
  if (!existsSync(metricsPath)) throw new ValueError(`descent report: ${metricsPath} does not exist (is ${runDir} a run directory?)`);
  const rows: Record<string, unknown>[] = [];
  const text = readFileSync(metricsPath, "utf8");
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v !== null && typeof v === "object" && typeof (v as { step?: unknown }).step === "number") rows.push(v as Record<string, unknown>);
    } catch {
      // A line cut short by a crash mid-write is skipped; the others still chart.
      if (i < text.split("\n").length - 2) throw new ValueError(`descent report: ${metricsPath} line ${i + 1} is not JSON`);
    }
  }
  const keys: string[] = [...REPORT_COLUMNS];
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === "number" && !keys.includes(k)) keys.push(k);
  const columns: Record<string, (number | null)[]> = {};
  for (const k of keys) {
    const col = rows.map((r) => (typeof r[k] === "number" && Number.isFinite(r[k]) ? (r[k] as number) : null));
    if (k === "step" || col.some((v) => v !== null)) columns[k] = col;
  }
  const warnings: ReportWarning[] = [];
  let health: Record<string, unknown> | null = null;
  for (const r of rows) {
    const w = r["warnings"];
    if (Array.isArray(w)) {
      for (const x of w) {
        if (x && typeof x === "object") {
          const o = x as Record<string, unknown>;
          warnings.push({ step: r["step"] as number, kind: String(o["kind"] ?? "warning"), message: String(o["message"] ?? "") });
        }
      }
    }
    if (r["health"] && typeof r["health"] === "object") health = { step: r["step"], ...(r["health"] as Record<string, unknown>) };
  }
  const ckpt = latestCheckpoint(runDir);
  const trainer = ckpt ? readJSON(join(ckpt, "trainer.json")) : null;
  const rootConfig = readJSON(join(runDir, "config.json"));
  const modelConfig = rootConfig ?? (ckpt ? readJSON(join(ckpt, "config.json")) : null);
  const tc = trainer?.["config"];
  return {
    runDir,
    columns,
    lines: rows.length,
    modelConfig,
    trainConfig: tc && typeof tc === "object" ? (tc as Record<string, unknown>) : null,
    data: readJSON(join(runDir, "data.json")),
    summary: readJSON(join(runDir, "summary.json")),
    warnings,
    health,
  };
}
