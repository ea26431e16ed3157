// PyTorch parity of nn.functional: losses (every reduction, ignoreIndex, labelSmoothing, class
// weights, posWeight), layerNorm, embedding, attention (causal, int and float masks), dropout
// as identity. Values and the gradient of every differentiable input to 1e-10, float64.

import {
  binaryCrossEntropyWithLogits, crossEntropy, dropout, embedding, layerNorm, mseLoss, nllLoss, scaledDotProductAttention,
} from "../../src/nn/functional/index.js";
import { runParity } from "./harness.js";

runParity("functional", {
  crossEntropy, nllLoss, mseLoss, binaryCrossEntropyWithLogits, layerNorm, embedding, scaledDotProductAttention, dropout,
});
