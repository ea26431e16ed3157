// amp.GradScaler: dynamic loss scaling, PyTorch's torch.amp.GradScaler semantics and state machine.
// scale(loss) multiplies the loss so small float16 gradients stay representable; unscale(opt)
// divides the gradients back once per step and records whether any is Inf/NaN; step(opt) unscales
// if needed and skips the optimizer step on Inf/NaN; update() halves the scale after an overflow
// and doubles it after growthInterval clean steps. Clipping goes between unscale() and step().

import { mul } from "../ops/binary.js";
import type { Optimizer } from "../optim/optimizer.js";
import { castTensor } from "../ops/operand.js";
import { Tensor } from "../tensor/tensor.js";
import { isHalf } from "../util/dtype.js";
import { DescentError, ValueError } from "../util/errors.js";

/** Misuse of the scaler's per-step protocol (PyTorch raises RuntimeError/AssertionError for these). */
export class GradScalerError extends DescentError {}

export interface GradScalerOptions {
  /** Default 2**16. */
  initScale?: number;
  /** Default 2; must be > 1. */
  growthFactor?: number;
  /** Default 0.5; must be < 1 (and > 0). */
  backoffFactor?: number;
  /** Clean steps before the scale grows; default 2000. */
  growthInterval?: number;
  /** false makes every method a pass-through (scale 1, step = optimizer.step()). Default true. */
  enabled?: boolean;
}

export interface GradScalerState {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  growthTracker: number;
}

type Stage = "ready" | "unscaled" | "stepped";
interface OptState {
  stage: Stage;
  /** 1 if an unscaled gradient was Inf/NaN, 0 if all finite, null if no gradient was seen. */
  foundInf: number | null;
}

const KNOWN = new Set(["initScale", "growthFactor", "backoffFactor", "growthInterval", "enabled"]);
const f32 = Math.fround;

export class GradScaler {
  private scaleValue: number | null = null; // float32, created on the first scale() like PyTorch's lazy _scale
  private growthTracker = 0;
  private readonly initScale: number;
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  private readonly enabled: boolean;
  private perOptimizer = new Map<Optimizer, OptState>();
  private skipped = 0;

