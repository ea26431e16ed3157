// What a checkpoint holds besides the weights: trainer.json's JSON state (step, schedule, every
// RNG, optimizer hyperparameters and step counts, config) and the optimizer moments by parameter
// name. captureState reads a Trainer; restoreState checks a read checkpoint against the trainer
// completely before it changes anything.

import { packageVersion } from "../util/version.js";
import type { BatchSamplerState } from "../data/batch_sampler.js";
import type { TokenizerJSON } from "../data/tokenizer.js";
import type { HyperValue, OptimizerStateDict } from "../optim/optimizer.js";
import { fmt, shapesEqual } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { type GeneratorState, defaultGenerator } from "../util/rng.js";
import { GradScaler, type GradScalerState } from "../amp/grad_scaler.js";
import type { Precision, TrainConfig } from "./config.js";
import { CheckpointMismatchError } from "./checkpoint_errors.js";
import type { Trainer } from "./trainer.js";

export const TRAINER_FORMAT = "descent-trainer";
export const TRAINER_FORMAT_VERSION = 1;

/** PyTorch's names for AdamW's moment buffers (optimizer.safetensors holds `<param>.exp_avg`, ...). */
export const MOMENT_NAMES = { expAvg: "exp_avg", expAvgSq: "exp_avg_sq" } as const;

export interface OptimizerJSON {
  name: "AdamW";
  /** Hyperparameters per group and the names of the group's parameters. */
  paramGroups: { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; params: string[] }[];
  /** AdamW's per-parameter step count (absent before a parameter's first update). */
  steps: Record<string, number>;
}

/** trainer.json */
export interface TrainerJSON {
  format: typeof TRAINER_FORMAT;
  formatVersion: number;
  step: number;
  config: TrainConfig;
  arch: string;
  modelConfig: Record<string, unknown>;
  elapsedSec: number;
  bestValLoss: number | null;
  lastEval: { step: number; trainLoss: number; valLoss: number } | null;
  schedule: { lastStep: number };
  rng: { global: GeneratorState; trainBatches: BatchSamplerState; evalTrain: BatchSamplerState; evalVal: BatchSamplerState };
  optimizer: OptimizerJSON;
  /** amp.GradScaler.stateDict() ({} unless fp16); absent in checkpoints from before precision existed. */
  scaler?: GradScalerState | Record<string, never>;
  /** Optimizer steps skipped for Inf/NaN gradients so far (fp16). */
  skippedSteps?: number;
  versions: { descent: string; node: string };
  extra: Record<string, unknown>;
}

export interface TrainerState {
  json: TrainerJSON;
  /** model.safetensors: the model's stateDict (a tied head once). */
  model: Record<string, Tensor>;
  /** optimizer.safetensors: `<param>.exp_avg` and `<param>.exp_avg_sq`. */
  moments: Record<string, Tensor>;
  tokenizer: TokenizerJSON | null;
  modelConfig: Record<string, unknown>;
}

/** A checkpoint as read from disk (see checkpoint.ts), before it is applied. */
export interface LoadedCheckpoint {
  dir: string;
  json: TrainerJSON;
  model: Map<string, Tensor>;
  moments: Map<string, Tensor>;
  tokenizer: TokenizerJSON | null;
  modelConfig: Record<string, unknown>;
}

function paramNames(t: Trainer): Map<Tensor, string> {
  const names = new Map<Tensor, string>();
  for (const [n, p] of t.model.namedParameters()) if (!names.has(p)) names.set(p, n);
  return names;
}

export function captureState(t: Trainer): TrainerState {
  const names = paramNames(t);
  const sd = t.optimizer.stateDict();
  const flat = t.optimizer.paramGroups.flatMap((g) => g.params);
  const moments: Record<string, Tensor> = {};
  const steps: Record<string, number> = {};
  for (const [idx, st] of Object.entries(sd.state)) {
    const name = names.get(flat[Number(idx)]!)!;
    steps[name] = st.step;
    for (const [buf, torchName] of Object.entries(MOMENT_NAMES)) moments[`${name}.${torchName}`] = st.buffers[buf]!;
  }
  const json: TrainerJSON = {
    format: TRAINER_FORMAT,
    formatVersion: TRAINER_FORMAT_VERSION,
    step: t.step,
    config: { ...t.config },
    arch: t.arch,
    modelConfig: t.modelConfig,
    elapsedSec: t.elapsedBefore + t.elapsedSessionSec,
    bestValLoss: t.bestValLoss,
    lastEval: t.lastEval && { step: t.lastEval.step, trainLoss: t.lastEval.trainLoss, valLoss: t.lastEval.valLoss },
    schedule: t.scheduler.stateDict(),
    rng: {
      global: defaultGenerator.getState(),
      trainBatches: t.trainBatches.getState(),
      evalTrain: t.evalBatches.train.getState(),
      evalVal: t.evalBatches.val.getState(),
    },
    optimizer: {
      name: "AdamW",
      paramGroups: sd.paramGroups.map((g) => ({
        lr: g["lr"] as number,
        betas: [...(g["betas"] as [number, number])] as [number, number],
        eps: g["eps"] as number,
        weightDecay: g["weightDecay"] as number,
        amsgrad: g["amsgrad"] as boolean,
        params: g.params.map((i) => names.get(flat[i]!)!),
      })),
      steps,
    },
    scaler: t.scaler.stateDict(),
    skippedSteps: t.skippedSteps,
    versions: { descent: packageVersion(), node: process.version },
    extra: t.extra,
  };
  const model = t.model.stateDict() as Record<string, Tensor>;
  return { json, model, moments, tokenizer: t.tokenizer?.toJSON() ?? null, modelConfig: t.modelConfig };
}

