// scaledDotProductAttention: softmax(q k^T * scale + mask) v, composed from matmul, where/add and
// softmax. Legend: L queries, S keys, E query/key size, Ev value size; leading dims broadcast.

import { add, mul } from "../../ops/binary.js";
import { autocastActive, autocastLow, withoutAutocast } from "../../ops/autocast.js";
import { to } from "../../ops/cast.js";
import { matmul } from "../../ops/matmul.js";
import { fusedAttention, packedCausalAttention as packedAttentionOp } from "../../ops/nn/attention.js";
import { safeSoftmax } from "../../ops/nn/softmax.js";
import { requireFloat, requireTensor } from "../../ops/operand.js";
import { transpose } from "../../ops/shape/permute.js";
import { where } from "../../ops/where.js";
import { broadcastShapes, fmt, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { isFloat, isHalf, isIntegral } from "../../util/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../../util/errors.js";
import type { Generator } from "../../util/rng.js";
import { dropout } from "./dropout.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";

export interface AttentionOptions {
  /** Query i may attend to keys j <= i (top-left aligned, like PyTorch). Not with `mask`. */
  isCausal?: boolean;
  /** bool (true = may attend, as in PyTorch) or int32 (nonzero = may attend); float: added to the scores. Broadcasts to (..., L, S). */
  mask?: Tensor | null;
  /** Multiplies q k^T; default 1 / sqrt(E). */
  scale?: number | null;
  /** Dropout on the attention weights (applied whenever > 0, as in PyTorch). */
  dropoutP?: number;
  generator?: Generator;
}

const OP = "scaledDotProductAttention";
const ATTENTION_OPTIONS = optionNames<AttentionOptions>({ isCausal: true, mask: true, scale: true, dropoutP: true, generator: true });

/** (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev). Rows with every key masked give zeros. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  checkOptionKeys(OP, opts, ATTENTION_OPTIONS);
  for (const [name, t] of [["q", q], ["k", k], ["v", v]] as const) {
    requireTensor(OP, t, name);
    requireFloat(OP, t, name);
    if (t.ndim < 2) throw new ShapeError(`${OP}: ${name} must have at least 2 dimensions (..., seq, features), got ${fmt(t.shape)}`);
  }
  const L = q.shape[q.ndim - 2]!;
  const E = q.shape[q.ndim - 1]!;
  const S = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== E) {
    throw new ShapeError(`${OP}: q ${fmt(q.shape)} and k ${fmt(k.shape)} must have the same last dimension E, got ${E} and ${k.shape[k.ndim - 1]}`);
  }
  if (v.shape[v.ndim - 2] !== S) {
    throw new ShapeError(`${OP}: k ${fmt(k.shape)} and v ${fmt(v.shape)} must have the same sequence length S (dim -2), got ${S} and ${v.shape[v.ndim - 2]}`);
  }
  const batch = broadcastShapes(OP, broadcastShapes(OP, q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  const isCausal = opts.isCausal ?? false;
  const mask = opts.mask ?? null;
  if (mask && isCausal) throw new ValueError(`${OP}: pass either mask or isCausal, not both`);
  if (mask) {
    requireTensor(OP, mask, "mask");
    broadcastShapes(OP, mask.shape, [...batch, L, S], ["mask", "the attention scores (..., L, S)"]);
  }
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== "number" || !Number.isFinite(scale)) throw new ValueError(`${OP}: scale must be a finite number, got ${String(scale)}`);
  const dropoutP = opts.dropoutP ?? 0;
  if (typeof dropoutP !== "number" || !(dropoutP >= 0 && dropoutP <= 1)) {
    throw new ValueError(`${OP}: dropoutP must be between 0 and 1, got ${String(dropoutP)}`);
  }
  if (mask && !(mask.dtype === "bool" || mask.dtype === "int32" || isFloat(mask.dtype))) {
    throw new DTypeError(`${OP}: mask must be bool (true = attend), int32 (nonzero = attend) or float (added), got ${mask.dtype}`);
  }

  if (autocastActive()) {
    // One low-precision op under autocast (PyTorch's policy): inputs cast down, the body not autocast again.
    const [ql, kl, vl] = [autocastLow(q), autocastLow(k), autocastLow(v)];
    const ml = mask && isFloat(mask.dtype) ? autocastLow(mask) : mask;
    return withoutAutocast(() => attend(ql, kl, vl, ml, isCausal, scale, dropoutP, opts.generator, L, S));
  }
  return attend(q, k, v, mask, isCausal, scale, dropoutP, opts.generator, L, S);
}

function attend(
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, isCausal: boolean, scale: number, dropoutP: number,
  generator: Generator | undefined, L: number, S: number,
): Tensor {
  // The fused flash-style kernel covers causal / unmasked attention without dropout when the three
  // operands share one float32/float64 dtype and their leading dims (no broadcasting); the rest is composed.
  const lead = q.shape.slice(0, -2);
  if (!mask && !(dropoutP > 0) && (q.dtype === "float32" || q.dtype === "float64") && q.dtype === k.dtype && q.dtype === v.dtype &&
      shapesEqual(lead, k.shape.slice(0, -2)) && shapesEqual(lead, v.shape.slice(0, -2))) {
    return fusedAttention(q, k, v, isCausal, scale);
  }
  let scores = mul(matmul(q, transpose(k, -2, -1)), scale); // (..., L, S)
  if (isCausal) scores = where(causalMask(L, S), scores, -Infinity);
  if (mask) scores = isIntegral(mask.dtype) ? where(mask, scores, -Infinity) : add(scores, mask);
  let attn = safeSoftmax(scores, -1);
  if (dropoutP > 0) attn = dropout(attn, dropoutP, true, generator ? { generator } : {});
  return matmul(attn, v); // (..., L, Ev)
}

/** (L, S) bool: true where key j <= query i. */
function causalMask(L: number, S: number): Tensor {
  const m = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = 0; j <= i && j < S; j++) m[i * S + j] = 1;
  return new Tensor(m, [L, S]);
}

