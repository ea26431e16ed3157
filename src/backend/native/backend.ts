// The native Backend: every kernel of src/backend/backend.ts routed to the Node-API addon for
// float32/float64 (and int32 where the interface allows). The TypeScript reference runs only for
// dtype combinations the addon does not take (mixed input dtypes), > 16 dims, and binary/where
// outputs under 32 elements (where the call costs more than the loop; results are identical).
// fill uses TypedArray.prototype.fill, which is already native.

import { BFloat16Bits, Float16Bits, type TypedArray } from "../../util/dtype.js";
import type {
  AdamTensorUpdate, AttentionParams, AdamParams, Backend, BinaryOp, FloatArray, GemmParams, ReduceOp, SgdParams, StridedCopyParams, UnaryOp,
} from "../backend.js";
import { broadcastStrides } from "../ts/elementwise.js";
import { tsBackend } from "../ts/index.js";
import { withStorageDTypes } from "../storage_dtypes.js";
import type { NativeAddon } from "./addon.js";

const UNARY: readonly UnaryOp[] = [
  "neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign", "reciprocal", "square", "tanh", "sigmoid",
  "relu", "gelu", "geluTanh", "sin", "cos", "erf", "log1p", "expm1",
];
const BINARY: readonly BinaryOp[] = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge",
];
const REDUCE: readonly ReduceOp[] = ["sum", "max", "min", "prod"];
const unaryCode = new Map(UNARY.map((op, i) => [op, i]));
/** Added to a GEMM epilogue's activation code: C keeps act'(pre-activation) (native/gemm.h kActSaveDerivative). */
const KEEP_DERIVATIVE = 256;
/** The silu activation runs on the addon's unary kernels under the code after UNARY's (kernels.h's U_SILU). */
const SILU_CODE = UNARY.length;
const binaryCode = new Map(BINARY.map((op, i) => [op, i]));
const reduceCode = new Map(REDUCE.map((op, i) => [op, i]));

/** float32, float64 or int32: the arrays the addon's kernels take. */
function isWide(a: TypedArray): a is Float32Array | Float64Array | Int32Array {
  return a instanceof Float32Array || a instanceof Float64Array || a instanceof Int32Array;
}

function sameType(a: TypedArray, b: TypedArray): boolean {
  return a.constructor === b.constructor;
}

// One reusable meta buffer: allocating a typed array per call costs more than a small kernel,
// and calls are synchronous on one JS thread, so sharing it is safe.
const META = new Float64Array(1 + 16 * 4);

function meta(values: readonly number[]): Float64Array {
  META.set(values);
  return META;
}

/**
 * Merge adjacent dims that are contiguous for every operand and drop size-1 dims, so kernels
 * see the longest possible inner runs. Returns [nd, shape..., strides of each operand...]
 * in the shared META buffer.
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Float64Array {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d]!;
    if (s === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((sv, q) => st[q]![last] === sv[d]! * s)) {
      dims[last] = dims[last]! * s;
      strides.forEach((sv, q) => { st[q]![last] = sv[d]!; });
    } else {
      dims.push(s);
      strides.forEach((sv, q) => st[q]!.push(sv[d]!));
    }
  }
  if (dims.length === 0) { // a scalar (or all-ones shape): one element
    dims.push(1);
    st.forEach((s) => s.push(0));
  }
  const nd = dims.length;
  META[0] = nd;
  META.set(dims, 1);
  st.forEach((s, q) => META.set(s, 1 + nd * (q + 1)));
  return META;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Is `suffix` the trailing dims of `shape` (a row broadcast, e.g. (R, C) + (C))? */
function isSuffix(suffix: readonly number[], shape: readonly number[]): boolean {
  const off = shape.length - suffix.length;
  if (off < 0) return false;
  for (let i = 0; i < suffix.length; i++) if (suffix[i] !== shape[off + i]) return false;
  return true;
}

/** Below this many output elements the N-API call costs more than the TS loop (results are identical). */
const SMALL = 32;

