// Storage dtypes the arithmetic kernels never see: float16/bfloat16 (16-bit patterns) and bool
// (0/1 bytes). withStorageDTypes(kernels) wraps a backend so every arithmetic kernel gets float32
// copies of half arrays (rounded back to nearest even afterwards) and int32 copies of bool arrays
// (written back as value != 0). That is PyTorch's CPU semantics for reduced precision: compute in
// float32, round the result; reductions and GEMM accumulate in float32. Pure data movement
// (non-accumulating strided copy, gather, where) runs on the bit patterns directly, and cast is
// the one kernel each backend implements for every dtype pair.

import { BFloat16Bits, Float16Bits, type TypedArray } from "../util/dtype.js";
import { DTypeError } from "../util/errors.js";
import { toBFloat16Bits, toFloat16Bits } from "../util/half.js";
import type { Backend, FloatArray } from "./backend.js";
import { stridedCopy as stridedCopyBits } from "./ts/copy.js";
import { where as whereBits } from "./ts/elementwise.js";
import { embedding as embeddingBits } from "./ts/fused.js";

/** A float32/float64/int32 array: what arithmetic kernels take as is. */
function plain(a: TypedArray | null): boolean {
  return a === null || a instanceof Float32Array || a instanceof Float64Array || a instanceof Int32Array;
}

/** The narrow arrays of one kernel call and their wide stand-ins (one per array, so aliases stay aliases). */
class Widening {
  private readonly wide = new Map<TypedArray, TypedArray>();
  private readonly written = new Set<TypedArray>();

  constructor(private readonly kernels: Backend) {}

  /** The array the kernel reads: a plain array itself, otherwise a float32 (half) or int32 (bool) copy. */
  in<T extends TypedArray | null>(a: T): T {
    if (a === null || plain(a)) return a;
    let w = this.wide.get(a);
    if (!w) {
      w = a instanceof Uint8Array ? new Int32Array(a.length) : new Float32Array(a.length);
      this.kernels.cast(a, w);
      this.wide.set(a, w);
    }
    return w as unknown as T;
  }

  /** An array the kernel writes (and may read first, e.g. an accumulating output): copied back by finish(). */
  out<T extends TypedArray | null>(a: T): T {
    const w = this.in(a);
    if (a !== null && w !== a) this.written.add(a);
    return w;
  }

  /** Round the written arrays back into their narrow storage. */
  finish(): void {
    for (const a of this.written) this.kernels.cast(this.wide.get(a)!, a);
  }
}

function allPlain(...arrays: (TypedArray | null)[]): boolean {
  for (const a of arrays) if (!plain(a)) return false;
  return true;
}

