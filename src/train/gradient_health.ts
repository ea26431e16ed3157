// Gradient health: per-parameter and per-layer gradient norm, weight norm, the last step's
// update/weight ratio and counts of zero, NaN and Inf gradient elements (train.gradientReport),
// plus the trainer's loss-spike and exploding-gradient warnings. Update ratios need the weights
// before the step: the trainer snapshots them only on health steps (captureUpdate).

import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";

export interface ParameterHealth {
  readonly name: string;
  /** The module ("layer") the parameter belongs to: its name without the last part. */
  readonly layer: string;
  readonly numel: number;
  /** L2 norm of .grad; null when the parameter has no gradient. */
  readonly gradNorm: number | null;
  readonly weightNorm: number;
  /** ||w_after - w_before|| / ||w_before|| of the last step captured by captureUpdate; null if none. */
  readonly updateRatio: number | null;
  readonly zeros: number;
  readonly nans: number;
  readonly infs: number;
}

export interface LayerHealth {
  readonly layer: string;
  readonly gradNorm: number;
  readonly weightNorm: number;
  readonly updateRatio: number | null;
  readonly zeros: number;
  readonly nans: number;
  readonly infs: number;
  readonly numel: number;
}

export interface GradientReport {
  readonly parameters: readonly ParameterHealth[];
  readonly layers: readonly LayerHealth[];
  /** Global gradient norm over every parameter with a gradient. */
  readonly gradNorm: number;
  readonly nans: number;
  readonly infs: number;
}

/** Last update ratio (and update norm) per parameter, written by captureUpdate. */
const lastUpdate = new WeakMap<Tensor, { update: number; before: number }>();

function sumSquares(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return s;
}

/**
 * Call before optimizer.step(); call the returned function after it: it records each parameter's
 * update/weight ratio for gradientReport. Copies the weights once (health steps only).
 */
export function captureUpdate(params: Iterable<Tensor>): () => void {
  const before = [...params].map((p) => [p, p.data.slice()] as const);
  return () => {
    for (const [p, old] of before) {
      const d = p.data;
      let du = 0;
      for (let i = 0; i < d.length; i++) {
        const x = d[i]! - old[i]!;
        du += x * x;
      }
      lastUpdate.set(p, { update: Math.sqrt(du), before: Math.sqrt(sumSquares(old)) });
    }
  };
}

const layerOf = (name: string): string => (name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "");

/** Health of every parameter of `model` and of every layer (module) holding parameters. */
export function gradientReport(model: Module): GradientReport {
  const parameters: ParameterHealth[] = [];
  for (const [name, p] of model.namedParameters()) {
    let zeros = 0, nans = 0, infs = 0, ss = 0;
    const g = p.grad;
    if (g) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (v === 0) zeros++;
        else if (v !== v) nans++;
        else if (v === Infinity || v === -Infinity) infs++;
        else ss += v * v;
      }
    }
    const u = lastUpdate.get(p);
    parameters.push({
      name, layer: layerOf(name), numel: p.numel, gradNorm: g ? Math.sqrt(ss) : null, weightNorm: Math.sqrt(sumSquares(p.data)),
      updateRatio: u ? (u.before > 0 ? u.update / u.before : null) : null, zeros, nans, infs,
    });
  }
  const byLayer = new Map<string, { g: number; w: number; du: number; wb: number; hasU: boolean; zeros: number; nans: number; infs: number; numel: number }>();
  for (const ph of parameters) {
    const l = byLayer.get(ph.layer) ?? { g: 0, w: 0, du: 0, wb: 0, hasU: false, zeros: 0, nans: 0, infs: 0, numel: 0 };
    l.g += (ph.gradNorm ?? 0) ** 2;
    l.w += ph.weightNorm ** 2;
    l.zeros += ph.zeros;
    l.nans += ph.nans;
    l.infs += ph.infs;
    l.numel += ph.numel;
    byLayer.set(ph.layer, l);
  }
  for (const [name, p] of model.namedParameters()) {
    const u = lastUpdate.get(p);
    if (!u) continue;
    const l = byLayer.get(layerOf(name))!;
    l.du += u.update ** 2;
    l.wb += u.before ** 2;
    l.hasU = true;
  }
  const layers: LayerHealth[] = [...byLayer].map(([layer, l]) => ({
    layer, gradNorm: Math.sqrt(l.g), weightNorm: Math.sqrt(l.w), updateRatio: l.hasU && l.wb > 0 ? Math.sqrt(l.du / l.wb) : null,
    zeros: l.zeros, nans: l.nans, infs: l.infs, numel: l.numel,
  }));
  return {
    parameters, layers, gradNorm: Math.sqrt(layers.reduce((s, l) => s + l.gradNorm ** 2, 0)),
    nans: layers.reduce((s, l) => s + l.nans, 0), infs: layers.reduce((s, l) => s + l.infs, 0),
  };
}

/** The compact form written to metrics.jsonl: per layer [gradNorm, weightNorm, updateRatio], 4 significant digits. */
export interface CompactHealth {
  gradNorm: number;
  nans: number;
  infs: number;
  zeros: number;
  /** layer -> [gradNorm, weightNorm, updateRatio | null] */
  layers: Record<string, [number, number, number | null]>;
}

const sig = (v: number): number => Number(v.toPrecision(4));

