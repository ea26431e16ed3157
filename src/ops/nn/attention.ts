// Fused scaled-dot-product attention on the backend's flash-style kernels: softmax(scale q k^T,
// causally masked when asked) v without materialising the (..., L, S) weights; the backward
// recomputes them from the saved row log-sum-exp. Used by nn.functional.scaledDotProductAttention
// for the cases it covers (no mask tensor, no dropout, one float dtype, equal batch dims).
// Legend: L queries, S keys, E query/key features, Ev value features; leading dims flattened to N.

import { getBackend } from "../../backend/index.js";
import type { AttentionLayout, AttentionParams, FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit as allocate } from "../../util/buffer_pool.js";
import { castTensor } from "../operand.js";

const contiguous = (rows: number, cols: number): AttentionLayout => ({ offset: 0, strideB: rows * cols, strideH: 0, strideT: cols });

/**
 * q (..., L, E), k (..., S, E), v (..., S, Ev) with identical leading dims and one float dtype
 * (the caller checks) -> (..., L, Ev).
 */
export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean, scale: number): Tensor {
  const L = q.shape[q.ndim - 2]!, E = q.shape[q.ndim - 1]!;
  const S = k.shape[k.ndim - 2]!, Ev = v.shape[v.ndim - 1]!;
  const N = L * E === 0 ? q.shape.slice(0, -2).reduce((a, b) => a * b, 1) : q.numel / (L * E);
  const p: AttentionParams = {
    batch: N, heads: 1, L, S, E, Ev, scale, causal,
    q: contiguous(L, E), k: contiguous(S, E), v: contiguous(S, Ev), out: contiguous(L, Ev),
  };
  const dtype = q.dtype;
  const out = allocate(dtype, N * L * Ev) as FloatArray;
  const lse = allocate(dtype, N * L) as FloatArray; // (N, L)
  const be = getBackend();
  if (N > 0) be.attentionForward(q.data as FloatArray, k.data as FloatArray, v.data as FloatArray, out, lse, p);
  const result = new Tensor(out, [...q.shape.slice(0, -1), Ev]);
  return record("scaledDotProductAttention", [q, k, v], result, (g) => {
    const G = castTensor(g, dtype).data as FloatArray;
    const gq = allocate(dtype, q.numel) as FloatArray;
    const gk = allocate(dtype, k.numel) as FloatArray;
    const gv = allocate(dtype, v.numel) as FloatArray;
    if (N > 0) be.attentionBackward(q.data as FloatArray, k.data as FloatArray, v.data as FloatArray, out, G, lse, gq, gk, gv, p);
    return [new Tensor(gq, q.shape), new Tensor(gk, k.shape), new Tensor(gv, v.shape)];
  }, { saves: [q, k, v, result] });
}
