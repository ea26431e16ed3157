// The TypeScript reference backend: every kernel, every dtype, written for clarity. The oracle.

import type { Backend } from "../backend.js";
import { attentionBackward, attentionForward } from "./attention.js";
import { cast, fill, stridedCopy } from "./copy.js";
import { binary, unary, unaryBackward, where } from "./elementwise.js";
import {
  crossEntropy, crossEntropyBackward, embedding, embeddingBackward, layerNorm, layerNormBackward,
  logSoftmax, logSoftmaxBackward, softmax, softmaxBackward,
} from "./fused.js";
import { biasActivationBackward, gemm } from "./gemm.js";
import { adamUpdate, adamUpdateMany, sgdUpdate } from "./optim.js";
import { argReduce, reduce } from "./reduce.js";
import { activation, activationBackward } from "./activation.js";
import { cumExtreme, cumprodBackward, scan, sort } from "./scan.js";
import { scatterReduce, scatterReduceBackward } from "./scatter.js";
import { withStorageDTypes } from "../storage_dtypes.js";
import { rmsNorm, rmsNormBackward } from "./rms_norm.js";
import { rotaryEmb, rotaryEmbBackward } from "./rotary.js";

/** The reference kernels on float32/float64/int32 arrays (plus cast and data movement on every dtype). */
export const tsKernels: Backend = {
  name: "ts",
  unary, unaryBackward, binary, where, reduce, argReduce, gemm, stridedCopy, cast, fill,
  softmax, logSoftmax, softmaxBackward, logSoftmaxBackward, layerNorm, layerNormBackward,
  embedding, embeddingBackward, crossEntropy, crossEntropyBackward, adamUpdate, adamUpdateMany, sgdUpdate,
  activation, activationBackward, scan, cumprodBackward, cumExtreme, sort, scatterReduce, scatterReduceBackward,
  attentionForward, attentionBackward, biasActivationBackward,
  rmsNorm, rmsNormBackward, rotaryEmb, rotaryEmbBackward,
};

/** The TypeScript backend: the reference kernels, with float16/bfloat16/bool widened around them. */
export const tsBackend: Backend = withStorageDTypes(tsKernels);
