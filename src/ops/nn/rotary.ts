// Rotary position embeddings (RoPE, Su et al. 2021) in the HF LLaMA "rotate_half" layout: the
// head dim D is split into halves [x1, x2] and pair (x1[i], x2[i]) is rotated by angle
// p * theta^(-2i/D) at position p. (Meta's original code rotates interleaved pairs (x[2i], x[2i+1])
// instead; the two differ by a fixed permutation of q/k projection rows, and Descent follows HF so
// that parameter names and weights line up with HF LLaMA checkpoints.)
// Legend: B batch, H heads, T positions, D head dim, S cache length.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { fmt, shapesEqual } from "../../shape/shape.js";
import { zeros } from "../../tensor/create.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { type FloatDType, allocate, isFloat, promoteTypes } from "../../util/dtype.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { mul } from "../binary.js";
import { castTensor, requireFloat, requireTensor } from "../operand.js";
import { sum } from "../reduce.js";
import { cat } from "../shape/cat.js";
import { reshape } from "../shape/reshape.js";
import { narrow } from "../shape/slice.js";
import { neg } from "../unary.js";

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
 * (S, D), S >= positionOffset + T, shared by every leading index. Differentiable in x, and in
 * cos and sin too when they require grad (as PyTorch's composite formula is).
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

  const dtype = promoteTypes(promoteTypes(x.dtype, cos.dtype), sin.dtype);
  const X = castTensor(x, dtype).data as FloatArray;
  const C = castTensor(cos, dtype).data as FloatArray;
  const Sn = castTensor(sin, dtype).data as FloatArray;
  const n = T * D === 0 ? 0 : x.numel / (T * D);
  const out = allocateUninit(dtype, x.numel) as FloatArray; // the kernels write every element
  const be = getBackend();
  if (x.numel > 0) be.rotaryEmb(X, C, Sn, n, T, D, offset, out);

  const cacheNeedsGrad = cos.requiresGrad || sin.requiresGrad;
  // The closure keeps x only for the cache's gradient (what it captures stays alive with the node).
  const xShape = x.shape, xNumel = x.numel, xForCache = cacheNeedsGrad ? x : null;
  const cs = [new Tensor(C, cos.shape), new Tensor(Sn, sin.shape)]; // cos/sin, or their cast copies
  return record(OP, [x, cos, sin], new Tensor(out, xShape), (g, needs) => {
    const Gt = castTensor(g, dtype);
    let gx: Tensor | null = null;
    if (needs[0]) {
      const buf = allocateUninit(dtype, xNumel) as FloatArray;
      if (xNumel > 0) be.rotaryEmbBackward(Gt.data as FloatArray, C, Sn, n, T, D, offset, buf);
      gx = new Tensor(buf, xShape);
    }
    // A learnable cache (rare): d/dcos = sum over leading dims of g * x, d/dsin of g * rotate_half(x),
    // placed at rows offset..offset+T-1 of (S, D). Composed from ops; the backward runs under noGrad.
    const cacheGrad = (u: Tensor): Tensor => {
      const rows = sum(reshape(mul(Gt, u), [n, T, D]), 0); // (T, D)
      return cat([zeros([offset, D], { dtype }), rows, zeros([S - offset - T, D], { dtype })], 0); // (S, D)
    };
    const Xt = needs[1] || needs[2] ? castTensor(xForCache!, dtype) : null;
    const gcos = needs[1] ? cacheGrad(Xt!) : null;
    const gsin = needs[2] ? cacheGrad(rotateHalf(Xt!)) : null;
    return [gx, gcos, gsin];
  }, { saves: cacheNeedsGrad ? [x, cos, sin] : [cos, sin], holds: cs }); // x is read only for the cache's gradient
}

/** cat(-x[..., D/2:], x[..., :D/2]) (HF's rotate_half). */
function rotateHalf(x: Tensor): Tensor {
  const h = x.shape[x.ndim - 1]! / 2;
  return cat([neg(narrow(x, -1, h, h)), narrow(x, -1, 0, h)], -1);
}
