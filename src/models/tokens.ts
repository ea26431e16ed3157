// Typed checks of a causal LM's forward inputs (the same rules and messages as GPT.forward):
// idx (B, T) int32 with 1 <= T <= blockSize and ids in [0, V); targets (B, T) int32 in [0, V) or -1.

import { fmt, shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../util/errors.js";

/** Throws (naming `op`) before any work if idx/targets are not valid token tensors for this model. */
export function checkTokenInputs(op: string, idx: unknown, targets: unknown, blockSize: number, vocabSize: number): void {
  if (!(idx instanceof Tensor)) throw new ValueError(`${op}: idx must be a Tensor of token ids (B, T), got ${idx === null ? "null" : typeof idx}`);
  if (idx.dtype !== "int32") throw new DTypeError(`${op}: idx must be int32 token ids, got dtype ${idx.dtype} ${fmt(idx.shape)}`);
  if (idx.ndim !== 2 || idx.shape[0] === 0 || idx.shape[1] === 0) {
    throw new ShapeError(`${op}: idx must be 2-D (B, T) with B >= 1 and T >= 1, got ${fmt(idx.shape)}`);
  }
  const T = idx.shape[1]!;
  if (T > blockSize) {
    throw new ShapeError(`${op}: cannot forward a sequence of length ${T}, blockSize is only ${blockSize} (idx ${fmt(idx.shape)})`);
  }
  const V = vocabSize;
  const ids = idx.data as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= V) throw new IndexError(`${op}: token id ${v} at flat index ${i} of idx ${fmt(idx.shape)} is outside the vocabulary [0, ${V})`);
  }
  if (targets === null || targets === undefined) return;
  if (!(targets instanceof Tensor)) throw new ValueError(`${op}: targets must be a Tensor (B, T) or null, got ${typeof targets}`);
  if (targets.dtype !== "int32") throw new DTypeError(`${op}: targets must be int32 token ids, got dtype ${targets.dtype} ${fmt(targets.shape)}`);
  if (!shapesEqual(targets.shape, idx.shape)) {
    throw new ShapeError(`${op}: targets ${fmt(targets.shape)} must have idx's shape ${fmt(idx.shape)}`);
  }
  const ts = targets.data as Int32Array;
  for (let i = 0; i < ts.length; i++) {
    const v = ts[i]!;
    if (v !== -1 && (v < 0 || v >= V)) {
      throw new IndexError(`${op}: target ${v} at flat index ${i} of targets ${fmt(targets.shape)} is outside the vocabulary [0, ${V}) and is not the ignore index -1`);
    }
  }
}