/** Settings a resumed run may change; every other TrainConfig value must equal the checkpoint's. */
export const RESUMABLE_OVERRIDES: readonly (keyof TrainConfig)[] = [
  "steps", "evalInterval", "evalIters", "checkpointInterval", "sampleTokens", "sampleTemperature", "peakFlops",
  "healthInterval", "spikeFactor", "gradNormWarn",
];

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/** A checkpoint's precision; checkpoints written before the setting existed trained in fp32. */
export function checkpointPrecision(j: TrainerJSON): Precision {
  return (j.config as Partial<TrainConfig>).precision ?? "fp32";
}

/** Check the checkpoint against the trainer (names the file on a mismatch), then apply it. */
export function restoreState(t: Trainer, c: LoadedCheckpoint, opts: { allowPrecisionChange?: boolean } = {}): void {
  const file = (f: string) => `${c.dir}/${f}`;
  const fail = (f: string, problem: string): never => {
    throw new CheckpointMismatchError(file(f), problem);
  };
  const j = c.json;
  // Model hyperparameters and vocabulary.
  if (stable(c.modelConfig) !== stable(t.modelConfig)) {
    const keys = [...new Set([...Object.keys(c.modelConfig), ...Object.keys(t.modelConfig)])].filter((k) => stable(c.modelConfig[k]) !== stable(t.modelConfig[k]));
    fail("config.json", `the checkpoint's model differs from this one: ${keys.map((k) => `${k} ${stable(c.modelConfig[k])} (checkpoint) vs ${stable(t.modelConfig[k])}`).join(", ")}`);
  }
  if (j.arch !== t.arch) fail("trainer.json", `architecture "${j.arch}" differs from this run's "${t.arch}"`);
  const tok = t.tokenizer?.toJSON() ?? null;
  if (stable(c.tokenizer) !== stable(tok)) {
    const describe = (x: TokenizerJSON | null) => (x === null ? "none" : x.type === "char" ? `char, ${x.chars.length} characters` : `${x.type} ${x.encoding}, ${x.vocabSize} tokens`);
    fail("tokenizer.json", `the checkpoint's vocabulary (${describe(c.tokenizer)}) differs from this run's (${describe(tok)})`);
  }
  const savedPrecision = checkpointPrecision(j);
  if (savedPrecision !== t.config.precision && !opts.allowPrecisionChange) {
    fail("trainer.json", `the checkpoint trained in ${savedPrecision} but this run's config.precision is ${t.config.precision}; keep ${savedPrecision}, or pass resume(path, { allowPrecisionChange: true }) to continue in ${t.config.precision}`);
  }
  // fp16 to fp16: the loss scale and its growth tracker continue exactly (checked before anything changes).
  const scalerState = savedPrecision === "fp16" && t.config.precision === "fp16" ? j.scaler : undefined;
  if (savedPrecision === "fp16" && t.config.precision === "fp16") {
    if (!scalerState || Object.keys(scalerState).length === 0) fail("trainer.json", "an fp16 checkpoint without its loss scaler state (scaler)");
    const probe = new GradScaler();
    try {
      probe.loadStateDict(scalerState!);
    } catch (e) {
      fail("trainer.json", `scaler: ${(e as Error).message}`);
    }
  }
  const skipped = j.skippedSteps ?? 0;
  if (!Number.isInteger(skipped) || skipped < 0 || skipped > j.step) fail("trainer.json", `skippedSteps ${stable(j.skippedSteps)} must be an integer in [0, step ${j.step}]`);
  for (const k of Object.keys(t.config) as (keyof TrainConfig)[]) {
    if (RESUMABLE_OVERRIDES.includes(k) || k === "precision") continue;
    if (j.config[k] !== t.config[k]) fail("trainer.json", `config.${k} is ${String(j.config[k])} in the checkpoint but ${t.config[k]} here; a resumed run keeps the checkpoint's settings (only ${RESUMABLE_OVERRIDES.join(", ")} may change)`);
  }
  if (j.step > t.config.steps) fail("trainer.json", `the checkpoint is at step ${j.step}, past the requested total of ${t.config.steps} steps`);
  // Weights: same names and shapes.
  const own = t.model.stateDict();
  const missing = Object.keys(own).filter((k) => !c.model.has(k));
  const unexpected = [...c.model.keys()].filter((k) => !(k in own));
  if (missing.length || unexpected.length) {
    fail("model.safetensors", `tensor names differ from the model's: ${missing.length ? `missing ${missing.slice(0, 5).join(", ")}` : ""}${missing.length && unexpected.length ? "; " : ""}${unexpected.length ? `unexpected ${unexpected.slice(0, 5).join(", ")}` : ""}`);
  }
  for (const [k, v] of c.model) {
    const p = own[k]!;
    if (!shapesEqual(v.shape, p.shape)) fail("model.safetensors", `tensor ${k} has shape ${fmt(v.shape)}, the model's is ${fmt(p.shape)}`);
    if (v.dtype !== p.dtype) fail("model.safetensors", `tensor ${k} is ${v.dtype}, the model's is ${p.dtype}`);
  }
  // Optimizer: groups by name, moments by shape.
  const names = paramNames(t);
  const groups = t.optimizer.paramGroups;
  if (j.optimizer?.name !== "AdamW" || !Array.isArray(j.optimizer.paramGroups) || j.optimizer.paramGroups.length !== groups.length) {
    fail("trainer.json", `optimizer must be AdamW with ${groups.length} param groups, got ${stable(j.optimizer?.name)} with ${j.optimizer?.paramGroups?.length} groups`);
  }
  const index = new Map<string, number>();
  groups.flatMap((g) => g.params).forEach((p, i) => index.set(names.get(p)!, i));
  const sdState: OptimizerStateDict["state"] = {};
  const sdGroups: OptimizerStateDict["paramGroups"] = [];
  j.optimizer.paramGroups.forEach((g, gi) => {
    const here = groups[gi]!.params.map((p) => names.get(p)!);
    if (!Array.isArray(g.params) || stable(g.params) !== stable(here)) fail("trainer.json", `optimizer group ${gi} lists other parameters than this model's`);
    sdGroups.push(Object.assign({ lr: g.lr, betas: g.betas, eps: g.eps, weightDecay: g.weightDecay, amsgrad: g.amsgrad } as Record<string, HyperValue>, { params: g.params.map((n) => index.get(n)!) }));
  });
  const expectedMoments = new Set<string>();
  for (const [name, step] of Object.entries(j.optimizer.steps ?? {})) {
    const i = index.get(name);
    if (i === undefined) fail("trainer.json", `optimizer step count for unknown parameter ${name}`);
    if (!Number.isInteger(step) || step < 0) fail("trainer.json", `optimizer step count of ${name} is ${stable(step)}`);
    const p = own[name] ?? groups.flatMap((g) => g.params)[i!]!;
    const buffers: Record<string, Tensor> = {};
    for (const [buf, torchName] of Object.entries(MOMENT_NAMES)) {
      const key = `${name}.${torchName}`;
      expectedMoments.add(key);
      const m = c.moments.get(key);
      if (!m) fail("optimizer.safetensors", `no tensor ${key}`);
      if (!shapesEqual(m!.shape, p.shape)) fail("optimizer.safetensors", `tensor ${key} has shape ${fmt(m!.shape)}, the parameter's is ${fmt(p.shape)}`);
      buffers[buf] = m!;
    }
    sdState[i!] = { step, buffers };
  }
  const extraMoments = [...c.moments.keys()].filter((k) => !expectedMoments.has(k));
  if (extraMoments.length) fail("optimizer.safetensors", `unexpected tensors ${extraMoments.slice(0, 5).join(", ")}`);
  if (!Number.isInteger(j.schedule?.lastStep) || j.schedule.lastStep !== j.step) fail("trainer.json", `schedule.lastStep ${stable(j.schedule?.lastStep)} does not match step ${j.step}`);
  // Apply: the model and optimizer validate again and change nothing on failure.
  t.model.loadStateDict(Object.fromEntries(c.model));
  t.optimizer.loadStateDict({ state: sdState, paramGroups: sdGroups });
  t.scheduler.loadStateDict(j.schedule);
  if (scalerState) t.scaler.loadStateDict(scalerState);
  t.skippedSteps = skipped;
  defaultGenerator.setState(j.rng.global);
  t.trainBatches.setState(j.rng.trainBatches);
  t.evalBatches.train.setState(j.rng.evalTrain);
  t.evalBatches.val.setState(j.rng.evalVal);
  t.step = j.step;
  t.elapsedBefore = j.elapsedSec;
  t.bestValLoss = j.bestValLoss;
  t.lastEval = j.lastEval && { ...j.lastEval, seconds: 0 };
}
