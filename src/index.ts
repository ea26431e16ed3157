// Descent: tensors, reverse-mode autograd, layers, optimizers, and fast CPU kernels.
//   import { tensor, randn, noGrad, nn, optim, autograd, gradcheck } from "descent";

export {
  type Backend, type BackendInfo, backendInfo, getBackend, getNumThreads, measurePeakFlops, setBackend, setNumThreads,
} from "./backend/index.js";
export * from "./util/dtype.js";
export * from "./util/errors.js";
export { Generator, type GeneratorState, manualSeed } from "./util/rng.js";
export { type GradHook, type HookHandle, type NestedArray, Tensor } from "./tensor/tensor.js";
export * from "./tensor/create.js";
export {
  type BackwardOptions, GradcheckError, type GradcheckOptions, enableGrad, gradcheck, isGradEnabled, noGrad, setGradEnabled,
} from "./autograd/index.js";
export * as autograd from "./autograd/public.js";
export * from "./ops/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as models from "./models/index.js";
export * as io from "./io/index.js";
export * as train from "./train/index.js";
export * as amp from "./amp/index.js";
export { OptionError } from "./util/options.js";
export { type SetNumThreadsOptions, availableCores } from "./backend/index.js";
export { type CheckpointOptions, checkpoint } from "./autograd/checkpoint.js";
