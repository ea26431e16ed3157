// squeeze / unsqueeze: remove or insert size-1 dims. Pure reshapes that share storage.

import { normalizeDim, normalizeDims } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { requireTensor } from "../operand.js";
import { alias } from "./reshape.js";

/** Remove size-1 dims: all of them, or only those of `dim` that have size 1 (PyTorch semantics). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  requireTensor("squeeze", x);
  // An explicit empty list names no dims (unlike reductions, where [] means all of them).
  const dims = Array.isArray(dim) && dim.length === 0 ? [] : normalizeDims("squeeze", dim, x.ndim);
  const shape = x.shape.filter((s, i) => !(s === 1 && dims.includes(i)));
  return alias("squeeze", x, shape);
}

/** Insert a size-1 dim at `dim`, in -(ndim+1)..ndim. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  requireTensor("unsqueeze", x);
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return alias("unsqueeze", x, shape);
}
