// softmax / logSoftmax over any dim on the backend's fused, numerically stable row kernels.
// A dim other than the last is moved last with a strided copy, and the result moved back.

import { autocastFloat32 } from "../autocast.js";
import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { normalizeDim } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { castTensor, requireFloat, requireTensor } from "../operand.js";
import { splitAround } from "../shape/strides.js";
import { dimToLast, lastToDim } from "./layout.js";

/** "safe" is softmax whose all -inf rows give 0 instead of NaN (attention with fully masked rows). */
type Kind = "softmax" | "logSoftmax" | "safeSoftmax";

function softmaxOp(kind: Kind, name: string, x: Tensor, dim: number): Tensor {
  requireTensor(name, x);
  requireFloat(name, x);
  const d = normalizeDim(name, dim, x.ndim);
  const { outer, size, inner } = splitAround(x.shape, d);
  const rows = outer * inner;
  const be = getBackend();
  const xl = dimToLast(x.data as FloatArray, outer, size, inner); // (rows, size)
  const yl = allocateUninit(x.dtype, x.numel) as FloatArray; // the row kernels write every element
  if (x.numel > 0) {
    if (kind === "logSoftmax") be.logSoftmax(xl, rows, size, yl);
    else be.softmax(xl, rows, size, yl);
    if (kind === "safeSoftmax") zeroMaskedRows(xl, rows, size, yl);
  }
  const y = lastToDim(yl, outer, size, inner); // yl itself when dim is effectively last
  const out = new Tensor(y, x.shape);
  // The backward reads only the output: moved last again there rather than kept twice.
  return record(name, [x], out, (g) => {
    const ylast = dimToLast(y, outer, size, inner);
    const gl = dimToLast(castTensor(g, x.dtype).data as FloatArray, outer, size, inner);
    const gx = allocateUninit(x.dtype, x.numel) as FloatArray;
    if (x.numel > 0) {
      if (kind === "logSoftmax") be.logSoftmaxBackward(ylast, gl, rows, size, gx);
      else be.softmaxBackward(ylast, gl, rows, size, gx); // rows of y that are 0 get gradient 0
    }
    return [new Tensor(lastToDim(gx, outer, size, inner), x.shape)];
  }, { saves: [out] });
}

function zeroMaskedRows(x: FloatArray, rows: number, cols: number, y: FloatArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let all = true;
    for (let c = 0; c < cols && all; c++) all = x[o + c] === -Infinity;
    if (all) y.fill(0, o, o + cols);
  }
}

/** exp(x) / sum(exp(x)) along `dim` (default the last), computed stably (max subtracted). */
export function softmax(x: Tensor, dim = -1): Tensor {
  x = autocastFloat32(x); // autocast: runs in float32
  return softmaxOp("softmax", "softmax", x, dim);
}

/** x - logsumexp(x) along `dim` (default the last). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  x = autocastFloat32(x); // autocast: runs in float32
  return softmaxOp("logSoftmax", "logSoftmax", x, dim);
}

/** Internal: softmax where rows that are entirely -inf give zeros (PyTorch's _safe_softmax). */
export function safeSoftmax(x: Tensor, dim = -1): Tensor {
  return softmaxOp("safeSoftmax", "softmax", x, dim);
}
