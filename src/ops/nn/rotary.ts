// Rotary position embeddings (RoPE, Su et al. 2021) in the HF LLaMA "rotate_half" layout: the
// head dim D is split into halves [x1, x2] and pair (x1[i], x2[i]) is rotated by angle
// p * theta^(-2i/D) at position p. (Meta's original code rotates interleaved pairs (x[2i], x[2i+1])
// instead; the two differ by a fixed permutation of q/k projection rows, and Descent follows HF so
// that parameter names and weights line up with HF LLaMA checkpoints.)
// Legend: B batch, H heads, T positions, D head dim, S cache length.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { isGradEnabled, record } from "../../autograd/index.js";
import { fmt, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { type FloatDType, allocate, isFloat, promoteTypes } from "../../util/dtype.js";
import { AutogradError, ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, requireFloat, requireTensor } from "../operand.js";

export interface RotaryCacheOptions {
  /** Base of the frequencies theta^(-2i/D) (default 10000, LLaMA 1/2; LLaMA 3 uses 500000). */
  theta?: number;
  /** dtype of cos and sin (default float32). Angles are computed in float64, then rounded. */
  dtype?: FloatDType;
}

export interface RotaryCache {
  /** (maxSeqLen, headDim): cos(p * invFreq[i mod D/2]), the halves repeated as in HF's cat(freqs, freqs). */
  cos: Tensor;
  sin: Tensor;
}

const CACHE = "precomputeRotaryCache";

/**
 * cos/sin tables for positions 0..maxSeqLen-1: invFreq[i] = theta^(-2i/headDim) for i < headDim/2,
 * angle[p, i] = angle[p, i + headDim/2] = p * invFreq[i] (HF's LlamaRotaryEmbedding without scaling).
 */
export function precomputeRotaryCache(headDim: number, maxSeqLen: number, opts: RotaryCacheOptions = {}): RotaryCache {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2 !== 0) {
    throw new ValueError(`${CACHE}: headDim must be a positive even integer, got ${String(headDim)}`);
  }
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 0) {
    throw new ValueError(`${CACHE}: maxSeqLen must be a non-negative integer, got ${String(maxSeqLen)}`);
  }
  const theta = opts.theta ?? 10000;
  if (typeof theta !== "number" || !Number.isFinite(theta) || theta <= 0) {
    throw new ValueError(`${CACHE}: theta must be a finite positive number, got ${String(theta)}`);
  }
  const dtype = opts.dtype ?? "float32";
  if (!isFloat(dtype)) throw new ValueError(`${CACHE}: dtype must be "float32" or "float64", got ${String(dtype)}`);
  const h = headDim / 2;
  const invFreq = Array.from({ length: h }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  const cos = allocate(dtype, maxSeqLen * headDim);
  const sin = allocate(dtype, maxSeqLen * headDim);
  for (let p = 0; p < maxSeqLen; p++) {
    for (let i = 0; i < h; i++) {
      const a = p * invFreq[i]!, c = Math.cos(a), s = Math.sin(a);
      const o = p * headDim + i;
      cos[o] = c; cos[o + h] = c;
      sin[o] = s; sin[o + h] = s;
    }
  }
  return { cos: new Tensor(cos, [maxSeqLen, headDim]), sin: new Tensor(sin, [maxSeqLen, headDim]) };
}

export interface RotaryOptions {
  /** Position of x's first row (dim -2) in the cache: rows positionOffset..positionOffset+T-1 are used (default 0). */
  positionOffset?: number;
}

const OP = "applyRotaryEmb";

/**
 * x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x[..., D/2:], x[..., :D/2]), for x of
 * shape (..., T, D) (HF's (B, H, T, D) layout: heads before positions) and cos/sin of shape
 * (S, D), S >= positionOffset + T, shared by every leading index. Differentiable in x; cos and
 * sin are a constant cache (an error if they require grad, rather than a silently missing gradient).
 */
export function applyRotaryEmb(x: Tensor, cos: Tensor, sin: Tensor, opts: RotaryOptions = {}): Tensor {
  requireTensor(OP, x, "x");
  requireFloat(OP, x, "x");
  requireTensor(OP, cos, "cos");
  requireFloat(OP, cos, "cos");
  requireTensor(OP, sin, "sin");
  requireFloat(OP, sin, "sin");
  if (x.ndim < 2) throw new ShapeError(`${OP}: x must have at least 2 dimensions (..., T, D), got ${fmt(x.shape)}`);
  const T = x.shape[x.ndim - 2]!, D = x.shape[x.ndim - 1]!;
  if (D % 2 !== 0) throw new ShapeError(`${OP}: the last dimension of x (the head dim D) must be even, got x ${fmt(x.shape)}`);
  if (cos.ndim !== 2 || !shapesEqual(cos.shape, sin.shape) || cos.shape[1] !== D) {
    throw new ShapeError(`${OP}: cos and sin must both have shape (S, D) = (S, ${D}) for x ${fmt(x.shape)}, got cos ${fmt(cos.shape)} and sin ${fmt(sin.shape)}`);
  }
  const offset = opts.positionOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ValueError(`${OP}: positionOffset must be a non-negative integer, got ${String(opts.positionOffset)}`);
  }
  const S = cos.shape[0]!;
  if (offset + T > S) {
    throw new ShapeError(`${OP}: positions ${offset}..${offset + T - 1} of x ${fmt(x.shape)} exceed the cos/sin cache of ${S} positions ${fmt(cos.shape)}`);
  }
  if (isGradEnabled() && (cos.requiresGrad || sin.requiresGrad)) {
    throw new AutogradError(`${OP}: cos and sin are a constant cache and are not differentiated; pass cos.detach() and sin.detach()`);
  }

  const dtype = promoteTypes(promoteTypes(x.dtype, cos.dtype), sin.dtype);
  const X = castTensor(x, dtype).data as FloatArray;
  const C = castTensor(cos, dtype).data as FloatArray;
  const Sn = castTensor(sin, dtype).data as FloatArray;
  const n = T * D === 0 ? 0 : x.numel / (T * D);
  const out = allocate(dtype, x.numel) as FloatArray;
  const be = getBackend();
  if (x.numel > 0) be.rotaryEmb(X, C, Sn, n, T, D, offset, out);

  return record(OP, [x], new Tensor(out, x.shape), (g) => {
    const G = castTensor(g, dtype).data as FloatArray;
    const gx = allocate(dtype, x.numel) as FloatArray;
    if (x.numel > 0) be.rotaryEmbBackward(G, C, Sn, n, T, D, offset, gx);
    return [new Tensor(gx, x.shape)];
  }, { saves: [cos, sin] }); // reads the cache, never x
}
