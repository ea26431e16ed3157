// The Backend interface: the kernels every op runs on. Kernels take typed arrays and explicit
// sizes, write into an output the caller allocated, and allocate nothing themselves.
// The TypeScript backend (ts/) implements all of it for every dtype and is the oracle.
// Legend: B batch, M/N/K matmul sizes, R rows, C columns (the normalised/softmax dim).

import type { TypedArray } from "../util/dtype.js";

export type FloatArray = Float32Array | Float64Array;

export type UnaryOp =
  | "neg" | "exp" | "log" | "sqrt" | "rsqrt" | "abs" | "sign" | "reciprocal" | "square"
  | "tanh" | "sigmoid" | "relu" | "gelu" | "geluTanh" | "sin" | "cos" | "erf" | "log1p" | "expm1"
  | MathUnaryOp;

/** Rounding, trigonometric/hyperbolic, log2/log10/exp2 and the NaN/Inf tests (which write 1/0). */
export type MathUnaryOp =
  | "floor" | "ceil" | "round" | "trunc" | "frac"
  | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh" | "asinh" | "acosh" | "atanh"
  | "log2" | "log10" | "exp2" | "isnan" | "isinf" | "isfinite";

export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge"
  | "fmod" | "remainder" | "floorDivide" | "copysign" | "logaddexp" | "atan2";

/** Elementwise activations with up to two scalar parameters (their meaning is per op, see ActivationParams). */
export type ActivationOp =
  | "silu" | "softplus" | "elu" | "selu" | "celu" | "mish" | "hardswish" | "hardsigmoid" | "hardtanh"
  | "logsigmoid" | "softsign";

/**
 * softplus: a = beta, b = threshold; elu: a = alpha; celu: a = alpha; hardtanh: a = min, b = max.
 * The others ignore both.
 */
export interface ActivationParams {
  a: number;
  b: number;
}

/** How scatterReduce combines the values reaching one position (PyTorch's scatter_reduce). */
export type ScatterReduceOp = "sum" | "prod" | "mean" | "amax" | "amin";

/** Inclusive scans along the middle axis of (outer, size, inner). */
export type ScanOp = "cumsum" | "cumprod" | "logcumsumexp";

export type ReduceOp = "sum" | "max" | "min" | "prod";

/** Activations a GEMM can apply in its epilogue (and biasActivationBackward differentiates). */
export type EpilogueActivation = "gelu" | "geluTanh";
/**
 * What biasActivationBackward's x holds: a pre-activation to differentiate (an activation), or
 * "derivative": act'(pre-activation) already, as a GEMM with keepDerivative left it (gx = gy * x).
 */
export type BackwardActivation = EpilogueActivation | "relu" | "derivative";

export interface GemmParams {
  /** Number of matrices in the batch. */
  batch: number;
  m: number;
  n: number;
  k: number;
  /** op(A) is A^T: A is stored (K, M) instead of (M, K). */
  transA: boolean;
  /** op(B) is B^T: B is stored (N, K) instead of (K, N). */
  transB: boolean;
  /** C = alpha * op(A) op(B) + beta * C. beta = 0 ignores C's old contents (even NaN). */
  alpha: number;
  beta: number;
  /**
   * Element offset between consecutive batch matrices. strideA/strideB = 0 reuse one matrix for
   * the whole batch; strideC = 0 accumulates every batch entry into one C, in batch order.
   */
  strideA: number;
  strideB: number;
  strideC: number;
  /** Element offsets of the first matrix in each buffer. */
  offsetA: number;
  offsetB: number;
  offsetC: number;
  /**
   * Epilogue, fused into the GEMM while each tile is hot: bias (at least n values) is added to
   * every row of every C after alpha and beta; then, with activation, activationOut (C's layout,
   * strides and offset) = activation(C), and C keeps the pre-activation the backward needs, or with
   * keepDerivative activation'(pre-activation) instead: each the same value the unfused activation
   * and its backward (with gradient 1) compute, so biasActivationBackward("derivative") matches the
   * unfused backward bit for bit while not evaluating the activation's derivative again.
   */
  bias?: FloatArray | null;
  activation?: EpilogueActivation | null;
  activationOut?: FloatArray | null;
  keepDerivative?: boolean;
}

