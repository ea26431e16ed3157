// Descent: tensors, reverse-mode autograd, layers, optimizers, and fast CPU kernels.

export { type Backend, getBackend, setBackend } from "./backend/index.js";
export * from "./util/dtype.js";
export * from "./util/errors.js";
export { Generator, manualSeed } from "./util/rng.js";
export { Tensor, type GradHook, type HookHandle, type NestedArray } from "./tensor/tensor.js";
export * from "./tensor/create.js";
export {
  type BackwardOptions, GradcheckError, type GradcheckOptions, enableGrad, gradcheck, isGradEnabled, noGrad, setGradEnabled,
} from "./autograd/index.js";
export * from "./ops/index.js";
