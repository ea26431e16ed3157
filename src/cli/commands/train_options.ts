// The flags of `descent train`: one table maps each flag to its setting (a TrainConfig key, a
// model config key, or a run setting), its kind and help text. Commander only turns strings into
// numbers; ranges are checked in one place (resolveTrainSettings) with messages naming the flag.

import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { PRECISIONS, TRAIN_CONFIG_DEFAULTS, type TrainConfig, TrainConfigError, validateTrainConfig } from "../../train/config.js";
import { ARCHITECTURES, architecture } from "../../train/architectures.js";
import { UsageError } from "../errors.js";

export type SettingTarget = "train" | "model" | "run";

export interface FlagSpec {
  flag: string;
  key: string;
  target: SettingTarget;
  kind: "int" | "number" | "string" | "bool";
  help: string;
  /** Model and run defaults (train defaults come from TRAIN_CONFIG_DEFAULTS). */
  default?: number | string | boolean;
  choices?: readonly string[];
}

/** Model defaults of `descent train` / `npm start`: a 4-layer, 128-wide char-level GPT (see README for the timing). */
export const MODEL_DEFAULTS = { nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true, tieWeights: true } as const;

const T = (flag: string, key: keyof TrainConfig, kind: "int" | "number", help: string): FlagSpec => ({ flag, key, target: "train", kind, help });

/** --precision's help (also the README's summary of what reduced precision does on a CPU). */
export const PRECISION_HELP =
  "fp32, or mixed precision: bf16 or fp16 run the forward pass and loss under autocast (matmuls and attention in the low dtype, " +
  "softmax/layernorm/loss in float32) with float32 master weights and AdamW state; fp16 adds dynamic loss scaling (steps with " +
  "Inf/NaN gradients are skipped). On a CPU there is no 16-bit multiply-add: matmuls widen to float32 and convert back, so " +
  "steps are slower (measured on the default GPT: 1.4x the CPU time of fp32) for about a quarter less activation memory " +
  "(67 -> 50 MiB), at the same loss (see README, Mixed precision)";

export const TRAIN_FLAGS: readonly FlagSpec[] = [
  T("--steps", "steps", "int", "total optimizer steps (also when resuming)"),
  T("--batch-size", "batchSize", "int", "sequences per micro-batch (B)"),
  T("--block-size", "blockSize", "int", "context length in tokens (T); also the model's block size"),
  { flag: "--n-layer", key: "nLayer", target: "model", kind: "int", help: "transformer blocks", default: MODEL_DEFAULTS.nLayer },
  { flag: "--n-head", key: "nHead", target: "model", kind: "int", help: "attention heads (must divide --n-embd)", default: MODEL_DEFAULTS.nHead },
  { flag: "--n-embd", key: "nEmbd", target: "model", kind: "int", help: "channels (C)", default: MODEL_DEFAULTS.nEmbd },
  { flag: "--dropout", key: "dropout", target: "model", kind: "number", help: "dropout probability in [0, 1)", default: MODEL_DEFAULTS.dropout },
  { flag: "--checkpointing", key: "checkpointing", target: "model", kind: "string", help: "gradient checkpointing: none, or blocks (recompute each block's activations in backward: less memory, more compute)", default: "none", choices: ["none", "blocks"] },
  T("--lr", "lr", "number", "peak learning rate"),
  T("--min-lr", "minLr", "number", "final learning rate of the cosine decay"),
  T("--warmup-steps", "warmupSteps", "int", "linear warmup steps"),
  T("--weight-decay", "weightDecay", "number", "AdamW weight decay (matrices and embeddings only)"),
  T("--beta1", "beta1", "number", "AdamW beta1"),
  T("--beta2", "beta2", "number", "AdamW beta2"),
  T("--grad-clip", "gradClip", "number", "max gradient norm (0: no clipping)"),
  T("--grad-accum", "gradAccum", "int", "micro-batches per step"),
  T("--eval-interval", "evalInterval", "int", "evaluate every N steps (0: only at the end)"),
  T("--eval-iters", "evalIters", "int", "batches per split per evaluation"),
  T("--checkpoint-interval", "checkpointInterval", "int", "checkpoint every N steps (0: only at the end)"),
  { flag: "--tokenizer", key: "tokenizer", target: "run", kind: "string", help: "char or gpt2", default: "char", choices: ["char", "gpt2"] },
  { flag: "--data", key: "data", target: "run", kind: "string", help: "a UTF-8 text file or a folder of .txt files (default: the embedded State of the Union corpus)" },
  { flag: "--out", key: "out", target: "run", kind: "string", help: "run directory (default: runs/<date>-<time>)" },
  T("--seed", "seed", "int", "seed of the weights, dropout and batches"),
  { flag: "--resume", key: "resume", target: "run", kind: "string", help: "continue a run directory (its latest checkpoint) or a checkpoint directory" },
  { flag: "--threads", key: "threads", target: "run", kind: "int", help: "kernel threads (default: the cores available)" },
  { flag: "--arch", key: "arch", target: "run", kind: "string", help: `model architecture: ${Object.keys(ARCHITECTURES).join(", ")}`, default: "gpt", choices: Object.keys(ARCHITECTURES) },
  T("--sample-tokens", "sampleTokens", "int", "tokens generated for the final sample (0: none)"),
  T("--sample-temperature", "sampleTemperature", "number", "temperature of the final sample (0: greedy)"),
  T("--peak-flops", "peakFlops", "number", "peak FLOP/s the MFU figure divides by (default: this machine's float32 FMA peak, measured at start on the native backend; 200e9 on the TypeScript one)"),
  T("--health-interval", "healthInterval", "int", "log gradient health (per-layer grad and weight norms, update/weight ratios) to metrics.jsonl every N steps (0: never)"),
  T("--spike-factor", "spikeFactor", "number", "warn when the loss exceeds this × its running median (0: off)"),
  T("--grad-norm-warn", "gradNormWarn", "number", "warn when the gradient norm before clipping exceeds this (0: off)"),
  { flag: "--precision", key: "precision", target: "train", kind: "string", help: PRECISION_HELP, choices: PRECISIONS },
];

