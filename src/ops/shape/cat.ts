// cat / stack: join tensors along a dim. Forward writes each input into its window of the
// output with stridedCopy; backward copies each window of the gradient back out.

import { record } from "../../autograd/index.js";
import { fmt, normalizeDim, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { promoteTypes } from "../../util/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, empty } from "../operand.js";
import { copyWindow } from "./strides.js";
import { unsqueeze } from "./squeeze.js";

function requireList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ValueError(`${op}: expected a non-empty array of tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}: element ${i} of the list is not a Tensor (got ${t === null ? "null" : typeof t})`);
  });
}

/** Concatenate along an existing dim; all other sizes must match. 1-D empty tensors are skipped (PyTorch legacy). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  requireList("cat", tensors);
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  const ref = parts[0] ?? tensors[0]!;
  const refShape = ref.shape;
  if (ref.ndim === 0) throw new ShapeError(`cat: zero-dimensional tensor (element ${tensors.indexOf(ref)}) cannot be concatenated; use stack`);
  const d = normalizeDim("cat", dim, ref.ndim);
  let size = 0;
  let dtype = ref.dtype;
  for (const t of parts) {
    const i = tensors.indexOf(t);
    const same = t.ndim === ref.ndim && t.shape.every((s, k) => k === d || s === refShape[k]);
    if (!same) {
      throw new ShapeError(
        `cat: tensor ${i} has shape ${fmt(t.shape)} but tensor ${tensors.indexOf(ref)} has shape ${fmt(ref.shape)}; sizes must match except in dimension ${dim}`,
      );
    }
    size += t.shape[d]!;
    dtype = promoteTypes(dtype, t.dtype);
  }
  const shape = ref.shape.map((s, k) => (k === d ? size : s));
  const out = empty(shape, dtype);
  const windows: number[] = [];
  let start = 0;
  for (const t of parts) {
    windows.push(start);
    copyWindow(castTensor(t, dtype).data, out.data, shape, { dim: d, start, count: t.shape[d]!, step: 1 }, true);
    start += t.shape[d]!;
  }
  // The rule keeps the inputs' shapes, not the inputs (a closure over `parts` would keep them alive).
  const partShapes = parts.map((t) => t.shape);
  return record("cat", parts, out, (g, needs) =>
    partShapes.map((s, i) => {
      if (!needs[i]) return null;
      const gi = empty(s, g.dtype);
      copyWindow(g.data, gi.data, shape, { dim: d, start: windows[i]!, count: s[d]!, step: 1 });
      return gi;
    }), { saves: [] });
}

/** Join equal-shaped tensors along a new dim inserted at `dim` (in -(ndim+1)..ndim). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  requireList("stack", tensors);
  const ref = tensors[0]!;
  const d = normalizeDim("stack", dim, ref.ndim + 1);
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, ref.shape)) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has shape ${fmt(ref.shape)}; stack along dimension ${dim} needs equal shapes`);
    }
  });
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}
