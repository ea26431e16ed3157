// The nn barrel: Module and Parameter, layers, containers, losses as modules, init, and
// nn.functional (so users write nn.functional.crossEntropy).
import "../ops/index.js";

export { type LoadStateDictResult, Module, type StateDict, StateDictError } from "./module.js";
export { Parameter } from "./parameter.js";
export * as init from "./init.js";
export { Identity, type LayerOptions, Linear } from "./layers/linear.js";
export { Embedding } from "./layers/embedding.js";
export { LayerNorm, type LayerNormOptions } from "./layers/layer_norm.js";
export { BatchNorm1d, type BatchNormOptions } from "./layers/batch_norm.js";
export { Dropout, GELU, ReLU, Sigmoid, Tanh } from "./layers/activation.js";
export { ModuleList, Sequential, type TensorModule } from "./layers/container.js";
export { type ActivationName, MLP, type MLPOptions } from "./layers/mlp.js";
export { BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from "./layers/loss.js";
export * as functional from "./functional/index.js";
export {
  CELU, ELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, ReLU6, SELU, SiLU, Softmin, Softplus, Softsign,
} from "./layers/activation_extra.js";
export { RMSNorm, type RMSNormOptions } from "./layers/rms_norm.js";
