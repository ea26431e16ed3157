// nn.functional: losses, normalisation, embedding, dropout, attention and activations as functions.
export { type AttentionOptions, packedCausalAttention, scaledDotProductAttention } from "./attention.js";
export { type CrossEntropyOptions, crossEntropy } from "./cross_entropy.js";
export { type DropoutOptions, dropout } from "./dropout.js";
export {
  type BceOptions, type BceWithLogitsOptions, type ReductionOptions,
  binaryCrossEntropy, binaryCrossEntropyWithLogits, l1Loss, mseLoss,
} from "./losses.js";
export type { Reduction } from "./reduction.js";
export { type EmbeddingOptions, embedding } from "../../ops/nn/embedding.js";
export { layerNorm } from "../../ops/nn/layer_norm.js";
export { type NllLossOptions, nllLoss } from "../../ops/nn/nll_loss.js";
export { logSoftmax, softmax } from "../../ops/nn/softmax.js";
export { linear } from "../../ops/matmul.js";
export { linearGelu, linearRelu } from "../../ops/linear_activation.js";
export { type GeluOptions, gelu, relu, sigmoid, tanh } from "../../ops/unary.js";
export * from "./activations.js";
export { rmsNorm } from "../../ops/nn/rms_norm.js";
export {
  type RotaryCache, type RotaryCacheOptions, type RotaryOptions, applyRotaryEmb, precomputeRotaryCache,
} from "../../ops/nn/rotary.js";
