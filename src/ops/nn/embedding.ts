// embedding: gather rows of a (V, C) table by int32 indices of any shape -> (..., C).
// Backward scatter-adds into the table's gradient; the paddingIdx row gets none.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { fmt } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { allocate } from "../../util/dtype.js";
import { DTypeError, IndexError, ShapeError } from "../../util/errors.js";
import { castTensor, requireTensor } from "../operand.js";
import { checkOptionKeys } from "../../util/options.js";

export interface EmbeddingOptions {
  /** Row whose gradient stays zero (may be negative, counting from V). */
  paddingIdx?: number | null;
}

export function embedding(idx: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  checkOptionKeys("embedding", opts, ["paddingIdx"]);
  requireTensor("embedding", idx, "indices");
  requireTensor("embedding", weight, "weight");
  if (idx.dtype !== "int32") throw new DTypeError(`embedding: indices must be int32, got dtype ${idx.dtype} ${fmt(idx.shape)}`);
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be 2-D (V, C), got ${fmt(weight.shape)}`);
  const [V, C] = weight.shape as [number, number];
  let pad: number | null = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (!Number.isInteger(pad) || pad < -V || pad >= V) {
      throw new IndexError(`embedding: paddingIdx ${pad} is out of range for a table of ${V} rows (expected -${V}..${V - 1})`);
    }
    if (pad < 0) pad += V;
  }
  const ids = idx.data as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= V) {
      throw new IndexError(`embedding: index ${v} (at flat index ${i}) is out of range for weight ${fmt(weight.shape)} with ${V} rows (expected 0..${V - 1})`);
    }
  }
  const be = getBackend();
  const out = allocateUninit(weight.dtype, ids.length * C); // every row is copied from the table
  be.embedding(weight.data, ids, C, out);
  const padRow = pad;
  return record("embedding", [weight], new Tensor(out, [...idx.shape, C]), (g) => {
    const gw = allocate(weight.dtype, V * C) as FloatArray;
    be.embeddingBackward(castTensor(g, weight.dtype).data as FloatArray, ids, C, gw);
    if (padRow !== null) gw.fill(0, padRow * C, (padRow + 1) * C);
    return [new Tensor(gw, weight.shape)];
  }, { saves: [idx] }); // reads the indices, not the table (an optimizer step on it may come first)
}
