// The TypeScript reference backend: every kernel, every dtype, written for clarity. The oracle.

import type { Backend } from "../backend.js";
import { cast, fill, stridedCopy } from "./copy.js";
import { binary, unary, unaryBackward, where } from "./elementwise.js";
import {
  crossEntropy, crossEntropyBackward, embedding, embeddingBackward, layerNorm, layerNormBackward,
  logSoftmax, logSoftmaxBackward, softmax, softmaxBackward,
} from "./fused.js";
import { gemm } from "./gemm.js";
import { adamUpdate, sgdUpdate } from "./optim.js";
import { argReduce, reduce } from "./reduce.js";
import { rmsNorm, rmsNormBackward } from "./rms_norm.js";
import { rotaryEmb, rotaryEmbBackward } from "./rotary.js";

export const tsBackend: Backend = {
  name: "ts",
  unary, unaryBackward, binary, where, reduce, argReduce, gemm, stridedCopy, cast, fill,
  softmax, logSoftmax, softmaxBackward, logSoftmaxBackward, layerNorm, layerNormBackward,
  embedding, embeddingBackward, crossEntropy, crossEntropyBackward, adamUpdate, sgdUpdate,
  rmsNorm, rmsNormBackward, rotaryEmb, rotaryEmbBackward,
};
