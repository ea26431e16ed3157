// Learning-rate schedules as pure functions (step: number) => lr. Arguments are validated when the
// schedule is built; a negative or non-finite step throws when the schedule is called.

import { ValueError } from "../util/errors.js";
import { checkOptionKeys, optionNames } from "../util/options.js";

export type Schedule = (step: number) => number;

/** A bad schedule argument (or step); the message names the schedule and the value. */
export class ScheduleError extends ValueError {}

function num(fn: string, name: string, v: unknown, min = 0, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new ScheduleError(`${fn}: ${name} must be a finite ${integer ? "integer" : "number"} >= ${min}, got ${String(v)}`);
  }
  return v;
}

function checkStep(fn: string, t: number): void {
  if (typeof t !== "number" || !Number.isFinite(t) || t < 0) throw new ScheduleError(`${fn}: step must be a finite number >= 0, got ${String(t)}`);
}

export function constant(lr: number): Schedule {
  num("constant", "lr", lr);
  return (t) => (checkStep("constant", t), lr);
}

/** t / warmupSteps * maxLr for t < warmupSteps, then maxLr. */
export function linearWarmup(o: { warmupSteps: number; maxLr: number }): Schedule {
  checkOptionKeys("linearWarmup", o, ["warmupSteps", "maxLr"]);
  const w = num("linearWarmup", "warmupSteps", o?.warmupSteps, 0, true);
  const max = num("linearWarmup", "maxLr", o.maxLr);
  return (t) => {
    checkStep("linearWarmup", t);
    return t < w ? (t / w) * max : max;
  };
}

/** minLr + ½(maxLr − minLr)(1 + cos(π t / totalSteps)), minLr after totalSteps. */
export function cosineDecay(o: { totalSteps: number; maxLr: number; minLr?: number }): Schedule {
  checkOptionKeys("cosineDecay", o, ["totalSteps", "maxLr", "minLr"]);
  const T = num("cosineDecay", "totalSteps", o?.totalSteps, 1, true);
  const max = num("cosineDecay", "maxLr", o.maxLr);
  const min = num("cosineDecay", "minLr", o.minLr ?? 0);
  if (min > max) throw new ScheduleError(`cosineDecay: minLr ${min} is above maxLr ${max}`);
  return (t) => {
    checkStep("cosineDecay", t);
    if (t >= T) return min;
    return min + 0.5 * (max - min) * (1 + Math.cos((Math.PI * t) / T));
  };
}

/**
 * Linear warmup then cosine decay (the usual LLM schedule): t/Twarm·ηmax for t < Twarm, then
 * ηmin + ½(ηmax−ηmin)(1+cos(π(t−Twarm)/(T−Twarm))) up to T, ηmin after T.
 */
export function warmupCosine(o: { warmupSteps: number; totalSteps: number; maxLr: number; minLr?: number }): Schedule {
  checkOptionKeys("warmupCosine", o, ["warmupSteps", "totalSteps", "maxLr", "minLr"]);
  const w = num("warmupCosine", "warmupSteps", o?.warmupSteps, 0, true);
  const T = num("warmupCosine", "totalSteps", o.totalSteps, 1, true);
  const max = num("warmupCosine", "maxLr", o.maxLr);
  const min = num("warmupCosine", "minLr", o.minLr ?? 0);
  if (T <= w) throw new ScheduleError(`warmupCosine: totalSteps ${T} must be greater than warmupSteps ${w}`);
  if (min > max) throw new ScheduleError(`warmupCosine: minLr ${min} is above maxLr ${max}`);
  return (t) => {
    checkStep("warmupCosine", t);
    if (t < w) return (t / w) * max;
    if (t > T) return min;
    return min + 0.5 * (max - min) * (1 + Math.cos((Math.PI * (t - w)) / (T - w)));
  };
}

/** lr · gamma^floor(t / stepSize) (PyTorch StepLR). */
export function stepDecay(o: { lr: number; stepSize: number; gamma?: number }): Schedule {
  checkOptionKeys("stepDecay", o, ["lr", "stepSize", "gamma"]);
  const lr = num("stepDecay", "lr", o?.lr);
  const s = num("stepDecay", "stepSize", o.stepSize, 1, true);
  const gamma = num("stepDecay", "gamma", o.gamma ?? 0.1);
  return (t) => (checkStep("stepDecay", t), lr * Math.pow(gamma, Math.floor(t / s)));
}

