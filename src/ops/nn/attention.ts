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
  }, { saves: [q, k, v, result], privates: [new Tensor(lse, [N, L])] }); // the row log-sum-exp: private, back to the pool with the node
}

/**
 * Causal self-attention straight from a fused projection: qkv (B, T, 3C) holds q, k, v side by
 * side (nanoGPT's c_attn output), H heads of D = C / H features each; returns the heads merged
 * back side by side, (B, T, C). The kernel reads and writes those layouts in place, so there is
 * no split, no head transpose and no merge copy, and the backward writes one (B, T, 3C) gradient.
 * Equal to split(qkv, C, 2) -> view (B, T, H, D) -> transpose(1, 2) -> scaledDotProductAttention
 * (isCausal) -> transpose(1, 2) -> reshape (B, T, C). The caller validates shapes and dtype.
 */
export function packedCausalAttention(qkv: Tensor, nHead: number, scale: number): Tensor {
  const [B, T, C3] = qkv.shape as [number, number, number];
  const C = C3 / 3, D = C / nHead;
  const lay = (off: number): AttentionLayout => ({ offset: off, strideB: T * C3, strideH: D, strideT: C3 });
  const p: AttentionParams = {
    batch: B, heads: nHead, L: T, S: T, E: D, Ev: D, scale, causal: true,
    q: lay(0), k: lay(C), v: lay(2 * C), out: { offset: 0, strideB: T * C, strideH: D, strideT: C },
  };
  const dtype = qkv.dtype;
  const X = qkv.data as FloatArray;
  const out = allocate(dtype, B * T * C) as FloatArray;
  const lse = allocate(dtype, B * nHead * T) as FloatArray; // (B, H, T)
  const be = getBackend();
  if (B * T * C > 0) be.attentionForward(X, X, X, out, lse, p);
  const result = new Tensor(out, [B, T, C]);
  return record("causalSelfAttention", [qkv], result, (g) => {
    const G = castTensor(g, dtype).data as FloatArray;
    const gx = allocate(dtype, qkv.numel) as FloatArray; // every element is written: q rows, and k/v rows zeroed then summed
    if (B * T * C > 0) be.attentionBackward(X, X, X, out, G, lse, gx, gx, gx, p);
    return [new Tensor(gx, qkv.shape)];
  }, { saves: [qkv, result], privates: [new Tensor(lse, [B, nHead, T])] }); // the row log-sum-exp: private, back to the pool with the node
}