/** `kernels` handling float16/bfloat16/bool arrays by widening (see the file comment). */
export function withStorageDTypes(kernels: Backend): Backend {
  const run = (fn: (w: Widening) => void): void => {
    const w = new Widening(kernels);
    fn(w);
    w.finish();
  };
  const f = <T extends TypedArray | null>(a: T): FloatArray => a as unknown as FloatArray;
  return {
    name: kernels.name,

    unary(op, x, out) {
      if (allPlain(x, out)) return kernels.unary(op, x, out);
      run((w) => kernels.unary(op, w.in(x), w.out(out)));
    },
    unaryBackward(op, x, y, gy, out) {
      if (allPlain(x, y, gy, out)) return kernels.unaryBackward(op, x, y, gy, out);
      run((w) => kernels.unaryBackward(op, f(w.in(x)), f(w.in(y)), f(w.in(gy)), f(w.out(out))));
    },
    binary(op, a, aShape, b, bShape, out, outShape) {
      if (allPlain(a, b, out)) return kernels.binary(op, a, aShape, b, bShape, out, outShape);
      run((w) => kernels.binary(op, w.in(a), aShape, w.in(b), bShape, w.out(out), outShape));
    },
    where(cond, condShape, a, aShape, b, bShape, out, outShape) {
      if (allPlain(cond, a, b, out)) return kernels.where(cond, condShape, a, aShape, b, bShape, out, outShape);
      if (allPlain(a, b, out)) { // only the condition is bool: widen it, keep the fast kernel
        run((w) => kernels.where(w.in(cond), condShape, a, aShape, b, bShape, out, outShape));
        return;
      }
      whereBits(cond, condShape, a, aShape, b, bShape, out, outShape); // selection copies bit patterns
    },
    reduce(op, x, outer, size, inner, out) {
      if (allPlain(x, out)) return kernels.reduce(op, x, outer, size, inner, out);
      run((w) => kernels.reduce(op, w.in(x), outer, size, inner, w.out(out)));
    },
    argReduce(op, x, outer, size, inner, out) {
      if (plain(x)) return kernels.argReduce(op, x, outer, size, inner, out);
      run((w) => kernels.argReduce(op, w.in(x), outer, size, inner, out));
    },
    gemm(a, b, c, p) {
      const bias = p.bias ?? null, act = p.activation ? (p.activationOut ?? null) : null;
      if (allPlain(a, b, c, bias, act)) return kernels.gemm(a, b, c, p);
      run((w) => kernels.gemm(f(w.in(a)), f(w.in(b)), f(w.out(c)), {
        ...p, bias: bias && f(w.in(bias)), activationOut: act && f(w.out(act)),
      }));
    },
    biasActivationBackward(activation, x, gy, rows, cols, gx, gBias) {
      if (allPlain(x, gy, gx, gBias)) return kernels.biasActivationBackward(activation, x, gy, rows, cols, gx, gBias);
      run((w) => kernels.biasActivationBackward(activation, x && f(w.in(x)), f(w.in(gy)), rows, cols,
        gx && f(w.out(gx)), gBias && f(w.out(gBias))));
    },
    stridedCopy(src, dst, p) {
      if (allPlain(src, dst)) return kernels.stridedCopy(src, dst, p);
      if (!p.accumulate && src.constructor === dst.constructor) return stridedCopyBits(src, dst, p);
      run((w) => kernels.stridedCopy(w.in(src), w.out(dst), p));
    },
    cast(src, dst) {
      kernels.cast(src, dst);
    },
    fill(out, value) {
      if (out instanceof Float16Bits) out.fill(toFloat16Bits(value));
      else if (out instanceof BFloat16Bits) out.fill(toBFloat16Bits(value));
      else if (out instanceof Uint8Array) out.fill(value !== 0 ? 1 : 0);
      else kernels.fill(out, value);
    },

    softmax(x, rows, cols, out) {
      if (allPlain(x, out)) return kernels.softmax(x, rows, cols, out);
      run((w) => kernels.softmax(f(w.in(x)), rows, cols, f(w.out(out))));
    },
    logSoftmax(x, rows, cols, out) {
      if (allPlain(x, out)) return kernels.logSoftmax(x, rows, cols, out);
      run((w) => kernels.logSoftmax(f(w.in(x)), rows, cols, f(w.out(out))));
    },
    softmaxBackward(y, gy, rows, cols, gx) {
      if (allPlain(y, gy, gx)) return kernels.softmaxBackward(y, gy, rows, cols, gx);
      run((w) => kernels.softmaxBackward(f(w.in(y)), f(w.in(gy)), rows, cols, f(w.out(gx))));
    },
    logSoftmaxBackward(y, gy, rows, cols, gx) {
      if (allPlain(y, gy, gx)) return kernels.logSoftmaxBackward(y, gy, rows, cols, gx);
      run((w) => kernels.logSoftmaxBackward(f(w.in(y)), f(w.in(gy)), rows, cols, f(w.out(gx))));
    },
    layerNorm(x, weight, bias, rows, cols, eps, out, mean, rstd) {
      if (allPlain(x, weight, bias, out, mean, rstd)) return kernels.layerNorm(x, weight, bias, rows, cols, eps, out, mean, rstd);
      run((w) => kernels.layerNorm(f(w.in(x)), w.in(weight), w.in(bias), rows, cols, eps, f(w.out(out)), f(w.out(mean)), f(w.out(rstd))));
    },
    layerNormBackward(x, weight, mean, rstd, gy, rows, cols, gx, gWeight, gBias) {
      if (allPlain(x, weight, mean, rstd, gy, gx, gWeight, gBias)) {
        return kernels.layerNormBackward(x, weight, mean, rstd, gy, rows, cols, gx, gWeight, gBias);
      }
      run((w) => kernels.layerNormBackward(f(w.in(x)), w.in(weight), f(w.in(mean)), f(w.in(rstd)), f(w.in(gy)), rows, cols,
        f(w.out(gx)), w.out(gWeight), w.out(gBias)));
    },
    rmsNorm(x, weight, rows, cols, eps, out, rstd) {
      if (allPlain(x, weight, out, rstd)) return kernels.rmsNorm(x, weight, rows, cols, eps, out, rstd);
      run((w) => kernels.rmsNorm(f(w.in(x)), w.in(weight), rows, cols, eps, f(w.out(out)), f(w.out(rstd))));
    },
    rmsNormBackward(x, weight, rstd, gy, rows, cols, gx, gWeight) {
      if (allPlain(x, weight, rstd, gy, gx, gWeight)) return kernels.rmsNormBackward(x, weight, rstd, gy, rows, cols, gx, gWeight);
      run((w) => kernels.rmsNormBackward(f(w.in(x)), w.in(weight), f(w.in(rstd)), f(w.in(gy)), rows, cols, w.out(gx), w.out(gWeight)));
    },
    rotaryEmb(x, cos, sin, n, t, d, offset, out) {
      if (allPlain(x, cos, sin, out)) return kernels.rotaryEmb(x, cos, sin, n, t, d, offset, out);
      run((w) => kernels.rotaryEmb(f(w.in(x)), f(w.in(cos)), f(w.in(sin)), n, t, d, offset, f(w.out(out))));
    },
    rotaryEmbBackward(gy, cos, sin, n, t, d, offset, gx) {
      if (allPlain(gy, cos, sin, gx)) return kernels.rotaryEmbBackward(gy, cos, sin, n, t, d, offset, gx);
      run((w) => kernels.rotaryEmbBackward(f(w.in(gy)), f(w.in(cos)), f(w.in(sin)), n, t, d, offset, f(w.out(gx))));
    },
    embedding(table, idx, cols, out) {
      if (allPlain(table, out)) return kernels.embedding(table, idx, cols, out);
      embeddingBits(table, idx, cols, out); // a gather copies bit patterns
    },
    embeddingBackward(gy, idx, cols, gTable) {
      if (allPlain(gy, gTable)) return kernels.embeddingBackward(gy, idx, cols, gTable);
      run((w) => kernels.embeddingBackward(f(w.in(gy)), idx, cols, f(w.out(gTable))));
    },
    crossEntropy(logits, targets, rows, cols, ignoreIndex, labelSmoothing, loss, probs) {
      if (allPlain(logits, loss, probs)) return kernels.crossEntropy(logits, targets, rows, cols, ignoreIndex, labelSmoothing, loss, probs);
      run((w) => kernels.crossEntropy(f(w.in(logits)), targets, rows, cols, ignoreIndex, labelSmoothing, f(w.out(loss)), f(w.out(probs))));
    },
    crossEntropyBackward(probs, targets, rows, cols, ignoreIndex, labelSmoothing, rowScale, gLogits) {
      if (allPlain(probs, rowScale, gLogits)) {
        return kernels.crossEntropyBackward(probs, targets, rows, cols, ignoreIndex, labelSmoothing, rowScale, gLogits);
      }
      run((w) => kernels.crossEntropyBackward(f(w.in(probs)), targets, rows, cols, ignoreIndex, labelSmoothing,
        f(w.in(rowScale)), f(w.out(gLogits))));
    },
    adamUpdate(param, grad, m, v, vmax, p) {
      if (allPlain(param, grad, m, v, vmax)) return kernels.adamUpdate(param, grad, m, v, vmax, p);
      run((w) => kernels.adamUpdate(f(w.out(param)), f(w.in(grad)), f(w.out(m)), f(w.out(v)), w.out(vmax), p));
    },
    adamUpdateMany(updates) {
      if (updates.every((u) => allPlain(u.param, u.grad, u.m, u.v, u.vmax))) return kernels.adamUpdateMany(updates);
      for (const u of updates) this.adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
    },
    sgdUpdate(param, grad, momentumBuf, p) {
      if (allPlain(param, grad, momentumBuf)) return kernels.sgdUpdate(param, grad, momentumBuf, p);
      run((w) => kernels.sgdUpdate(f(w.out(param)), f(w.in(grad)), w.out(momentumBuf), p));
    },

    activation(op, x, p, out) {
      if (allPlain(x, out)) return kernels.activation(op, x, p, out);
      run((w) => kernels.activation(op, f(w.in(x)), p, f(w.out(out))));
    },
    activationBackward(op, x, y, gy, p, out) {
      if (allPlain(x, y, gy, out)) return kernels.activationBackward(op, x, y, gy, p, out);
      run((w) => kernels.activationBackward(op, f(w.in(x)), f(w.in(y)), f(w.in(gy)), p, f(w.out(out))));
    },
    scan(op, x, outer, size, inner, reverse, out) {
      if (allPlain(x, out)) return kernels.scan(op, x, outer, size, inner, reverse, out);
      run((w) => kernels.scan(op, w.in(x), outer, size, inner, reverse, w.out(out)));
    },
    cumprodBackward(x, y, gy, outer, size, inner, gx) {
      if (allPlain(x, y, gy, gx)) return kernels.cumprodBackward(x, y, gy, outer, size, inner, gx);
      run((w) => kernels.cumprodBackward(f(w.in(x)), f(w.in(y)), f(w.in(gy)), outer, size, inner, f(w.out(gx))));
    },
    cumExtreme(op, x, outer, size, inner, values, indices) {
      if (allPlain(x, values)) return kernels.cumExtreme(op, x, outer, size, inner, values, indices);
      run((w) => kernels.cumExtreme(op, w.in(x), outer, size, inner, w.out(values), indices));
    },
    sort(x, outer, size, inner, descending, values, indices) {
      if (allPlain(x, values)) return kernels.sort(x, outer, size, inner, descending, values, indices);
      run((w) => kernels.sort(w.in(x), outer, size, inner, descending, w.out(values), indices));
    },
    scatterReduce(op, self, src, pos, includeSelf, out) {
      if (allPlain(self, src, out)) return kernels.scatterReduce(op, self, src, pos, includeSelf, out);
      run((w) => kernels.scatterReduce(op, w.in(self), w.in(src), pos, includeSelf, w.out(out)));
    },
    // The fused attention kernels may read packed q/k/v from one buffer and write packed gradients
    // into one, so they are not widened per argument: callers take the composed path for 16-bit dtypes.
    attentionForward(q, k, v, out, lse, p) {
      if (!allPlain(q, k, v, out, lse)) throw new DTypeError("attentionForward: the fused attention kernel takes float32 or float64 arrays");
      kernels.attentionForward(q, k, v, out, lse, p);
    },
    attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, p) {
      if (!allPlain(q, k, v, out, gOut, lse, gq, gk, gv)) throw new DTypeError("attentionBackward: the fused attention kernel takes float32 or float64 arrays");
      kernels.attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, p);
    },
    scatterReduceBackward(op, self, src, pos, includeSelf, result, g, gSelf, gSrc) {
      if (allPlain(self, src, result, g, gSelf, gSrc)) {
        return kernels.scatterReduceBackward(op, self, src, pos, includeSelf, result, g, gSelf, gSrc);
      }
      run((w) => kernels.scatterReduceBackward(op, f(w.in(self)), f(w.in(src)), pos, includeSelf, f(w.in(result)), f(w.in(g)),
        w.out(gSelf), w.out(gSrc)));
    },
  };
}
