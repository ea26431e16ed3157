// metrics.jsonl: one JSON object per logged step, appended as the run goes, fields in a fixed
// order (step, loss, lr, gradNorm, tokensPerSec, elapsedSec, activationBytes, then valLoss,
// trainLoss on eval steps, then lossScale, skippedSteps and skipped on fp16 runs).

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import type { StepRecord } from "./events.js";
import type { Trainer } from "./trainer.js";

export function metricsLine(r: StepRecord): string {
  const o: Record<string, unknown> = { step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerSec: r.tokensPerSec, elapsedSec: r.elapsedSec };
  if (r.activationBytes !== undefined) o["activationBytes"] = r.activationBytes;
  if (r.valLoss !== undefined) o["valLoss"] = r.valLoss;
  if (r.trainLoss !== undefined) o["trainLoss"] = r.trainLoss;
  if (r.health !== undefined) o["health"] = r.health;
  if (r.lossScale !== undefined) o["lossScale"] = r.lossScale;
  if (r.skippedSteps !== undefined) o["skippedSteps"] = r.skippedSteps;
  if (r.skipped) o["skipped"] = true;
  if (r.warnings !== undefined && r.warnings.length > 0) o["warnings"] = r.warnings.map((w) => ({ kind: w.kind, message: w.message }));
  return JSON.stringify(o);
}

export function readMetrics(path: string): StepRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as StepRecord);
}

export class MetricsWriter {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  /** Append every 'step' record of `trainer`; returns this. */
  attach(trainer: Trainer): this {
    trainer.on("step", (r) => this.write(r));
    trainer.on("end", () => this.close());
    return this;
  }

  write(r: StepRecord): void {
    if (this.fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, "a");
    }
    writeSync(this.fd, metricsLine(r) + "\n");
  }

  /**
   * Keep only the lines up to `step` (a resumed run continues from its checkpoint; lines written
   * after it, before a crash, would otherwise be duplicated). Rewritten atomically.
   */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const lines = readFileSync(this.path, "utf8").split("\n").filter((l) => l.trim() !== "");
    const kept = lines.filter((l) => (JSON.parse(l) as { step: number }).step <= step);
    if (kept.length !== lines.length) writeFileAtomic(this.path, kept.map((l) => l + "\n").join(""));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