const byKey = new Map(TRAIN_FLAGS.map((f) => [f.key, f]));

/** "--batch-size" for "batchSize" (what messages call a setting). */
export function flagOf(key: string): string {
  return byKey.get(key)?.flag ?? key;
}

export function defaultText(f: FlagSpec): string {
  const d = f.target === "train" ? TRAIN_CONFIG_DEFAULTS[f.key as keyof TrainConfig] : f.default;
  return d === undefined ? "" : ` (default: ${String(d)})`;
}

/** Commander argParser: a number (or integer); the range is checked later, with the other settings. */
export function parseFlagValue(f: FlagSpec): (raw: string) => number | string {
  return (raw: string) => {
    if (f.kind === "string") {
      if (f.choices && !f.choices.includes(raw)) throw new InvalidArgumentError(`expected one of ${f.choices.join(", ")}, got "${raw}".`);
      return raw;
    }
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`expected ${f.kind === "int" ? "an integer" : "a number"}, got "${raw}".`);
    if (f.kind === "int" && !Number.isInteger(v)) throw new InvalidArgumentError(`expected an integer, got "${raw}".`);
    return v;
  };
}

export interface RunSettings {
  tokenizer: "char" | "gpt2";
  data?: string;
  out?: string;
  resume?: string;
  threads?: number;
  arch: string;
  progress: boolean;
}

export interface TrainSettings {
  train: TrainConfig;
  /** Model hyperparameters except vocabSize (known after tokenizing) and blockSize (= train.blockSize). */
  model: Record<string, unknown>;
  run: RunSettings;
  /** The settings given explicitly (flags or --config), by key. */
  explicit: Set<string>;
}

/** Read --config: a JSON object whose keys are the settings' camelCase names (batchSize, nLayer, tokenizer, ...). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--config: cannot read ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!j || typeof j !== "object" || Array.isArray(j)) throw new UsageError(`--config: ${path} must hold a JSON object of settings`);
  const known = new Set([...TRAIN_FLAGS.map((f) => f.key), "bias", "tieWeights", "progress"]);
  for (const k of Object.keys(j)) {
    if (!known.has(k)) throw new UsageError(`--config: unknown setting "${k}" in ${path}; known: ${[...known].join(", ")}`);
  }
  return j as Record<string, unknown>;
}

const range = (f: string, what: string, got: unknown) => new UsageError(`${f} must be ${what}, got ${JSON.stringify(got)}`);

/**
 * Merge defaults < --config file < flags, then validate everything (before any work). Messages
 * name the flag and the accepted range.
 */
