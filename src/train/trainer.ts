// train.Trainer: one training run of a causal LM, the reference text's loop made complete.
// step(): gradAccum micro-batches (loss / gradAccum, backward) -> clip -> AdamW step -> schedule.
// Mixed precision (config.precision bf16/fp16) is PyTorch's recipe: the forward pass and loss run
// under amp.autocast, parameters and AdamW state stay float32, and fp16 adds an amp.GradScaler
// (scale the loss, unscale before clipping, skip the step on Inf/NaN gradients, update the scale).
// run(): steps until the total, evaluating, checkpointing and reporting through events
// ('step', 'eval', 'checkpoint', 'end') that progress output and metrics.jsonl listen to.
// Every random stream (the global generator used by dropout, the batch samplers) is part of the
// saved state, so a resumed run continues bit-identically.

import { EventEmitter } from "node:events";
import { noGrad } from "../autograd/grad_mode.js";
import { memoryStats, resetPeak } from "../autograd/saved_memory.js";
import { BatchSampler } from "../data/batch_sampler.js";
import { unigramEntropy } from "../data/dataset.js";
import type { Tokenizer } from "../data/tokenizer.js";
import { AdamW } from "../optim/adam.js";
import { clipGradNorm } from "../optim/clip.js";
import { LRScheduler } from "../optim/lr_scheduler.js";
import { warmupCosine } from "../optim/schedules.js";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { defaultGenerator } from "../util/rng.js";
import { type TrainConfig, TrainConfigError, validateTrainConfig } from "./config.js";
import type { EvalRecord, StepRecord, TrainSummary, TrainerEvents } from "./events.js";
import { type TrainableModel, weightDecayGroups } from "./model.js";
import { type TrainerState, captureState, restoreState } from "./state.js";
import { type CheckpointInfo, readCheckpoint, writeRunCheckpoint } from "./checkpoint.js";
import { enableAnomalyDetection } from "../autograd/anomaly.js";
import { autocast } from "../amp/autocast.js";
import { GradScaler } from "../amp/grad_scaler.js";
import type { HalfDType } from "../util/dtype.js";
import { SpikeMonitor, captureUpdate, compactHealth, gradientReport, layerGradNorms } from "./gradient_health.js";

export interface TrainerOptions {
  model: TrainableModel;
  /** Token streams of the two splits (see data.splitTokens). */
  train: Int32Array;
  val: Int32Array;
  config?: Partial<TrainConfig>;
  /** Decodes the final sample; written to each checkpoint as tokenizer.json. */
  tokenizer?: Tokenizer | null;
  /** Run directory for checkpoints (metrics.jsonl is the CLI's listener); null: nothing is written. */
  outDir?: string | null;
  /** The model's hyperparameters, written as config.json (default: the model's `config`, e.g. a GPTConfig). */
  modelConfig?: object;
  /** Architecture name recorded in trainer.json ("gpt"). */
  arch?: string;
  /** Anything else to record in trainer.json (e.g. the data summary). */
  extra?: Record<string, unknown>;
  /**
   * Run every training step in anomaly mode (autograd.detectAnomaly): the first NaN/Inf throws an
   * AnomalyError. Recorded in trainer.json; resume() keeps this trainer's value (it changes no numbers).
   */
  detectAnomaly?: boolean;
}

export interface ResumeOptions {
  /** Continue a checkpoint saved with another config.precision (default false: a CheckpointMismatchError). */
  allowPrecisionChange?: boolean;
}

