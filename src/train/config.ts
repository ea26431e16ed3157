// TrainConfig: every hyperparameter of a training run, its defaults (sized for `npm start` on a
// 2-core CPU: about five minutes) and its validation. Errors name the setting the way the caller
// spells it (config.batchSize in the library, --batch-size on the command line).

import { ValueError } from "../util/errors.js";

/**
 * Training precision: fp32, or mixed precision with float32 master weights and the forward pass
 * under amp.autocast in bfloat16 (bf16) or float16 with dynamic loss scaling (fp16).
 */
export type Precision = "fp32" | "bf16" | "fp16";
export const PRECISIONS: readonly Precision[] = ["fp32", "bf16", "fp16"];

export interface TrainConfig {
  /** Total optimizer steps of the run (also when resuming). */
  steps: number;
  /** Sequences per micro-batch (B). */
  batchSize: number;
  /** Tokens per sequence (T); at most the model's blockSize. */
  blockSize: number;
  /** Micro-batches per optimizer step; each loss is scaled by 1/gradAccum. */
  gradAccum: number;
  /** Peak learning rate (after warmup). */
  lr: number;
  /** Final learning rate of the cosine decay. */
  minLr: number;
  warmupSteps: number;
  /** AdamW decoupled weight decay on matrices and embeddings (none on biases and LayerNorm weights). */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Max global gradient L2 norm; 0 turns clipping off (the norm is still measured). */
  gradClip: number;
  /** Evaluate every evalInterval steps (and at the last step); 0: only at the last step. */
  evalInterval: number;
  /** Batches per split in each evaluation. */
  evalIters: number;
  /** Save a checkpoint every checkpointInterval steps (and always at the end); 0: only at the end. */
  checkpointInterval: number;
  /** Seeds the model initialisation, dropout and the batch samplers. */
  seed: number;
  /** Tokens generated for the final sample (0: no sample). */
  sampleTokens: number;
  sampleTemperature: number;
  /** Peak FLOP/s the MFU figure divides by (see DEFAULT_PEAK_FLOPS). */
  peakFlops: number;
  /** Log gradient health (per-layer grad/weight norms, update ratios) every N steps to metrics.jsonl; 0: never. */
  healthInterval: number;
  /** Warn when a step's loss exceeds spikeFactor x the running median of the last 50; 0: off. */
  spikeFactor: number;
  /** Warn when the gradient norm before clipping exceeds this; 0: off. */
  gradNormWarn: number;
  /** fp32, or bf16 / fp16 autocast (parameters and optimizer state stay float32); see Precision. */
  precision: Precision;
}

/** The settings that are numbers (all but precision). */
export type NumericTrainKey = Exclude<keyof TrainConfig, "precision">;

/**
 * Stated peak for MFU when none is given: the 2-core AVX-512 development machine's float32 GEMM
 * rate at 1024³ (about 200 GFLOP/s, bench/README.md), an assumption. `descent train` passes this
 * machine's measured FMA peak instead (measurePeakFlops(), native backend); library users can too.
 */
export const DEFAULT_PEAK_FLOPS = 200e9;

export const TRAIN_CONFIG_DEFAULTS: Readonly<TrainConfig> = Object.freeze({
  steps: 500,
  batchSize: 16,
  blockSize: 128,
  gradAccum: 1,
  lr: 3e-3,
  minLr: 3e-4,
  warmupSteps: 30,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  gradClip: 1.0,
  evalInterval: 100,
  evalIters: 8,
  checkpointInterval: 100,
  seed: 1337,
  sampleTokens: 400,
  sampleTemperature: 0.8,
  peakFlops: DEFAULT_PEAK_FLOPS,
  healthInterval: 0,
  spikeFactor: 3,
  gradNormWarn: 10,
  precision: "fp32",
});

export const TRAIN_CONFIG_KEYS = Object.keys(TRAIN_CONFIG_DEFAULTS) as (keyof TrainConfig)[];

/** A bad setting; `key` is the TrainConfig key so callers can name it their way. */
export class TrainConfigError extends ValueError {
  constructor(message: string, readonly key: string) {
    super(message);
  }
}

type Rule = { int: boolean; min: number; max: number; minOpen?: boolean; maxOpen?: boolean };