export interface StridedCopyParams {
  /** The logical shape being copied. */
  shape: readonly number[];
  srcOffset: number;
  /** Source strides in elements; 0 repeats (broadcast). */
  srcStrides: readonly number[];
  dstOffset: number;
  dstStrides: readonly number[];
  /** true: dst += src (scatter-add of overlapping views), false: dst = src. */
  accumulate: boolean;
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** true: AdamW (decoupled decay w -= lr*wd*w); false: L2 added to the gradient. */
  decoupled: boolean;
  /** 1-based step count used for bias correction. */
  step: number;
  amsgrad: boolean;
  /** Gradient scale to divide by first (mixed precision); 1 when unused. */
  gradScale: number;
}

/** One tensor of a multi-tensor Adam step: adamUpdate's arguments. */
export interface AdamTensorUpdate {
  param: FloatArray;
  grad: FloatArray;
  m: FloatArray;
  v: FloatArray;
  vmax: FloatArray | null;
  p: AdamParams;
}

export interface SgdParams {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** true on the first step: the momentum buffer is set to the gradient (PyTorch semantics). */
  firstStep: boolean;
}

/** Element (batch b, head h, row t, feature c) of an attention operand is at offset + b*strideB + h*strideH + t*strideT + c. */
export interface AttentionLayout {
  offset: number;
  strideB: number;
  strideH: number;
  strideT: number;
}

/**
 * Fused attention over batch x heads independent problems: L queries of E features, S keys of E,
 * S values of Ev. causal: query i sees keys j <= i (top-left aligned). Gradients share the layout
 * of the tensor they belong to (gq of q, gOut of out); lse is (batch, heads, L) contiguous.
 */
export interface AttentionParams {
  batch: number;
  heads: number;
  L: number;
  S: number;
  E: number;
  Ev: number;
  scale: number;
  causal: boolean;
  q: AttentionLayout;
  k: AttentionLayout;
  v: AttentionLayout;
  out: AttentionLayout;
}

export interface Backend {
  readonly name: string;

