// Fused cross-entropy with class-index targets: the backend's crossEntropy kernel computes per-row
// loss and softmax probabilities in one pass; the backward is (probs - smoothed one-hot) * scale.
// Callers validate targets first; class_targets.ts also reduces the per-row losses.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { type ClassLayout, type Reduction, reduceRows, rowGrads } from "./class_targets.js";
import { dimToLast, lastToDim } from "./layout.js";

/**
 * Cross-entropy of logits laid out as `lay` against validated int32 targets. "mean" divides by
 * the number of non-ignored targets (NaN when all are ignored, like PyTorch).
 */
export function crossEntropyFused(
  logits: Tensor, targets: Tensor, lay: ClassLayout, ignoreIndex: number, labelSmoothing: number, reduction: Reduction,
): Tensor {
  const be = getBackend();
  const { C, outer, inner, rows } = lay;
  const dtype = logits.dtype;
  const tgt = targets.data as Int32Array;
  const xl = dimToLast(logits.data as FloatArray, outer, C, inner); // (rows, C)
  const loss = allocateUninit(dtype, rows) as FloatArray; // the kernel writes every row (0 where ignored)
  const probs = allocateUninit(dtype, rows * C) as FloatArray;
  if (rows > 0 && C > 0) be.crossEntropy(xl, tgt, rows, C, ignoreIndex, labelSmoothing, loss, probs);
  else loss.fill(0); // no classes: every row's loss is the empty sum
  let count = 0;
  for (let r = 0; r < rows; r++) if (tgt[r] !== ignoreIndex) count++;
  const out = reduceRows(loss, lay, reduction, count);
  return record("crossEntropy", [logits], out, (g) => {
    const rowScale = rowGrads(g, lay, reduction, count, dtype);
    const gl = allocateUninit(dtype, rows * C) as FloatArray;
    if (rows > 0 && C > 0) be.crossEntropyBackward(probs, tgt, rows, C, ignoreIndex, labelSmoothing, rowScale, gl);
    return [new Tensor(lastToDim(gl, outer, C, inner), logits.shape)];
  }, { saves: [targets], privates: [new Tensor(probs, [rows, C])] }); // reads the saved probabilities and the targets, not the logits
}
