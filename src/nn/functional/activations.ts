// The activations, normalize, oneHot and pad of torch.nn.functional (implemented in src/ops).
export {
  celu, elu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu, silu, softmin, softplus, softsign,
} from "../../ops/activation.js";
export { leakyRelu } from "../../ops/unary.js";
export { normalize } from "../../ops/norm.js";
export { oneHot } from "../../ops/nn/one_hot.js";
export { type PadMode, pad } from "../../ops/shape/pad.js";
