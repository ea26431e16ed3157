// Finding and loading the compiled Node-API addon (build/Release/descent_native.node) and the
// shape of what it exports. Loading never throws: it returns the addon or the reason it failed.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TypedArray } from "../../util/dtype.js";

type F = Float32Array | Float64Array;
/** Kernels take float32/float64/int32 and throw a TypeError for any other array (float16/bfloat16/bool are widened before). */
type A = TypedArray;

/**
 * The raw kernels exported by native/addon.cc (argument order is fixed there). Each checks its
 * arguments before writing anything: a wrong type or dtype throws a TypeError, a size, offset or
 * index that would reach outside an array a RangeError, both naming the kernel.
 */
export interface NativeAddon {
  gemm(a: F, b: F, c: F, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
    alpha: number, beta: number, strideA: number, strideB: number, strideC: number,
    offsetA: number, offsetB: number, offsetC: number,
    bias?: F | null, activation?: number, activationOut?: F | null): void;
  /**
   * activation: a unary op code (gelu, geluTanh), -1 for the identity or -2 for x holding the saved
   * derivative (gx = gy * x); see Backend.biasActivationBackward. gemm's activation + 256 keeps the
   * derivative in C (GemmParams.keepDerivative).
   */
  biasActBackward?(activation: number, x: F | null, gy: F, rows: number, cols: number, gx: F | null, gBias: F | null): void;
  unary(op: number, x: A, out: A): void;
  unaryBackward(op: number, x: F, y: F, gy: F, out: F): void;
  /** meta = [nd, shape..., stridesA..., stridesB...] */
  binary(op: number, a: A, b: A, out: A, meta: Float64Array): void;
  /** meta = [nd, shape..., stridesCond..., stridesA..., stridesB...] */
  where(cond: A, a: A, b: A, out: A, meta: Float64Array): void;
  /** meta = [nd, shape..., srcStrides..., dstStrides...] */
  stridedCopy(src: A, dst: A, meta: Float64Array, srcOffset: number, dstOffset: number, accumulate: boolean): void;
  /** float32 -> float16 (bfloat16 = false) or bfloat16 bit patterns, round to nearest even (native/half.cc). */
  halfFromFloat32?(src: Float32Array, dst: Uint16Array, bfloat16: boolean): void;
  /** float16/bfloat16 bit patterns -> float32, exact. */
  halfToFloat32?(src: Uint16Array, dst: Float32Array, bfloat16: boolean): void;
  /** The conversion path: "portable", "f16c", "f16c+avx512bf16". */
  halfIsa?(): string;
  cast(src: A, dst: A): void;
  /** dst = value everywhere; Float32Array, Float64Array or Int32Array. */
  fill?(dst: A, value: number): void;
  reduce(op: number, x: A, outer: number, size: number, inner: number, out: A): void;
  argReduce(isMin: boolean, x: A, outer: number, size: number, inner: number, out: Int32Array): void;
  softmax(x: F, rows: number, cols: number, out: F, log: boolean): void;
  softmaxBackward(y: F, gy: F, rows: number, cols: number, gx: F, log: boolean): void;
  layerNorm(x: F, w: F | null, b: F | null, rows: number, cols: number, eps: number, out: F, mean: F, rstd: F): void;
  layerNormBackward(x: F, w: F | null, mean: F, rstd: F, gy: F, rows: number, cols: number,
    gx: F, gw: F | null, gb: F | null): void;
  embedding(table: A, idx: Int32Array, cols: number, out: A): void;
  embeddingBackward(gy: F, idx: Int32Array, cols: number, gTable: F): void;
  crossEntropy(logits: F, targets: Int32Array, rows: number, cols: number, ignoreIndex: number, smoothing: number,
    loss: F, probs: F): void;
  crossEntropyBackward(probs: F, targets: Int32Array, rows: number, cols: number, ignoreIndex: number,
    smoothing: number, rowScale: F, g: F): void;
  adamUpdate(param: F, grad: F, m: F, v: F, vmax: F | null, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, decoupled: boolean, bc1: number, bc2Sqrt: number, gradScale: number): void;
  /** meta: 9 numbers per tensor (lr, beta1, beta2, eps, weightDecay, bc1, bc2Sqrt, gradScale, decoupled 0/1). */
  adamUpdateMany?(params: F[], grads: F[], m: F[], v: F[], vmax: (F | null)[], meta: Float64Array): void;
  sgdUpdate(param: F, grad: F, buf: F | null, lr: number, momentum: number, dampening: number, nesterov: boolean,
    weightDecay: number, firstStep: boolean): void;
  /** meta = [B, H, L, S, E, Ev, scale, causal (0/1), then (offset, sB, sH, sT) of q, k, v, out] */
  attentionForward(q: F, k: F, v: F, out: F, lse: F, meta: Float64Array): void;
  attentionBackward(q: F, k: F, v: F, out: F, gOut: F, lse: F, gq: F, gk: F, gv: F, meta: Float64Array): void;
  // native/rms_rotary.cc; optional so an addon built before these kernels still loads (the TS reference runs then).
  rmsNorm?(x: F, w: F | null, rows: number, cols: number, eps: number, out: F, rstd: F): void;
  rmsNormBackward?(x: F, w: F | null, rstd: F, gy: F, rows: number, cols: number, gx: F | null, gw: F | null): void;
  rotaryEmb?(x: F, cos: F, sin: F, n: number, t: number, d: number, offset: number, out: F): void;
  rotaryEmbBackward?(gy: F, cos: F, sin: F, n: number, t: number, d: number, offset: number, gx: F): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  isa(): string;
  /** The kernels' float32 FMA peak on the pool's threads, FLOP/s (a ~0.2 s register-only loop, per-thread CPU time). */
  fmaPeak(): number;
}

export const ADDON_FILE = join("build", "Release", "descent_native.node");

/** Walk up from this file to the package root that holds build/Release/descent_native.node. */
function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "binding.gyp"))) return null;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export type AddonResult = { addon: NativeAddon; error: null } | { addon: null; error: string };

export function loadAddon(): AddonResult {
  const path = findAddon();
  if (!path) {
    return { addon: null, error: `${ADDON_FILE} was not built (run "node scripts/build-native.mjs" to build it and see why it failed)` };
  }
  try {
    const req = createRequire(import.meta.url);
    return { addon: req(path) as NativeAddon, error: null };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return { addon: null, error: `loading ${path} failed: ${msg}` };
  }
}