const RULES: Record<NumericTrainKey, Rule> = {
  steps: { int: true, min: 1, max: 1e9 },
  batchSize: { int: true, min: 1, max: 1 << 16 },
  blockSize: { int: true, min: 1, max: 1 << 20 },
  gradAccum: { int: true, min: 1, max: 1 << 16 },
  lr: { int: false, min: 0, max: 10, minOpen: true },
  minLr: { int: false, min: 0, max: 10 },
  warmupSteps: { int: true, min: 0, max: 1e9 },
  weightDecay: { int: false, min: 0, max: 10 },
  beta1: { int: false, min: 0, max: 1, maxOpen: true },
  beta2: { int: false, min: 0, max: 1, maxOpen: true },
  eps: { int: false, min: 0, max: 1 },
  gradClip: { int: false, min: 0, max: 1e9 },
  evalInterval: { int: true, min: 0, max: 1e9 },
  evalIters: { int: true, min: 1, max: 1e6 },
  checkpointInterval: { int: true, min: 0, max: 1e9 },
  seed: { int: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  sampleTokens: { int: true, min: 0, max: 1e6 },
  sampleTemperature: { int: false, min: 0, max: 100 },
  peakFlops: { int: false, min: 0, max: 1e21, minOpen: true },
  healthInterval: { int: true, min: 0, max: 1e9 },
  spikeFactor: { int: false, min: 0, max: 1e6 },
  gradNormWarn: { int: false, min: 0, max: 1e12 },
};

export function describeRule(r: Rule): string {
  const lo = r.minOpen ? "(" : "[";
  const hi = r.maxOpen ? ")" : "]";
  const n = (v: number) => (v >= 1e6 && Number.isInteger(v) && v !== Number.MAX_SAFE_INTEGER ? v.toExponential().replace("e+", "e") : String(v));
  return `${r.int ? "an integer" : "a number"} in ${lo}${n(r.min)}, ${n(r.max)}${hi}`;
}

/** The accepted range of a setting, in words ("an integer in [1, 65536]", "one of fp32, bf16, fp16"). */
export function settingRange(key: keyof TrainConfig): string {
  return key === "precision" ? `one of ${PRECISIONS.join(", ")}` : describeRule(RULES[key]);
}

/**
 * Fill in defaults and validate every setting and the cross-checks (minLr <= lr, warmupSteps <
 * steps; skipped with crossChecks: false, e.g. for flags that a checkpoint's settings will complete).
 * `name(key)` spells a key in messages (default `config.<key>`). Unknown keys are errors.
 */
export function validateTrainConfig(
  config: Partial<TrainConfig> = {}, name: (key: string) => string = (k) => `config.${k}`, opts: { crossChecks?: boolean } = {},
): TrainConfig {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new TrainConfigError(`train config must be an object, got ${config === null ? "null" : typeof config}`, "");
  }
  for (const k of Object.keys(config)) {
    if (!(k in TRAIN_CONFIG_DEFAULTS)) throw new TrainConfigError(`unknown training setting ${name(k)}; known: ${TRAIN_CONFIG_KEYS.join(", ")}`, k);
  }
  const c: TrainConfig = { ...TRAIN_CONFIG_DEFAULTS };
  for (const k of TRAIN_CONFIG_KEYS) if (config[k] !== undefined) (c as unknown as Record<string, unknown>)[k] = config[k];
  if (!PRECISIONS.includes(c.precision)) {
    throw new TrainConfigError(`${name("precision")} must be ${settingRange("precision")}, got ${JSON.stringify(c.precision) ?? String(c.precision)}`, "precision");
  }
  for (const k of Object.keys(RULES) as NumericTrainKey[]) {
    const r = RULES[k];
    const v = c[k] as unknown;
    const ok = typeof v === "number" && Number.isFinite(v) && (!r.int || Number.isInteger(v)) &&
      (r.minOpen ? v > r.min : v >= r.min) && (r.maxOpen ? v < r.max : v <= r.max);
    if (!ok) throw new TrainConfigError(`${name(k)} must be ${describeRule(r)}, got ${JSON.stringify(v) ?? String(v)}`, k);
  }
  if (opts.crossChecks === false) return c;
  if (c.minLr > c.lr) throw new TrainConfigError(`${name("minLr")} (${c.minLr}) must not exceed ${name("lr")} (${c.lr})`, "minLr");
  if (c.warmupSteps >= c.steps) throw new TrainConfigError(`${name("warmupSteps")} (${c.warmupSteps}) must be less than ${name("steps")} (${c.steps})`, "warmupSteps");
  return c;
}