const PACKED = "packedCausalAttention";

/**
 * Causal multi-head self-attention from a fused q/k/v projection: qkv (B, T, 3C) -> (B, T, C),
 * the same as splitting qkv into q, k, v, viewing each as (B, nHead, T, C / nHead),
 * scaledDotProductAttention with isCausal, and merging the heads back, but with no copies: the
 * fused kernel reads and writes those layouts directly. No dropout (use the composed form).
 */
export function packedCausalAttention(qkv: Tensor, nHead: number, opts: { scale?: number | null } = {}): Tensor {
  requireTensor(PACKED, qkv, "qkv");
  requireFloat(PACKED, qkv, "qkv");
  if (qkv.ndim !== 3 || qkv.shape[2]! % 3 !== 0) {
    throw new ShapeError(`${PACKED}: qkv must be (B, T, 3C), got ${fmt(qkv.shape)}`);
  }
  const C = qkv.shape[2]! / 3;
  if (!Number.isInteger(nHead) || nHead < 1 || C % nHead !== 0) {
    throw new ValueError(`${PACKED}: nHead must be a positive integer dividing C = ${C} (qkv ${fmt(qkv.shape)}), got ${String(nHead)}`);
  }
  const scale = opts.scale ?? 1 / Math.sqrt(C / nHead);
  if (typeof scale !== "number" || !Number.isFinite(scale)) throw new ValueError(`${PACKED}: scale must be a finite number, got ${String(scale)}`);
  // Autocast's lower-precision op, as scaledDotProductAttention is. The fused kernel computes in
  // float32 (or float64), so float16/bfloat16 qkv runs through it widened and the output returns
  // to the low dtype: float32 accumulation and softmax, like PyTorch's CPU half attention.
  const low = autocastLow(qkv);
  if (isHalf(low.dtype)) return withoutAutocast(() => to(packedAttentionOp(to(low, "float32"), nHead, scale), low.dtype));
  return packedAttentionOp(low, nHead, scale);
}