export function resolveTrainSettings(given: Record<string, unknown>, fromFile: Record<string, unknown>): TrainSettings {
  const merged: Record<string, unknown> = { ...fromFile, ...given };
  const explicit = new Set(Object.keys(merged).filter((k) => merged[k] !== undefined));
  const trainPart: Record<string, unknown> = {};
  for (const f of TRAIN_FLAGS) if (f.target === "train" && merged[f.key] !== undefined) trainPart[f.key] = merged[f.key];
  let train: TrainConfig;
  try {
    // Resuming: the checkpoint's settings complete these, and trainCommand checks the result.
    train = validateTrainConfig(trainPart as Partial<TrainConfig>, flagOf, { crossChecks: merged["resume"] === undefined });
  } catch (e) {
    if (e instanceof TrainConfigError) throw new UsageError(e.message);
    throw e;
  }
  const num = (key: string, int: boolean, lo: number, hi: number, hiOpen = false): number => {
    const f = flagOf(key);
    const v = merged[key] ?? byKey.get(key)?.default;
    const ok = typeof v === "number" && Number.isFinite(v) && (!int || Number.isInteger(v)) && v >= lo && (hiOpen ? v < hi : v <= hi);
    if (!ok) throw range(f, `${int ? "an integer" : "a number"} in [${lo}, ${hi}${hiOpen ? ")" : "]"}`, v);
    return v as number;
  };
  const model: Record<string, unknown> = {
    nLayer: num("nLayer", true, 1, 1024),
    nHead: num("nHead", true, 1, 1024),
    nEmbd: num("nEmbd", true, 1, 65536),
    dropout: num("dropout", false, 0, 1, true),
  };
  // bias / tieWeights only when given: each architecture has its own defaults (GPT: both true).
  for (const k of ["bias", "tieWeights"]) if (merged[k] !== undefined) model[k] = merged[k];
  // A flag with choices, given in --config (the command line's parser has checked its own).
  const choice = (key: string): string | undefined => {
    const v = merged[key];
    if (v === undefined) return undefined;
    const choices = byKey.get(key)!.choices!;
    if (typeof v !== "string" || !choices.includes(v)) throw range(flagOf(key), `one of ${choices.join(", ")}`, v);
    return v;
  };
  const checkpointing = choice("checkpointing");
  if (checkpointing !== undefined) model["checkpointing"] = checkpointing;
  if ((model["nEmbd"] as number) % (model["nHead"] as number) !== 0) {
    throw new UsageError(`--n-embd (${model["nEmbd"]}) must be divisible by --n-head (${model["nHead"]})`);
  }
  for (const k of ["bias", "tieWeights"]) if (k in model && typeof model[k] !== "boolean") throw new UsageError(`--config: "${k}" must be true or false, got ${JSON.stringify(model[k])}`);
  const str = (key: string): string | undefined => {
    const v = merged[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw range(flagOf(key), "a non-empty string", v);
    return v;
  };
  const tokenizer = (choice("tokenizer") ?? "char") as RunSettings["tokenizer"];
  const arch = choice("arch") ?? "gpt";
  const known = new Set(architecture(arch).configKeys);
  for (const k of Object.keys(model)) {
    if (!known.has(k)) {
      if (explicit.has(k)) throw new UsageError(`--config: "${k}" is not a setting of the ${arch} architecture (it has ${[...known].join(", ")})`);
      delete model[k];
    }
  }
  const run: RunSettings = { tokenizer, arch, progress: merged["progress"] !== false };
  const data = str("data"), out = str("out"), resume = str("resume");
  if (data !== undefined) run.data = data;
  if (out !== undefined) run.out = out;
  if (resume !== undefined) run.resume = resume;
  if (merged["threads"] !== undefined) run.threads = num("threads", true, 1, 1024);
  return { train, model, run, explicit };
}