/** lr · gamma^t (PyTorch ExponentialLR). */
export function exponentialDecay(o: { lr: number; gamma: number }): Schedule {
  checkOptionKeys("exponentialDecay", o, ["lr", "gamma"]);
  const lr = num("exponentialDecay", "lr", o?.lr);
  const gamma = num("exponentialDecay", "gamma", o.gamma);
  return (t) => (checkStep("exponentialDecay", t), lr * Math.pow(gamma, t));
}

/** Straight line from maxLr at t = 0 to minLr at totalSteps, minLr after. */
export function linearDecay(o: { maxLr: number; minLr?: number; totalSteps: number }): Schedule {
  checkOptionKeys("linearDecay", o, ["maxLr", "minLr", "totalSteps"]);
  const max = num("linearDecay", "maxLr", o?.maxLr);
  const min = num("linearDecay", "minLr", o.minLr ?? 0);
  const T = num("linearDecay", "totalSteps", o.totalSteps, 1, true);
  return (t) => (checkStep("linearDecay", t), max + (min - max) * Math.min(t / T, 1));
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  /** Fraction of steps spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  annealStrategy?: "cos" | "linear";
}

const ONE_CYCLE_OPTIONS = optionNames<OneCycleOptions>({
  maxLr: true, totalSteps: true, pctStart: true, divFactor: true, finalDivFactor: true, annealStrategy: true,
});

/** PyTorch OneCycleLR's lr curve (two phases, three_phase=False), valid for 0 <= t <= totalSteps. */
export function oneCycle(o: OneCycleOptions): Schedule {
  checkOptionKeys("oneCycle", o, ONE_CYCLE_OPTIONS);
  const max = num("oneCycle", "maxLr", o?.maxLr);
  const T = num("oneCycle", "totalSteps", o.totalSteps, 1, true);
  const pct = num("oneCycle", "pctStart", o.pctStart ?? 0.3);
  if (pct > 1) throw new ScheduleError(`oneCycle: pctStart must be in [0, 1], got ${pct}`);
  const div = num("oneCycle", "divFactor", o.divFactor ?? 25);
  const finalDiv = num("oneCycle", "finalDivFactor", o.finalDivFactor ?? 1e4);
  if (div === 0 || finalDiv === 0) throw new ScheduleError("oneCycle: divFactor and finalDivFactor must be > 0");
  const strategy = o.annealStrategy ?? "cos";
  if (strategy !== "cos" && strategy !== "linear") {
    throw new ScheduleError(`oneCycle: annealStrategy must be "cos" or "linear", got "${String(strategy)}"`);
  }
  // Same expressions as torch so the floats agree bit for bit.
  const anneal = strategy === "cos"
    ? (start: number, end: number, p: number) => end + ((start - end) / 2.0) * (Math.cos(Math.PI * p) + 1)
    : (start: number, end: number, p: number) => (end - start) * p + start;
  const initial = max / div;
  const minLr = initial / finalDiv;
  const phases = [
    { end: pct * T - 1, start: initial, stop: max },
    { end: T - 1, start: max, stop: minLr },
  ];
  return (t) => {
    checkStep("oneCycle", t);
    if (t > T) throw new ScheduleError(`oneCycle: step ${t} is past totalSteps ${T}`);
    let startStep = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i]!;
      if (t <= ph.end || i === phases.length - 1) return anneal(ph.start, ph.stop, (t - startStep) / (ph.end - startStep));
      startStep = ph.end;
    }
    return minLr;
  };
}

/**
 * Run schedules one after another (PyTorch SequentialLR): schedules[i] is used from
 * milestones[i-1] on, called with the step counted from its own start.
 */
export function sequential(schedules: readonly Schedule[], milestones: readonly number[]): Schedule {
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s !== "function")) {
    throw new ScheduleError("sequential: expected a non-empty array of schedule functions");
  }
  if (!Array.isArray(milestones) || milestones.length !== schedules.length - 1) {
    throw new ScheduleError(`sequential: ${schedules.length} schedules need ${schedules.length - 1} milestones, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`);
  }
  milestones.forEach((m, i) => {
    num("sequential", `milestones[${i}]`, m, 1, true);
    if (i > 0 && m <= milestones[i - 1]!) throw new ScheduleError(`sequential: milestones must increase, got ${JSON.stringify(milestones)}`);
  });
  return (t) => {
    checkStep("sequential", t);
    let i = 0;
    while (i < milestones.length && t >= milestones[i]!) i++;
    return schedules[i]!(i === 0 ? t : t - milestones[i - 1]!);
  };
}