  constructor(opts: GradScalerOptions = {}) {
    if (typeof opts !== "object" || opts === null) throw new ValueError("GradScaler: options must be an object");
    for (const k of Object.keys(opts)) {
      if (!KNOWN.has(k)) throw new ValueError(`GradScaler: unknown option "${k}" (expected ${[...KNOWN].join(", ")})`);
    }
    const initScale = opts.initScale ?? 2 ** 16;
    const growthFactor = opts.growthFactor ?? 2;
    const backoffFactor = opts.backoffFactor ?? 0.5;
    const growthInterval = opts.growthInterval ?? 2000;
    const enabled = opts.enabled ?? true;
    if (typeof initScale !== "number" || !(initScale > 0) || !Number.isFinite(initScale)) {
      throw new ValueError(`GradScaler: initScale must be a positive finite number, got ${String(initScale)}`);
    }
    if (typeof growthFactor !== "number" || !(growthFactor > 1) || !Number.isFinite(growthFactor)) {
      throw new ValueError(`GradScaler: growthFactor should be > 1, got ${String(growthFactor)}`);
    }
    if (typeof backoffFactor !== "number" || !(backoffFactor > 0 && backoffFactor < 1)) {
      throw new ValueError(`GradScaler: backoffFactor should be in (0, 1), got ${String(backoffFactor)}`);
    }
    if (!Number.isInteger(growthInterval) || growthInterval < 1) {
      throw new ValueError(`GradScaler: growthInterval should be a positive integer, got ${String(growthInterval)}`);
    }
    if (typeof enabled !== "boolean") throw new ValueError(`GradScaler: enabled must be a boolean, got ${typeof enabled}`);
    this.initScale = initScale;
    this.growthFactor = growthFactor;
    this.backoffFactor = backoffFactor;
    this.growthInterval = growthInterval;
    this.enabled = enabled;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** loss * scale (in the loss's dtype); the loss itself when disabled. */
  scale(loss: Tensor): Tensor {
    if (!(loss instanceof Tensor)) throw new ValueError(`GradScaler.scale: expected a Tensor, got ${loss === null ? "null" : typeof loss}`);
    if (!this.enabled) return loss;
    this.scaleValue ??= f32(this.initScale);
    return mul(loss, this.scaleValue);
  }

  /**
   * Divide this optimizer's gradients by the scale in place (once per step) and record whether any
   * is Inf/NaN. Call it before clipping; step() calls it when you have not.
   */
  unscale(optimizer: Optimizer): void {
    if (!this.enabled) return;
    const scale = this.requireScale("unscale");
    const st = this.stateOf(optimizer);
    if (st.stage === "unscaled") throw new GradScalerError("GradScaler.unscale: unscale() has already been called on this optimizer since the last update()");
    if (st.stage === "stepped") throw new GradScalerError("GradScaler.unscale: unscale() is being called after step()");
    const grads: Tensor[] = [];
    for (const group of optimizer.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (p.grad.dtype === "float16") {
          throw new ValueError("GradScaler.unscale: attempting to unscale float16 gradients; keep the parameters (master weights) in float32 and cast inside autocast");
        }
        grads.push(p.grad);
      }
    }
    const invScale = f32(1 / scale); // PyTorch: reciprocal in float64, stored as float32
    let found: number | null = grads.length > 0 ? 0 : null;
    for (const g of grads) if (unscaleInPlace(g, invScale)) found = 1;
    st.foundInf = found;
    st.stage = "unscaled";
  }

  /**
   * Unscale (if not done yet) and run optimizer.step() unless a gradient was Inf/NaN.
   * Returns whether the optimizer stepped.
   */
  step(optimizer: Optimizer): boolean {
    if (!this.enabled) {
      optimizer.step();
      return true;
    }
    this.requireScale("step");
    const st = this.stateOf(optimizer);
    if (st.stage === "stepped") throw new GradScalerError("GradScaler.step: step() has already been called since the last update()");
    if (st.stage === "ready") this.unscale(optimizer);
    if (st.foundInf === null) {
      throw new GradScalerError("GradScaler.step: no inf checks were recorded for this optimizer: none of its parameters has a gradient (call backward() on scaler.scale(loss) first)");
    }
    const stepped = st.foundInf === 0;
    if (stepped) optimizer.step();
    else this.skipped++;
    st.stage = "stepped";
    return stepped;
  }

  /**
   * Adjust the scale for the next step: multiply by backoffFactor if any optimizer saw Inf/NaN,
   * else count a clean step and multiply by growthFactor every growthInterval of them.
   * `newScale` sets the scale directly instead.
   */
  update(newScale?: number): void {
    if (!this.enabled) return;
    const scale = this.requireScale("update");
    if (newScale !== undefined) {
      if (typeof newScale !== "number" || !(newScale > 0)) throw new ValueError(`GradScaler.update: newScale must be a positive number, got ${String(newScale)}`);
      this.scaleValue = f32(newScale);
    } else {
      const found = [...this.perOptimizer.values()].map((s) => s.foundInf).filter((f): f is number => f !== null);
      if (found.length === 0) throw new GradScalerError("GradScaler.update: no inf checks were recorded prior to update() (call step() or unscale() first)");
      if (found.some((f) => f > 0)) {
        this.scaleValue = f32(scale * this.backoffFactor);
        this.growthTracker = 0;
      } else {
        const successful = this.growthTracker + 1;
        if (successful === this.growthInterval) {
          const grown = f32(scale * this.growthFactor);
          if (Number.isFinite(grown)) this.scaleValue = grown;
          this.growthTracker = 0;
        } else this.growthTracker = successful;
      }
    }
    this.perOptimizer = new Map();
  }

  /** The current scale (initScale before the first scale(); 1 when disabled). */
  getScale(): number {
    if (!this.enabled) return 1;
    return this.scaleValue ?? f32(this.initScale);
  }

  getGrowthFactor(): number { return this.growthFactor; }
  getBackoffFactor(): number { return this.backoffFactor; }
  getGrowthInterval(): number { return this.growthInterval; }
  getGrowthTracker(): number { return this.growthTracker; }

  /** Optimizer steps skipped because of Inf/NaN gradients since construction (not saved in the state dict). */
  get skippedSteps(): number {
    return this.skipped;
  }

  /** PyTorch's state_dict: scale, factors, interval and growth tracker; {} when disabled. */
  stateDict(): GradScalerState | Record<string, never> {
    if (!this.enabled) return {};
    return {
      scale: this.getScale(), growthFactor: this.growthFactor, backoffFactor: this.backoffFactor,
      growthInterval: this.growthInterval, growthTracker: this.growthTracker,
    };
  }

  loadStateDict(state: GradScalerState | Record<string, never>): void {
    if (!this.enabled) return;
    if (typeof state !== "object" || state === null || Object.keys(state).length === 0) {
      throw new GradScalerError("GradScaler.loadStateDict: the source state dict is empty, possibly because it was saved from a disabled GradScaler");
    }
    const s = state as Partial<GradScalerState>;
    for (const k of ["scale", "growthFactor", "backoffFactor", "growthInterval", "growthTracker"] as const) {
      if (typeof s[k] !== "number" || !Number.isFinite(s[k])) {
        throw new ValueError(`GradScaler.loadStateDict: "${k}" must be a finite number, got ${JSON.stringify(s[k])}`);
      }
    }
    const v = s as GradScalerState;
    if (!(v.scale > 0) || !(v.growthFactor > 1) || !(v.backoffFactor > 0 && v.backoffFactor < 1) ||
      !Number.isInteger(v.growthInterval) || v.growthInterval < 1 || !Number.isInteger(v.growthTracker) || v.growthTracker < 0) {
      throw new ValueError(`GradScaler.loadStateDict: invalid values ${JSON.stringify(v)}`);
    }
    this.scaleValue = f32(v.scale);
    this.growthFactor = v.growthFactor;
    this.backoffFactor = v.backoffFactor;
    this.growthInterval = v.growthInterval;
    this.growthTracker = v.growthTracker;
  }

  private requireScale(fn: string): number {
    if (this.scaleValue === null) {
      throw new GradScalerError(`GradScaler.${fn}: called before scale(); this may indicate your script did not use scaler.scale(loss) earlier in the iteration`);
    }
    return this.scaleValue;
  }

  private stateOf(optimizer: Optimizer): OptState {
    let st = this.perOptimizer.get(optimizer);
    if (!st) {
      st = { stage: "ready", foundInf: null };
      this.perOptimizer.set(optimizer, st);
    }
    return st;
  }
}

/** g *= invScale in g's dtype (float32 products, like PyTorch); returns whether g held an Inf/NaN before. */
function unscaleInPlace(g: Tensor, invScale: number): boolean {
  const wide = isHalf(g.dtype) ? castTensor(g, "float32") : g;
  const d = wide.data;
  let nonFinite = false;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) nonFinite = true; // NaN or ±Inf
    d[i] = v * invScale;
  }
  if (wide !== g) g.data.set(castTensor(wide, g.dtype).data);
  g.markModified();
  return nonFinite;
}