  /** out[i] = op(x[i]); x and out have equal length and dtype (except comparisons). */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** out[i] = gy[i] * op'(x[i]); y = op(x) is passed too since some derivatives use it. */
  unaryBackward(op: UnaryOp, x: FloatArray, y: FloatArray, gy: FloatArray, out: FloatArray): void;
  /** Broadcasting binary op; a, b, out are contiguous with the given shapes. Comparisons write 1/0. */
  binary(
    op: BinaryOp,
    a: TypedArray, aShape: readonly number[],
    b: TypedArray, bShape: readonly number[],
    out: TypedArray, outShape: readonly number[],
  ): void;
  /** out = cond != 0 ? a : b, broadcasting all three to outShape. */
  where(
    cond: TypedArray, condShape: readonly number[],
    a: TypedArray, aShape: readonly number[],
    b: TypedArray, bShape: readonly number[],
    out: TypedArray, outShape: readonly number[],
  ): void;
  /** x viewed as (outer, size, inner) reduced over the middle axis into out (outer, inner). */
  reduce(op: ReduceOp, x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void;
  /** Index of the max (or min) along the middle axis of (outer, size, inner); first wins on ties. */
  argReduce(op: "argmax" | "argmin", x: TypedArray, outer: number, size: number, inner: number, out: Int32Array): void;
  /** Batched GEMM: C = alpha op(A) op(B) + beta C, row-major. */
  gemm(a: FloatArray, b: FloatArray, c: FloatArray, p: GemmParams): void;
  /**
   * Backward of activation(x W^T + b) down to its pre-activation x (R, C): gx = gy * act'(x)
   * ("derivative": gx = gy * x, x holding act' already), and gBias (when non-null) = the column sums
   * of gx, written. activation null: identity (x and gx unused; gBias = column sums of gy). Sums
   * run in row order per column, like reduce.
   */
  biasActivationBackward(
    activation: BackwardActivation | null, x: FloatArray | null, gy: FloatArray, rows: number, cols: number,
    gx: FloatArray | null, gBias: FloatArray | null,
  ): void;
  /** General strided copy (permute, slice, expand, cat, and their scatter-add backwards). */
  stridedCopy(src: TypedArray, dst: TypedArray, p: StridedCopyParams): void;
  /** dst[i] = src[i] converted (float rounding, int truncation toward zero). */
  cast(src: TypedArray, dst: TypedArray): void;
  fill(out: TypedArray, value: number): void;

  /** Row-wise softmax over the last axis of (R, C). */
  softmax(x: FloatArray, rows: number, cols: number, out: FloatArray): void;
  logSoftmax(x: FloatArray, rows: number, cols: number, out: FloatArray): void;
  /** gx = y * (gy - sum(gy * y)) row-wise. */
  softmaxBackward(y: FloatArray, gy: FloatArray, rows: number, cols: number, gx: FloatArray): void;
  /** gx = gy - exp(y) * sum(gy) row-wise, y = logSoftmax(x). */
  logSoftmaxBackward(y: FloatArray, gy: FloatArray, rows: number, cols: number, gx: FloatArray): void;

  /**
   * Layer norm over the last axis of (R, C): out = (x - mean) * rstd * w + b.
   * weight/bias may be null. Writes mean and rstd (length R) for the backward.
   */
  layerNorm(
    x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, rows: number, cols: number, eps: number,
    out: FloatArray, mean: FloatArray, rstd: FloatArray,
  ): void;
  /**
   * Gradients of layerNorm. gWeight/gBias, when non-null, get their column sums over the rows added
   * (+=): summed in double, rounded once.
   */
  layerNormBackward(
    x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, gy: FloatArray,
    rows: number, cols: number, gx: FloatArray, gWeight: FloatArray | null, gBias: FloatArray | null,
  ): void;

  /** out[i, :] = table[idx[i], :] for a (V, C) table; indices are already validated. */
  embedding(table: TypedArray, idx: Int32Array, cols: number, out: TypedArray): void;
  /** gTable[idx[i], :] += gy[i, :] (scatter-add; repeated indices sum). */
  embeddingBackward(gy: FloatArray, idx: Int32Array, cols: number, gTable: FloatArray): void;

  /**
   * Fused cross-entropy over logits (R, C) with int targets (R). Writes the per-row loss
   * (0 for ignored rows) and the softmax probabilities (R, C) for the backward.
   */
  crossEntropy(
    logits: FloatArray, targets: Int32Array, rows: number, cols: number, ignoreIndex: number, labelSmoothing: number,
    loss: FloatArray, probs: FloatArray,
  ): void;
  /** gLogits = rowScale[r] * (probs - smoothed one-hot); rowScale is 0 for ignored rows. */
  crossEntropyBackward(
    probs: FloatArray, targets: Int32Array, rows: number, cols: number, ignoreIndex: number, labelSmoothing: number,
    rowScale: FloatArray, gLogits: FloatArray,
  ): void;

  /** In-place Adam/AdamW update over flat buffers. vmax is the AMSGrad buffer or null. */
  adamUpdate(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, p: AdamParams): void;
  /** In-place SGD update; momentumBuf is null when momentum is 0. */
  /** adamUpdate of every entry in one call (native: one pool job over all of them); the same results. */
  adamUpdateMany(updates: readonly AdamTensorUpdate[]): void;
  sgdUpdate(param: FloatArray, grad: FloatArray, momentumBuf: FloatArray | null, p: SgdParams): void;

  /** out[i] = act(x[i]) for an activation with scalar parameters. */
  activation(op: ActivationOp, x: FloatArray, p: ActivationParams, out: FloatArray): void;
  /** out[i] = gy[i] * act'(x[i]) given y = act(x); PyTorch's choice at kinks. */
  activationBackward(op: ActivationOp, x: FloatArray, y: FloatArray, gy: FloatArray, p: ActivationParams, out: FloatArray): void;

  /** Inclusive scan along the middle axis of (outer, size, inner); reverse scans from the end. */
  scan(op: ScanOp, x: TypedArray, outer: number, size: number, inner: number, reverse: boolean, out: TypedArray): void;
  /** Gradient of cumprod (exact with zeros in x): gx = d sum(gy * cumprod(x)) / dx. */
  cumprodBackward(x: FloatArray, y: FloatArray, gy: FloatArray, outer: number, size: number, inner: number, gx: FloatArray): void;
  /**
   * Running max/min with the index it came from; ties and NaN move the index to the latest
   * position (PyTorch's cummax/cummin).
   */
  cumExtreme(op: "cummax" | "cummin", x: TypedArray, outer: number, size: number, inner: number, values: TypedArray, indices: Int32Array): void;
  /**
   * Stable sort along the middle axis of (outer, size, inner); NaN sorts as the largest value.
   * Writes the sorted values and the source positions.
   */
  sort(x: TypedArray, outer: number, size: number, inner: number, descending: boolean, values: TypedArray, indices: Int32Array): void;

  /**
   * out = self, then src[i] combined into out[pos[i]] for every i (includeSelf false: self's value
   * is left out wherever some src lands). mean divides by the count (floor for int32).
   */
  scatterReduce(op: ScatterReduceOp, self: TypedArray, src: TypedArray, pos: Int32Array, includeSelf: boolean, out: TypedArray): void;
  /** Gradients of scatterReduce into gSelf (self-shaped) and gSrc (src-shaped); either may be null. */
  scatterReduceBackward(
    op: ScatterReduceOp, self: FloatArray, src: FloatArray, pos: Int32Array, includeSelf: boolean, result: FloatArray,
    g: FloatArray, gSelf: FloatArray | null, gSrc: FloatArray | null,
  ): void;
  /**
   * Fused attention forward: out = softmax(scale q k^T (causally masked)) v and the row
   * log-sum-exp lse (-inf, with zero output, for a row that sees no key). q, k and v may be one
   * packed buffer. Never materialises the (L, S) weights.
   */
  attentionForward(q: FloatArray, k: FloatArray, v: FloatArray, out: FloatArray, lse: FloatArray, p: AttentionParams): void;
  /** Gradients of attentionForward from gOut, recomputing the weights from lse; gq/gk/gv are overwritten. */
  attentionBackward(
    q: FloatArray, k: FloatArray, v: FloatArray, out: FloatArray, gOut: FloatArray, lse: FloatArray,
    gq: FloatArray, gk: FloatArray, gv: FloatArray, p: AttentionParams,
  ): void;
  /** RMS norm over the last axis of (R, C): out = x * rstd * w, rstd = 1/sqrt(mean(x²) + eps); writes rstd (R). */
  rmsNorm(x: FloatArray, weight: FloatArray | null, rows: number, cols: number, eps: number, out: FloatArray, rstd: FloatArray): void;
  /**
   * Gradients of rmsNorm; gx is written when non-null; gWeight, when non-null, gets its column sums
   * over the rows added (+=): summed in double, rounded once.
   */
  rmsNormBackward(
    x: FloatArray, weight: FloatArray | null, rstd: FloatArray, gy: FloatArray, rows: number, cols: number,
    gx: FloatArray | null, gWeight: FloatArray | null,
  ): void;
  /**
   * Rotary embedding, rotate_half layout, of x viewed as (N, T, D) with a (S, D) cos/sin cache
   * read from row `offset`: out = x * cos + rotate_half(x) * sin. All arrays share one dtype.
   */
  rotaryEmb(x: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, out: FloatArray): void;
  /** The vector-Jacobian product of rotaryEmb: gx = the transposed rotation applied to gy. */
  rotaryEmbBackward(gy: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, gx: FloatArray): void;
}
