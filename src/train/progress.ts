// Live progress on stderr. On a TTY: one status line redrawn in place (step/total, loss, val
// loss, lr, grad norm, tokens/s, ETA) with the cursor hidden; evaluation and checkpoint lines are
// printed above it and never lost. Piped: a plain status line every intervalSec seconds, plus
// every evaluation and checkpoint line. close() ends the line and restores the cursor.

import type { CheckpointRecord, EvalRecord, StepRecord, TrainSummary } from "./events.js";
import type { Trainer } from "./trainer.js";

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Redraw in place (default: stream.isTTY). */
  tty?: boolean;
  /** Seconds between plain status lines when not on a TTY (default 10). */
  intervalSec?: number;
  /** Minimum milliseconds between TTY redraws (default 100). */
  redrawMs?: number;
  now?: () => number;
}

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_LINE = "\r\x1b[2K";

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "?";
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export class ProgressRenderer {
  tty: boolean;
  private readonly intervalMs: number;
  private readonly redrawMs: number;
  private readonly now: () => number;
  private status = "";
  private drawn = false;
  private cursorHidden = false;
  private lastDraw = -Infinity;
  private lastPlain = -Infinity;
  private total = 0;
  private firstStep = 0;
  private sessionStart = 0;
  private valLoss: number | null = null;

  constructor(readonly stream: ProgressStream, opts: ProgressOptions = {}) {
    this.tty = opts.tty ?? stream.isTTY === true;
    this.intervalMs = (opts.intervalSec ?? 10) * 1000;
    this.redrawMs = opts.redrawMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
  }

  attach(trainer: Trainer): this {
    trainer.on("start", (s) => {
      this.total = s.totalSteps;
      this.firstStep = s.step;
      this.sessionStart = this.now();
      this.valLoss = trainer.lastEval?.valLoss ?? null;
      this.line(`${s.resumed ? "resuming at" : "training from"} step ${s.step} of ${s.totalSteps}`);
    });
    trainer.on("step", (r) => this.onStep(r));
    trainer.on("eval", (e) => this.onEval(e));
    trainer.on("checkpoint", (c) => this.onCheckpoint(c));
    trainer.on("end", (s) => this.onEnd(s));
    return this;
  }

  /** Print a line that stays (above the status line on a TTY). */
  line(text: string): void {
    if (this.tty) {
      this.stream.write((this.drawn ? CLEAR_LINE : "") + text + "\n" + (this.status ? this.fit(this.status) : ""));
      this.drawn = this.status !== "";
    } else this.stream.write(text + "\n");
  }

  onStep(r: StepRecord): void {
    if (r.valLoss !== undefined) this.valLoss = r.valLoss;
    const t = this.now();
    const done = r.step - this.firstStep;
    const perStep = done > 0 ? (t - this.sessionStart) / 1000 / done : NaN;
    const eta = perStep * (this.total - r.step);
    const width = String(this.total).length;
    this.status = [
      `step ${String(r.step).padStart(width)}/${this.total}`,
      `loss ${r.loss.toFixed(4)}`,
      `val ${this.valLoss === null ? "-" : this.valLoss.toFixed(4)}`,
      `lr ${r.lr.toExponential(2)}`,
      `gnorm ${r.gradNorm.toFixed(3)}`,
      `${Math.round(r.tokensPerSec).toLocaleString("en-US")} tok/s`,
      `ETA ${formatDuration(eta)}`,
    ].join(" | ");
    const last = r.step === this.total;
    if (this.tty) {
      if (t - this.lastDraw < this.redrawMs && !last) return;
      if (!this.cursorHidden) {
        this.stream.write(HIDE_CURSOR);
        this.cursorHidden = true;
      }
      this.stream.write(CLEAR_LINE + this.fit(this.status));
      this.drawn = true;
      this.lastDraw = t;
    } else if (t - this.lastPlain >= this.intervalMs || last) {
      this.stream.write(this.status + "\n");
      this.lastPlain = t;
    }
  }

  onEval(e: EvalRecord): void {
    this.valLoss = e.valLoss;
    this.line(`eval step ${e.step}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)} (${e.seconds.toFixed(1)}s)`);
  }

  onCheckpoint(c: CheckpointRecord): void {
    this.line(`checkpoint step ${c.step}: ${c.path}`);
  }

  onEnd(_s: TrainSummary): void {
    this.close();
  }

  /** End the status line and show the cursor again; safe to call more than once (and from an exit handler). */
  close(): void {
    if (this.tty && this.drawn) this.stream.write("\n");
    this.drawn = false;
    this.status = "";
    if (this.cursorHidden) this.stream.write(SHOW_CURSOR);
    this.cursorHidden = false;
  }

  /** Stop redrawing (close the status line, show the cursor) and print plain lines from now on. */
  plain(): void {
    this.close();
    this.tty = false;
  }

  private fit(s: string): string {
    const cols = this.stream.columns;
    return cols && s.length >= cols ? s.slice(0, cols - 1) : s;
  }
}
