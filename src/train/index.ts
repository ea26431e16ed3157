// The train barrel: the Trainer, its config, events, metrics, progress, checkpoints and the
// architecture registry.
export {
  DEFAULT_PEAK_FLOPS, PRECISIONS, type Precision, TRAIN_CONFIG_DEFAULTS, TRAIN_CONFIG_KEYS, type TrainConfig, TrainConfigError, settingRange, validateTrainConfig,
} from "./config.js";
export type { CheckpointRecord, EvalRecord, StepRecord, TrainSummary, TrainerEvents } from "./events.js";
export { type TrainableModel, weightDecayGroups } from "./model.js";
export { Trainer, type TrainerOptions } from "./trainer.js";
export { MetricsWriter, metricsLine, readMetrics } from "./metrics.js";
export { ProgressRenderer, type ProgressOptions, type ProgressStream, formatDuration } from "./progress.js";
export { CHECKPOINT_FILES, type CheckpointInfo, checkpointFiles, readCheckpoint } from "./checkpoint.js";
export { resolveCheckpointDir, runDirOf } from "./checkpoint_store.js";
export { CheckpointMismatchError } from "./checkpoint_errors.js";
export { RESUMABLE_OVERRIDES, type TrainerJSON } from "./state.js";
export { ARCHITECTURES, type Architecture, architecture } from "./architectures.js";
