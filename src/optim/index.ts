// The optim barrel: optimizers, LR schedules and the scheduler, clipping, gradient accumulation, and
// the loss scaler (defined with autocast in src/amp/; also here, where DESIGN.md places it).
import "../ops/index.js";

export {
  type Hyper, type HyperValue, type OptimizerStateDict, type ParamGroup, type ParamGroupSpec, type ParamState, type ParamsInput,
  Optimizer, OptimizerError,
} from "./optimizer.js";
export { SGD, type SGDHyper, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamHyper, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropHyper, type RMSpropOptions } from "./rmsprop.js";
export { type RmspropParams, rmspropUpdate } from "./rmsprop_update.js";
export * as schedules from "./schedules.js";
export { type Schedule, ScheduleError } from "./schedules.js";
export { LRScheduler, type LRSchedulerState, type LrOptimizer } from "./lr_scheduler.js";
export { type ClipGradNormOptions, clipGradNorm, clipGradValue } from "./clip.js";
export { type AccumulateOptions, accumulateGradients } from "./accumulate.js";
export { GradScaler, GradScalerError, type GradScalerOptions, type GradScalerState } from "../amp/grad_scaler.js";
