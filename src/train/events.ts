// The events a Trainer emits; progress output, metrics.jsonl and reports listen to them, so the
// training loop itself stays short.

import type { Precision } from "./config.js";
import type { CompactHealth, TrainingWarning } from "./gradient_health.js";

/** One optimizer step (emitted after any evaluation of that step, so eval fields are filled in). */
export interface StepRecord {
  step: number;
  /** Mean micro-batch training loss of this step. */
  loss: number;
  /** The learning rate this step used. */
  lr: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  tokensPerSec: number;
  /** Training seconds since the run began (summed over resumed sessions). */
  elapsedSec: number;
  /**
   * Peak bytes the autograd graph held for backward during this step (saved activations,
   * parameters excluded; autograd.memoryStats), over all its micro-batches.
   */
  activationBytes?: number;
  /** Set on evaluation steps. */
  valLoss?: number;
  trainLoss?: number;
  /** Gradient health on every healthInterval-th step (see gradient_health.ts). */
  health?: CompactHealth;
  /** Loss-spike and exploding-gradient warnings of this step. */
  warnings?: TrainingWarning[];
  /** fp16 runs: the loss scale this step's backward used (amp.GradScaler). */
  lossScale?: number;
  /** fp16 runs: optimizer steps skipped for Inf/NaN gradients so far (a running count over the whole run). */
  skippedSteps?: number;
  /** fp16 runs: true when this step's gradients overflowed and the optimizer step was skipped. */
  skipped?: true;
}

export interface EvalRecord {
  step: number;
  trainLoss: number;
  valLoss: number;
  /** Seconds the evaluation took. */
  seconds: number;
}

export interface CheckpointRecord {
  step: number;
  /** The checkpoint directory written. */
  path: string;
}

export interface TrainSummary {
  /** The step reached (the total when the run completed). */
  step: number;
  totalSteps: number;
  /** Steps run in this session (fewer than step after a resume). */
  stepsThisRun: number;
  completed: boolean;
  interrupted: boolean;
  /** Tokens trained on in this session (steps · gradAccum · B · T). */
  tokens: number;
  /** Wall seconds of this session and the part spent in training steps. */
  wallSec: number;
  trainSec: number;
  /** Training tokens per second of this session (training steps only). */
  tokensPerSec: number;
  /** flopsPerToken · tokensPerSec / peakFlops, or null when the model has no FLOPs estimate. */
  mfu: number | null;
  peakFlops: number;
  bestValLoss: number | null;
  lastValLoss: number | null;
  lastTrainLoss: number | null;
  /** Loss of a model that predicts the training split's token frequencies (nats). */
  unigramEntropy: number;
  sample: string | null;
  checkpoint: string | null;
  /** The largest per-step activationBytes of this session (0 when no step ran). */
  peakActivationBytes?: number;
  /** The run's precision (config.precision). */
  precision?: Precision;
  /** fp16 runs: the loss scale at the end and the optimizer steps skipped over the whole run. */
  lossScale?: number;
  skippedSteps?: number;
}

export interface TrainerEvents {
  start: [{ step: number; totalSteps: number; resumed: boolean }];
  step: [StepRecord];
  eval: [EvalRecord];
  checkpoint: [CheckpointRecord];
  end: [TrainSummary];
  warning: [TrainingWarning];
}