/** Binary-op meta for the common layouts without the general collapse: [nd, shape, stridesA, stridesB]. */
function binaryMeta(aShape: readonly number[], aLen: number, bShape: readonly number[], bLen: number,
  outShape: readonly number[], n: number): Float64Array {
  const aFull = aLen === n && sameShape(aShape, outShape), bFull = bLen === n && sameShape(bShape, outShape);
  if (aFull && bFull) return meta([1, n, 1, 1]);
  if (aFull && bLen === 1) return meta([1, n, 1, 0]);
  if (bFull && aLen === 1) return meta([1, n, 0, 1]);
  if (aFull && bLen > 0 && isSuffix(bShape, outShape)) return meta([2, n / bLen, bLen, bLen, 1, 0, 1]);
  return collapse(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
}

const ATTN_META = new Float64Array(24);

function attentionMeta(p: AttentionParams): Float64Array {
  const m = ATTN_META;
  m[0] = p.batch; m[1] = p.heads; m[2] = p.L; m[3] = p.S; m[4] = p.E; m[5] = p.Ev; m[6] = p.scale; m[7] = p.causal ? 1 : 0;
  [p.q, p.k, p.v, p.out].forEach((l, i) => {
    m[8 + 4 * i] = l.offset; m[9 + 4 * i] = l.strideB; m[10 + 4 * i] = l.strideH; m[11 + 4 * i] = l.strideT;
  });
  return m;
}

export function createNativeBackend(N: NativeAddon): Backend {
  return withStorageDTypes(nativeKernels(N));
}

/** Half and bool arrays never reach these (withStorageDTypes widens them) except in cast. */
function nativeKernels(N: NativeAddon): Backend {
  return {
    name: "native",

    unary(op, x, out) {
      const code = unaryCode.get(op); // ops without a native kernel run on the TS reference
      if (code === undefined || !sameType(x, out)) return tsBackend.unary(op, x, out);
      N.unary(code, x, out);
    },

    unaryBackward(op, x, y, gy, out) {
      const code = unaryCode.get(op);
      if (code === undefined || !sameType(x, y) || !sameType(x, gy) || !sameType(x, out)) return tsBackend.unaryBackward(op, x, y, gy, out);
      N.unaryBackward(code, x, y, gy, out);
    },

    binary(op, a, aShape, b, bShape, out, outShape) {
      const code = binaryCode.get(op);
      if (code === undefined || !sameType(a, b) || (code < 7 && !sameType(a, out)) || outShape.length > 16 || out.length < SMALL) {
        return tsBackend.binary(op, a, aShape, b, bShape, out, outShape);
      }
      N.binary(code, a, b, out, binaryMeta(aShape, a.length, bShape, b.length, outShape, out.length));
    },

    where(cond, condShape, a, aShape, b, bShape, out, outShape) {
      if (!sameType(a, b) || !sameType(a, out) || outShape.length > 16 || out.length < SMALL) {
        return tsBackend.where(cond, condShape, a, aShape, b, bShape, out, outShape);
      }
      const meta = collapse(outShape, [
        broadcastStrides(condShape, outShape), broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape),
      ]);
      N.where(cond, a, b, out, meta);
    },

    reduce(op, x, outer, size, inner, out) {
      N.reduce(reduceCode.get(op)!, x, outer, size, inner, out);
    },

    argReduce(op, x, outer, size, inner, out) {
      if (size < 1) return tsBackend.argReduce(op, x, outer, size, inner, out);
      N.argReduce(op === "argmin", x, outer, size, inner, out);
    },

    gemm(a, b, c, p: GemmParams) {
      if (!sameType(a, b) || !sameType(a, c)) return tsBackend.gemm(a, b, c, p);
      const bias = p.bias ?? null, act = p.activation ? p.activationOut ?? null : null;
      if (!bias && !act) {
        N.gemm(a, b, c, p.batch, p.m, p.n, p.k, p.transA, p.transB, p.alpha, p.beta,
          p.strideA, p.strideB, p.strideC, p.offsetA, p.offsetB, p.offsetC);
        return;
      }
      if ((bias && !sameType(a, bias)) || (act && !sameType(a, act)) || !N.biasActBackward) return tsBackend.gemm(a, b, c, p);
      N.gemm(a, b, c, p.batch, p.m, p.n, p.k, p.transA, p.transB, p.alpha, p.beta,
        p.strideA, p.strideB, p.strideC, p.offsetA, p.offsetB, p.offsetC,
        bias, p.activation ? unaryCode.get(p.activation)! + (p.keepDerivative ? KEEP_DERIVATIVE : 0) : -1, act);
    },

    biasActivationBackward(activation, x, gy, rows, cols, gx, gBias) {
      const same = (t: FloatArray | null): boolean => t === null || sameType(t, gy);
      if (!N.biasActBackward || !same(x) || !same(gx) || !same(gBias)) {
        return tsBackend.biasActivationBackward(activation, x, gy, rows, cols, gx, gBias);
      }
      const code = activation === null ? -1 : activation === "derivative" ? -2 : unaryCode.get(activation)!;
      N.biasActBackward(code, x, gy, rows, cols, gx, gBias);
    },

    // silu (the LLaMA MLP's) is native; the other activations, scans and sort run on the TS reference.
    activation(op, x, p, out) {
      if (op !== "silu" || !sameType(x, out)) return tsBackend.activation(op, x, p, out);
      N.unary(SILU_CODE, x, out);
    },

    activationBackward(op, x, y, gy, p, out) {
      if (op !== "silu" || !sameType(x, y) || !sameType(x, gy) || !sameType(x, out)) return tsBackend.activationBackward(op, x, y, gy, p, out);
      N.unaryBackward(SILU_CODE, x, y, gy, out);
    },

    scan: tsBackend.scan,
    cumprodBackward: tsBackend.cumprodBackward,
    cumExtreme: tsBackend.cumExtreme,
    sort: tsBackend.sort,
    scatterReduce: tsBackend.scatterReduce,
    scatterReduceBackward: tsBackend.scatterReduceBackward,

    stridedCopy(src, dst, p: StridedCopyParams) {
      if (!sameType(src, dst) || p.shape.length > 16) return tsBackend.stridedCopy(src, dst, p);
      let total = 1;
      for (const s of p.shape) total *= s;
      if (total === 0) return;
      N.stridedCopy(src, dst, collapse(p.shape, [p.srcStrides, p.dstStrides]), p.srcOffset, p.dstOffset, p.accumulate);
    },

    cast(src, dst) {
      if (isWide(src) && isWide(dst)) return N.cast(src, dst);
      const half = (a: TypedArray): a is Float16Bits | BFloat16Bits => a instanceof Float16Bits || a instanceof BFloat16Bits;
      if (N.halfFromFloat32 && N.halfToFloat32 && (half(src) || half(dst)) && src.constructor !== dst.constructor) {
        // float16/bfloat16 on the F16C / AVX-512 BF16 kernels, other dtypes through a float32 step.
        if (half(dst)) {
          const f = src instanceof Float32Array ? src : new Float32Array(src.length);
          if (f !== src) this.cast(src, f);
          return N.halfFromFloat32(f, dst, dst instanceof BFloat16Bits);
        }
        if (half(src)) {
          const f = dst instanceof Float32Array ? dst : new Float32Array(src.length);
          N.halfToFloat32(src, f, src instanceof BFloat16Bits);
          if (f !== dst) this.cast(f, dst);
          return;
        }
      }
      tsBackend.cast(src, dst);
    },

    fill(out, value) {
      // Large arrays on both cores (a zeroGrad of megabytes of gradients); the rest, and the
      // dtypes the addon does not store, through TypedArray.prototype.fill (a native loop too).
      if (N.fill && out.length >= 1 << 18 && isWide(out)) N.fill(out, value);
      else out.fill(value);
    },

    softmax(x, rows, cols, out) {
      if (!sameType(x, out)) return tsBackend.softmax(x, rows, cols, out);
      N.softmax(x, rows, cols, out, false);
    },

    logSoftmax(x, rows, cols, out) {
      if (!sameType(x, out)) return tsBackend.logSoftmax(x, rows, cols, out);
      N.softmax(x, rows, cols, out, true);
    },

    softmaxBackward(y, gy, rows, cols, gx) {
      if (!sameType(y, gy) || !sameType(y, gx)) return tsBackend.softmaxBackward(y, gy, rows, cols, gx);
      N.softmaxBackward(y, gy, rows, cols, gx, false);
    },

    logSoftmaxBackward(y, gy, rows, cols, gx) {
      if (!sameType(y, gy) || !sameType(y, gx)) return tsBackend.logSoftmaxBackward(y, gy, rows, cols, gx);
      N.softmaxBackward(y, gy, rows, cols, gx, true);
    },

    layerNorm(x, weight, bias, rows, cols, eps, out, mean, rstd) {
      const arrs = [weight, bias, out, mean, rstd].filter((v): v is FloatArray => v !== null);
      if (!arrs.every((v) => sameType(x, v))) return tsBackend.layerNorm(x, weight, bias, rows, cols, eps, out, mean, rstd);
      N.layerNorm(x, weight, bias, rows, cols, eps, out, mean, rstd);
    },

    layerNormBackward(x, weight, mean, rstd, gy, rows, cols, gx, gWeight, gBias) {
      const arrs = [weight, mean, rstd, gy, gx, gWeight, gBias].filter((v): v is FloatArray => v !== null);
      if (!arrs.every((v) => sameType(x, v))) {
        return tsBackend.layerNormBackward(x, weight, mean, rstd, gy, rows, cols, gx, gWeight, gBias);
      }
      N.layerNormBackward(x, weight, mean, rstd, gy, rows, cols, gx, gWeight, gBias);
    },

    embedding(table, idx, cols, out) {
      if (!sameType(table, out)) return tsBackend.embedding(table, idx, cols, out);
      N.embedding(table, idx, cols, out);
    },

    embeddingBackward(gy, idx, cols, gTable) {
      if (!sameType(gy, gTable)) return tsBackend.embeddingBackward(gy, idx, cols, gTable);
      N.embeddingBackward(gy, idx, cols, gTable);
    },

    crossEntropy(logits, targets, rows, cols, ignoreIndex, labelSmoothing, loss, probs) {
      if (!sameType(logits, loss) || !sameType(logits, probs)) {
        return tsBackend.crossEntropy(logits, targets, rows, cols, ignoreIndex, labelSmoothing, loss, probs);
      }
      N.crossEntropy(logits, targets, rows, cols, ignoreIndex, labelSmoothing, loss, probs);
    },

    crossEntropyBackward(probs, targets, rows, cols, ignoreIndex, labelSmoothing, rowScale, gLogits) {
      if (!sameType(probs, rowScale) || !sameType(probs, gLogits)) {
        return tsBackend.crossEntropyBackward(probs, targets, rows, cols, ignoreIndex, labelSmoothing, rowScale, gLogits);
      }
      N.crossEntropyBackward(probs, targets, rows, cols, ignoreIndex, labelSmoothing, rowScale, gLogits);
    },

    adamUpdate(param, grad, m, v, vmax, p: AdamParams) {
      if (![grad, m, v, ...(vmax ? [vmax] : [])].every((a) => sameType(param, a))) {
        return tsBackend.adamUpdate(param, grad, m, v, vmax, p);
      }
      // Bias corrections computed here with Math.pow so they match the reference bit for bit.
      const bc1 = 1 - Math.pow(p.beta1, p.step);
      const bc2Sqrt = Math.sqrt(1 - Math.pow(p.beta2, p.step));
      N.adamUpdate(param, grad, m, v, vmax, p.lr, p.beta1, p.beta2, p.eps, p.weightDecay,
        p.decoupled, bc1, bc2Sqrt, p.gradScale);
    },

    adamUpdateMany(updates) {
      // One addon call per array type (in practice one: float32); anything mixed goes one by one.
      for (const Ctor of [Float32Array, Float64Array]) {
        const batch: AdamTensorUpdate[] = [];
        for (const u of updates) {
          const arrays = [u.param, u.grad, u.m, u.v, ...(u.vmax ? [u.vmax] : [])];
          if (arrays.every((a) => a.constructor === Ctor)) batch.push(u);
        }
        if (batch.length === 0) continue;
        if (!N.adamUpdateMany) {
          for (const u of batch) this.adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
          continue;
        }
        const meta = new Float64Array(9 * batch.length);
        batch.forEach(({ p }, i) => {
          // Bias corrections exactly as adamUpdate computes them.
          meta.set([p.lr, p.beta1, p.beta2, p.eps, p.weightDecay, 1 - Math.pow(p.beta1, p.step),
            Math.sqrt(1 - Math.pow(p.beta2, p.step)), p.gradScale, p.decoupled ? 1 : 0], 9 * i);
        });
        N.adamUpdateMany(batch.map((u) => u.param), batch.map((u) => u.grad), batch.map((u) => u.m),
          batch.map((u) => u.v), batch.map((u) => u.vmax), meta);
      }
      for (const u of updates) {
        const arrays = [u.param, u.grad, u.m, u.v, ...(u.vmax ? [u.vmax] : [])];
        if (!(arrays.every((a) => a instanceof Float32Array) || arrays.every((a) => a instanceof Float64Array))) {
          this.adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
        }
      }
    },

    sgdUpdate(param, grad, momentumBuf, p: SgdParams) {
      if (!sameType(param, grad) || (momentumBuf && !sameType(param, momentumBuf))) {
        return tsBackend.sgdUpdate(param, grad, momentumBuf, p);
      }
      N.sgdUpdate(param, grad, momentumBuf, p.lr, p.momentum, p.dampening, p.nesterov, p.weightDecay, p.firstStep);
    },

    attentionForward(q, k, v, out, lse, p) {
      if (![k, v, out, lse].every((a) => sameType(q, a))) return tsBackend.attentionForward(q, k, v, out, lse, p);
      N.attentionForward(q, k, v, out, lse, attentionMeta(p));
    },

    attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, p) {
      if (![k, v, out, gOut, lse, gq, gk, gv].every((a) => sameType(q, a))) {
        return tsBackend.attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, p);
      }
      N.attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, attentionMeta(p));
    },

    rmsNorm(x, weight, rows, cols, eps, out, rstd) {
      const arrs = [weight, out, rstd].filter((v): v is FloatArray => v !== null);
      if (!N.rmsNorm || !arrs.every((v) => sameType(x, v))) return tsBackend.rmsNorm(x, weight, rows, cols, eps, out, rstd);
      N.rmsNorm(x, weight, rows, cols, eps, out, rstd);
    },

    rmsNormBackward(x, weight, rstd, gy, rows, cols, gx, gWeight) {
      const arrs = [weight, rstd, gy, gx, gWeight].filter((v): v is FloatArray => v !== null);
      if (!N.rmsNormBackward || !arrs.every((v) => sameType(x, v))) {
        return tsBackend.rmsNormBackward(x, weight, rstd, gy, rows, cols, gx, gWeight);
      }
      N.rmsNormBackward(x, weight, rstd, gy, rows, cols, gx, gWeight);
    },

    rotaryEmb(x, cos, sin, n, t, d, offset, out) {
      if (!N.rotaryEmb || ![cos, sin, out].every((v) => sameType(x, v))) return tsBackend.rotaryEmb(x, cos, sin, n, t, d, offset, out);
      N.rotaryEmb(x, cos, sin, n, t, d, offset, out);
    },

    rotaryEmbBackward(gy, cos, sin, n, t, d, offset, gx) {
      if (!N.rotaryEmbBackward || ![cos, sin, gx].every((v) => sameType(gy, v))) {
        return tsBackend.rotaryEmbBackward(gy, cos, sin, n, t, d, offset, gx);
      }
      N.rotaryEmbBackward(gy, cos, sin, n, t, d, offset, gx);
    },
  };
}