export function compactHealth(r: GradientReport): CompactHealth {
  const layers: Record<string, [number, number, number | null]> = {};
  for (const l of r.layers) layers[l.layer || "(root)"] = [sig(l.gradNorm), sig(l.weightNorm), l.updateRatio === null ? null : sig(l.updateRatio)];
  return { gradNorm: sig(r.gradNorm), nans: r.nans, infs: r.infs, zeros: r.layers.reduce((s, l) => s + l.zeros, 0), layers };
}

/** Gradient norm of each layer (module) from the parameters' .grad: the cheap per-step part. */
export function layerGradNorms(named: readonly (readonly [string, Tensor])[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, p] of named) {
    if (!p.grad) continue;
    const l = layerOf(name);
    out.set(l, (out.get(l) ?? 0) + sumSquares(p.grad.data));
  }
  for (const [l, s] of out) out.set(l, Math.sqrt(s));
  return out;
}

export interface TrainingWarning {
  readonly step: number;
  readonly kind: "loss spike" | "exploding gradient";
  readonly message: string;
}

export interface SpikeMonitorOptions {
  /** Warn when the loss exceeds spikeFactor x the running median (0: off). */
  spikeFactor: number;
  /** Warn when the pre-clip gradient norm exceeds this (0: off). */
  gradNormWarn: number;
  /** Losses the running median covers (default 50); no spike warning before 10 are seen. */
  window?: number;
}

/**
 * The monitor's running state, saved in trainer.json so a resumed run warns exactly as a straight
 * one: the last `window` finite losses (oldest first) and each layer's gradient-norm average.
 */
export interface SpikeMonitorState {
  losses: number[];
  /** [layer, running average] in first-seen order. */
  typical: [string, number][];
}

/** Watches each step's loss, gradient norm and per-layer gradient norms; returns warnings. */
export class SpikeMonitor {
  private readonly losses: number[] = [];
  /** Exponential moving average of each layer's gradient norm over the steps before. */
  private readonly typical = new Map<string, number>();
  private readonly window: number;

  constructor(readonly opts: SpikeMonitorOptions) {
    this.window = opts.window ?? 50;
  }

  /** The layers whose gradient norm rose most against their running average, as "name ×ratio". */
  private jumped(norms: ReadonlyMap<string, number>, n = 3): string {
    const ratios = [...norms].map(([l, g]) => [l || "(root)", g / Math.max(this.typical.get(l) ?? g, 1e-12)] as const);
    ratios.sort((a, b) => b[1] - a[1]);
    return ratios.slice(0, n).map(([l, r]) => `${l} ×${r.toFixed(1)}`).join(", ");
  }

  check(step: number, loss: number, gradNorm: number, norms: ReadonlyMap<string, number>): TrainingWarning[] {
    const out: TrainingWarning[] = [];
    const { spikeFactor, gradNormWarn } = this.opts;
    if (spikeFactor > 0 && this.losses.length >= 10) {
      const median = medianOf(this.losses);
      if (!(loss <= spikeFactor * median)) {
        out.push({
          step, kind: "loss spike",
          message: `step ${step}: loss ${loss.toFixed(4)} > ${spikeFactor} × running median ${median.toFixed(4)}; grad norm jumped most in ${this.jumped(norms)}`,
        });
      }
    }
    if (gradNormWarn > 0 && !(gradNorm <= gradNormWarn)) {
      out.push({
        step, kind: "exploding gradient",
        message: `step ${step}: gradient norm ${gradNorm.toPrecision(4)} before clipping > ${gradNormWarn}; grad norm jumped most in ${this.jumped(norms)}`,
      });
    }
    if (Number.isFinite(loss)) {
      this.losses.push(loss);
      if (this.losses.length > this.window) this.losses.shift();
    }
    for (const [l, g] of norms) if (Number.isFinite(g)) this.typical.set(l, this.typical.has(l) ? 0.9 * this.typical.get(l)! + 0.1 * g : g);
    return out;
  }

  /** A copy of the running state (JSON-safe: every number is finite). */
  stateDict(): SpikeMonitorState {
    return { losses: [...this.losses], typical: [...this.typical] };
  }

  /** Replace the running state; a malformed state throws a ValueError and changes nothing. */
  loadStateDict(state: SpikeMonitorState): void {
    const problem = spikeStateProblem(state);
    if (problem) throw new ValueError(`SpikeMonitor.loadStateDict: state ${problem}`);
    this.losses.length = 0;
    // A shorter window than the saved one keeps the newest losses, as check() would have.
    this.losses.push(...state.losses.slice(Math.max(0, state.losses.length - this.window)));
    this.typical.clear();
    for (const [l, g] of state.typical) this.typical.set(l, g);
  }
}

/** What is wrong with a (parsed, untrusted) SpikeMonitorState, or null if nothing. */
export function spikeStateProblem(state: unknown): string | null {
  const s = state as Partial<SpikeMonitorState> | null;
  if (!s || typeof s !== "object") return `must be an object with losses and typical, got ${JSON.stringify(state)}`;
  if (!Array.isArray(s.losses) || !s.losses.every((v) => typeof v === "number" && Number.isFinite(v))) return "losses must be an array of finite numbers";
  if (!Array.isArray(s.typical) || !s.typical.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && typeof e[1] === "number" && Number.isFinite(e[1]))) {
    return "typical must be an array of [layer name, finite number] pairs";
  }
  return null;
}

function medianOf(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