/** Let pending signals and I/O run between steps (Ctrl-C is handled here). */
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class Trainer extends EventEmitter<TrainerEvents> {
  readonly config: TrainConfig;
  readonly model: TrainableModel;
  readonly optimizer: AdamW;
  readonly scheduler: LRScheduler;
  readonly trainBatches: BatchSampler;
  /** Separate streams for evaluation, so evaluating never shifts the training batches. */
  readonly evalBatches: { train: BatchSampler; val: BatchSampler };
  readonly tokenizer: Tokenizer | null;
  readonly outDir: string | null;
  readonly modelConfig: Record<string, unknown>;
  readonly arch: string;
  readonly extra: Record<string, unknown>;
  /** Optimizer steps done (the next step is step + 1). */
  step = 0;
  /** Training seconds before this session (restored from a checkpoint). */
  elapsedBefore = 0;
  bestValLoss: number | null = null;
  lastEval: EvalRecord | null = null;
  resumedFrom: string | null = null;
  /** The largest per-step activationBytes since this trainer was created. */
  peakActivationBytes = 0;
  private readonly params: Tensor[];
  private readonly namedParams: (readonly [string, Tensor])[];
  readonly detectAnomaly: boolean;
  /** Dynamic loss scaling of fp16 runs; a pass-through (scale 1, never skips) otherwise. */
  readonly scaler: GradScaler;
  /** Optimizer steps skipped for Inf/NaN gradients over the whole run (restored on resume). */
  skippedSteps = 0;
  /** Loss-spike and exploding-gradient watch (its running state is saved in checkpoints and restored on resume). */
  readonly spikes: SpikeMonitor;
  private stopRequested = false;
  private readonly trainEntropy: number;

  constructor(opts: TrainerOptions) {
    super();
    const config = validateTrainConfig(opts.config ?? {});
    const model = opts.model;
    if (config.blockSize > model.blockSize) {
      throw new TrainConfigError(`config.blockSize ${config.blockSize} exceeds the model's blockSize ${model.blockSize}`, "blockSize");
    }
    for (const [name, t] of [["train", opts.train], ["val", opts.val]] as const) {
      if (!(t instanceof Int32Array)) throw new ValueError(`Trainer: ${name} must be an Int32Array of token ids`);
      for (let i = 0; i < t.length; i++) {
        if (t[i]! < 0 || t[i]! >= model.vocabSize) throw new ValueError(`Trainer: ${name} token ${i} is ${t[i]}, outside the model's vocabulary [0, ${model.vocabSize})`);
      }
    }
    if (opts.tokenizer && opts.tokenizer.vocabSize > model.vocabSize) {
      throw new ValueError(`Trainer: the tokenizer has ${opts.tokenizer.vocabSize} tokens but the model only ${model.vocabSize}`);
    }
    this.config = config;
    this.model = model;
    this.tokenizer = opts.tokenizer ?? null;
    this.outDir = opts.outDir ?? null;
    this.modelConfig = { ...(opts.modelConfig ?? (model as { config?: object }).config ?? {}) } as Record<string, unknown>;
    this.arch = opts.arch ?? "custom";
    this.extra = opts.extra ?? {};
    const B = config.batchSize, T = config.blockSize;
    this.trainBatches = new BatchSampler(opts.train, B, T, config.seed + 1);
    this.evalBatches = { train: new BatchSampler(opts.train, B, T, config.seed + 2), val: new BatchSampler(opts.val, B, T, config.seed + 3) };
    this.params = model.parameters().filter((p) => p.requiresGrad);
    this.namedParams = [...model.namedParameters()].filter(([, p]) => p.requiresGrad);
    this.detectAnomaly = opts.detectAnomaly ?? false;
    this.spikes = new SpikeMonitor({ spikeFactor: config.spikeFactor, gradNormWarn: config.gradNormWarn });
    this.optimizer = new AdamW(weightDecayGroups(model, config.weightDecay), {
      lr: config.lr, betas: [config.beta1, config.beta2], eps: config.eps, weightDecay: config.weightDecay,
    });
    this.scheduler = new LRScheduler(this.optimizer, warmupCosine({ warmupSteps: config.warmupSteps, totalSteps: config.steps, maxLr: config.lr, minLr: config.minLr }));
    this.trainEntropy = unigramEntropy(opts.train, model.vocabSize);
    this.scaler = new GradScaler({ enabled: config.precision === "fp16" });
  }

  /** Run fn under this run's autocast (a plain call for fp32): training, evaluation and sampling alike. */
  private autocast<T>(fn: () => T): T {
    const p = this.config.precision;
    const dtype: HalfDType = p === "fp16" ? "float16" : "bfloat16";
    return autocast({ dtype, enabled: p !== "fp32" }, fn);
  }

  /** Tokens one optimizer step trains on. */
  get tokensPerStep(): number {
    return this.config.gradAccum * this.config.batchSize * this.config.blockSize;
  }

  /** One optimizer step; returns its record without eval fields (run() adds them and emits). */
  trainStep(): StepRecord {
    const stopAnomaly = this.detectAnomaly ? enableAnomalyDetection() : null;
    try {
      return this.trainStepInner();
    } finally {
      stopAnomaly?.();
    }
  }

  private trainStepInner(): StepRecord {
    const { gradAccum, gradClip, healthInterval, spikeFactor, gradNormWarn } = this.config;
    const t0 = performance.now();
    this.model.train();
    // Zeroed in place rather than set to none: backward then adds into the same buffers and its
    // own gradient storage goes back to the buffer pool, where fresh gradient arrays every step
    // would page-fault in (measured 3-7 % of a config (b) step). Every parameter of the models
    // trained here gets a gradient each step, so no optimizer update differs.
    this.optimizer.zeroGrad({ setToNone: false });
    // Peak saved-activation bytes of this step, relative to what other graphs held before it.
    const heldBefore = memoryStats().liveBytes;
    resetPeak();
    let loss = 0;
    for (let micro = 0; micro < gradAccum; micro++) {
      const { x, y, batchSize, blockSize } = this.trainBatches.next();
      // Forward and loss under autocast (cross-entropy itself runs in float32); backward outside it.
      const l = this.autocast(() => this.model.forward(new Tensor(x, [batchSize, blockSize]), new Tensor(y, [batchSize, blockSize])).loss!);
      // Scaled so the accumulated gradient is the mean over all micro-batches (and by the loss scale for fp16).
      this.scaler.scale(gradAccum === 1 ? l : l.div(gradAccum)).backward();
      loss += l.item() / gradAccum;
    }
    // Unscale before anything reads the gradients, so norms, clipping and health see true values.
    const lossScale = this.scaler.getScale();
    this.scaler.unscale(this.optimizer);
    const healthStep = healthInterval > 0 && (this.step + 1) % healthInterval === 0;
    // Per-layer gradient norms before clipping: one pass over the gradients, for the warnings.
    const norms = spikeFactor > 0 || gradNormWarn > 0 ? layerGradNorms(this.namedParams) : new Map<string, number>();
    const report = healthStep ? gradientReport(this.model) : null;
    const gradNorm = clipGradNorm(this.params, gradClip > 0 ? gradClip : Infinity);
    const lr = this.optimizer.paramGroups[0]!.lr;
    const updated = healthStep ? captureUpdate(this.params) : null;
    // An fp16 step whose gradients overflowed is skipped (parameters and AdamW state untouched) and
    // the scale halves. The schedule still advances, as in PyTorch's loop (scheduler.step() every
    // iteration), so a skipped step costs its learning-rate slot, never shifts the schedule.
    const stepped = this.scaler.step(this.optimizer);
    this.scaler.update();
    if (!stepped) this.skippedSteps++;
    updated?.();
    this.scheduler.step();
    this.step++;
    const seconds = (performance.now() - t0) / 1000;
    const activationBytes = Math.max(0, memoryStats().peakBytes - heldBefore);
    if (activationBytes > this.peakActivationBytes) this.peakActivationBytes = activationBytes;
    const rec: StepRecord = { step: this.step, loss, lr, gradNorm, tokensPerSec: this.tokensPerStep / seconds, elapsedSec: 0, activationBytes };
    if (this.scaler.isEnabled()) {
      rec.lossScale = lossScale;
      rec.skippedSteps = this.skippedSteps;
      if (!stepped) rec.skipped = true;
    }
    if (report) {
      // Norms and counts of the pre-clip gradients; update ratios of the step just taken.
      const after = gradientReport(this.model);
      rec.health = compactHealth({ ...report, layers: report.layers.map((l, i) => ({ ...l, updateRatio: after.layers[i]!.updateRatio })) });
    }
    // A skipped step's gradient norm is Inf/NaN by construction (that is why it was skipped): not a warning.
    const warnings = stepped ? this.spikes.check(this.step, loss, gradNorm, norms) : [];
    if (warnings.length > 0) {
      rec.warnings = warnings;
      for (const w of warnings) this.emit("warning", w);
    }
    return rec;
  }

  /**
   * Mean loss over evalIters batches of each split, in eval mode without gradients, under the
   * run's autocast: a bf16/fp16 run reports the loss of the model as it trains (low-precision matmuls).
   */
  evaluate(): EvalRecord {
    const t0 = performance.now();
    const mean = (s: BatchSampler): number => {
      let total = 0;
      for (let i = 0; i < this.config.evalIters; i++) {
        const { x, y, batchSize, blockSize } = s.next();
        total += this.model.forward(new Tensor(x, [batchSize, blockSize]), new Tensor(y, [batchSize, blockSize])).loss!.item();
      }
      return total / this.config.evalIters;
    };
    const modes = [...this.model.modules()].map((m) => [m, m.training] as const);
    this.model.eval();
    try {
      const [trainLoss, valLoss] = noGrad(() => this.autocast(() => [mean(this.evalBatches.train), mean(this.evalBatches.val)]));
      const rec = { step: this.step, trainLoss: trainLoss!, valLoss: valLoss!, seconds: (performance.now() - t0) / 1000 };
      if (this.bestValLoss === null || rec.valLoss < this.bestValLoss) this.bestValLoss = rec.valLoss;
      this.lastEval = rec;
      return rec;
    } finally {
      for (const [m, mode] of modes) m.training = mode;
    }
  }

  /** Finish the current step, then stop (save a checkpoint and end the run). Safe from a signal handler. */
  requestStop(): void {
    this.stopRequested = true;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Text generated from the tokenizer's document start (a newline, or <|endoftext|>), seeded by config.seed, under the run's autocast. */
  sample(maxNewTokens = this.config.sampleTokens, prompt?: string): string | null {
    if (!this.tokenizer || maxNewTokens === 0) return null;
    const start = prompt !== undefined ? this.tokenizer.encode(prompt) : startTokens(this.tokenizer);
    const out = this.autocast(() => this.model.generate(new Tensor(start, [1, start.length]), maxNewTokens, { temperature: this.config.sampleTemperature, seed: this.config.seed }));
    return this.tokenizer.decode(out.data as Int32Array);
  }

  /** Everything needed to continue exactly (see state.ts). */
  state(): TrainerState {
    return captureState(this);
  }

  /** Write a checkpoint into outDir (crash-safe); returns its directory. */
  saveCheckpoint(): string {
    if (this.outDir === null) throw new ValueError("Trainer.saveCheckpoint: the trainer has no outDir");
    const path = writeRunCheckpoint(this.outDir, this);
    this.emit("checkpoint", { step: this.step, path });
    return path;
  }

  /**
   * Continue from a checkpoint (a checkpoint directory or a run directory: its latest). Every file
   * is read and checked against this trainer's model, tokenizer and config before anything
   * changes; a problem is a CheckpointError naming the file.
   * A checkpoint of another precision is refused unless `allowPrecisionChange` (then the run
   * continues in this trainer's precision; an fp16 loss scale starts afresh or is dropped).
   */
  resume(pathOrRunDir: string | CheckpointInfo, opts: ResumeOptions = {}): CheckpointInfo {
    const ckpt = typeof pathOrRunDir === "string" ? readCheckpoint(pathOrRunDir) : pathOrRunDir;
    restoreState(this, ckpt, opts);
    this.resumedFrom = ckpt.dir;
    return ckpt;
  }

  /** Train until config.steps (or a stop request). Resolves with the summary (also emitted as 'end'). */
  async run(): Promise<TrainSummary> {
    const { steps, evalInterval, checkpointInterval } = this.config;
    const wall0 = performance.now();
    const firstStep = this.step;
    let trainSec = 0;
    let lastTrainLoss: number | null = null;
    this.emit("start", { step: this.step, totalSteps: steps, resumed: this.resumedFrom !== null });
    if (this.step === 0 && evalInterval > 0 && this.resumedFrom === null) this.emit("eval", this.evaluate());
    while (this.step < steps && !this.stopRequested) {
      const rec = this.trainStep();
      const stepSec = this.tokensPerStep / rec.tokensPerSec;
      trainSec += stepSec;
      rec.elapsedSec = this.elapsedBefore + trainSec;
      lastTrainLoss = rec.loss;
      let ev: EvalRecord | null = null;
      if ((evalInterval > 0 && this.step % evalInterval === 0) || this.step === steps) {
        ev = this.evaluate();
        rec.valLoss = ev.valLoss;
        rec.trainLoss = ev.trainLoss;
      }
      this.emit("step", rec);
      if (ev) this.emit("eval", ev);
      this.elapsedSessionSec = trainSec;
      if (this.outDir !== null && checkpointInterval > 0 && this.step % checkpointInterval === 0 && this.step < steps) this.saveCheckpoint();
      await yieldToEventLoop();
    }
    this.elapsedSessionSec = trainSec;
    const checkpoint = this.outDir !== null && (this.step > firstStep || this.resumedFrom === null) ? this.saveCheckpoint() : null;
    const completed = this.step >= steps;
    const sample = completed ? this.sample() : null;
    const tokens = (this.step - firstStep) * this.tokensPerStep;
    const tokensPerSec = trainSec > 0 ? tokens / trainSec : 0;
    const fpt = this.model.flopsPerToken?.(this.config.blockSize);
    const summary: TrainSummary = {
      step: this.step,
      totalSteps: steps,
      stepsThisRun: this.step - firstStep,
      completed,
      interrupted: !completed && this.stopRequested,
      tokens,
      wallSec: (performance.now() - wall0) / 1000,
      trainSec,
      tokensPerSec,
      mfu: fpt === undefined ? null : (fpt * tokensPerSec) / this.config.peakFlops,
      peakFlops: this.config.peakFlops,
      bestValLoss: this.bestValLoss,
      lastValLoss: this.lastEval?.valLoss ?? null,
      lastTrainLoss,
      unigramEntropy: this.trainEntropy,
      sample,
      checkpoint,
      peakActivationBytes: this.peakActivationBytes,
      precision: this.config.precision,
    };
    if (this.scaler.isEnabled()) {
      summary.lossScale = this.scaler.getScale();
      summary.skippedSteps = this.skippedSteps;
    }
    this.emit("end", summary);
    return summary;
  }

  /** Training seconds of this session so far (state.ts adds it to elapsedBefore when saving). */
  elapsedSessionSec = 0;
}

/** Where generated text starts: <|endoftext|> for GPT-2, else a newline, or id 0 if the vocabulary has none. */
export function startTokens(tok: Tokenizer): Int32Array {
  if (tok.type === "gpt2") return Int32Array.of(50256);
  try {
    return tok.encode("\n");
  } catch {
    return Int32Array.of(0);
  }
}
