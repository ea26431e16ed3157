// matmul with NumPy/PyTorch semantics (1-D, 2-D, batched with broadcast batch dims) and
// linear(x, W, b) = x W^T + b, both on the backend's batched GEMM with transpose flags.

import { getBackend } from "../backend/index.js";
import type { FloatArray, GemmParams } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { broadcastShapes, contiguousStrides, fmt, numel } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type TypedArray, isIntegral, promoteTypes } from "../util/dtype.js";
import { DTypeError, ShapeError } from "../util/errors.js";
import { autocastLow } from "./autocast.js";
import { castTensor, emptyUninit, intoFor, requireTensor } from "./operand.js";

export function gemmParams(batch: number, m: number, n: number, k: number, over: Partial<GemmParams>): GemmParams {
  return {
    batch, m, n, k, transA: false, transB: false, alpha: 1, beta: 0,
    strideA: m * k, strideB: k * n, strideC: m * n, offsetA: 0, offsetB: 0, offsetC: 0, ...over,
  };
}

/** Copy a [...batch, r, c] tensor broadcast to [...full, r, c] (only when a single stride cannot express it). */
function expandBatch(t: Tensor, batch: readonly number[], full: readonly number[], r: number, c: number): Tensor {
  const outShape = [...full, r, c];
  const out = emptyUninit(outShape, t.dtype);
  const srcStrides = contiguousStrides([...batch, r, c]);
  const aligned = new Array<number>(full.length + 2).fill(0);
  const off = full.length - batch.length;
  for (let i = 0; i < batch.length; i++) aligned[off + i] = batch[i] === 1 ? 0 : srcStrides[i]!;
  aligned[full.length] = c;
  aligned[full.length + 1] = 1;
  getBackend().stridedCopy(t.data, out.data, {
    shape: outShape, srcOffset: 0, srcStrides: aligned, dstOffset: 0, dstStrides: contiguousStrides(outShape), accumulate: false,
  });
  return out;
}

/** Batch stride for an operand: its own size when it spans the batch, 0 when it is one matrix. */
function batchOperand(t: Tensor, batch: readonly number[], full: readonly number[], r: number, c: number): [Tensor, number] {
  if (numel(batch) === 1) return [t, 0];
  // Broadcasting only adds size-1 dims, so an operand with the full batch count is laid out like it.
  if (numel(batch) === numel(full)) return [t, r * c];
  return [expandBatch(t, batch, full, r, c), r * c];
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  requireTensor("matmul", a, "first argument");
  requireTensor("matmul", b, "second argument");
  a = autocastLow(a); // under autocast: low-precision inputs, float32 accumulation
  b = autocastLow(b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  if (isIntegral(a.dtype) || isIntegral(b.dtype)) {
    throw new DTypeError(`matmul: expected floating-point tensors, got ${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)}`);
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  const A = castTensor(a, dtype);
  const B = castTensor(b, dtype);
  // View 1-D operands as matrices: a (K) -> (1, K), b (K) -> (K, 1).
  const aShape = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const k2 = bShape[bShape.length - 2]!;
  const n = bShape[bShape.length - 1]!;
  if (k !== k2) {
    throw new ShapeError(`matmul: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}: inner dimensions ${k} and ${k2} differ`);
  }
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const batch = broadcastShapes("matmul", batchA, batchB);
  const nb = numel(batch);
  const [Ab, sA] = batchOperand(A, batchA, batch, m, k);
  const [Bb, sB] = batchOperand(B, batchB, batch, k, n);
  const fullShape = [...batch, m, n];
  const out = emptyUninit(fullShape, dtype);
  getBackend().gemm(Ab.data as FloatArray, Bb.data as FloatArray, out.data as FloatArray, gemmParams(nb, m, n, k, { strideA: sA, strideB: sB }));
  // Drop the dims that 1-D operands added.
  const outShape = [...batch];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);
  const result = new Tensor(out.data, outShape);
  return record("matmul", [a, b], result, (g, needs) => {
    const G = castTensor(g, dtype); // viewed as (batch, m, n)
    let gA: Tensor | null = null;
    let gB: Tensor | null = null;
    if (needs[0]) {
      // gA = G B^T, in the broadcast batch shape; the engine sums broadcast batch dims.
      const buf = emptyUninit([...batch, m, k], dtype);
      getBackend().gemm(G.data as FloatArray, Bb.data as FloatArray, buf.data as FloatArray,
        gemmParams(nb, m, k, n, { transB: true, strideA: m * n, strideB: sB, strideC: m * k }));
      gA = new Tensor(buf.data, a.ndim === 1 ? [...batch, k] : buf.shape);
    }
    if (needs[1]) {
      const buf = emptyUninit([...batch, k, n], dtype);
      getBackend().gemm(Ab.data as FloatArray, G.data as FloatArray, buf.data as FloatArray,
        gemmParams(nb, k, n, m, { transA: true, strideA: sA, strideB: m * n, strideC: k * n }));
      gB = new Tensor(buf.data, b.ndim === 1 ? [...batch, k] : buf.shape);
    }
    return [gA, gB];
  });
}

/** Checks shared by linear and the fused linear + activation ops (src/ops/linear_activation.ts); returns [out, in]. */
export function checkLinear(name: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined): [number, number] {
  requireTensor(name, x);
  requireTensor(name, weight, "weight");
  if (bias !== null && bias !== undefined) requireTensor(name, bias, "bias");
  if (weight.ndim !== 2) throw new ShapeError(`${name}: weight must be 2-D (out, in), got ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`${name}: input ${fmt(x.shape)} does not end in ${inF}, the weight's in_features (weight ${fmt(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`${name}: bias must have shape [${outF}], got ${fmt(bias.shape)}`);
  }
  if (isIntegral(x.dtype) || isIntegral(weight.dtype) || (bias && isIntegral(bias.dtype))) {
    throw new DTypeError(`${name}: expected floating-point tensors, got ${x.dtype}, ${weight.dtype}${bias ? ` and ${bias.dtype}` : ""}`);
  }
  return [outF, inF];
}

/** gx = G W and gW = G^T X for y = x W^T (G (rows, out), X (rows, in)); entries null where not needed. */
/** gwInto: storage of W's shape and dtype (a zeroed .grad, see BackwardRule and intoFor) to write dL/dW into. */
export function linearInputGrads(G: Tensor, X: Tensor, W: Tensor, xShape: readonly number[], needX: boolean, needW: boolean,
  gwInto: TypedArray | null = null): [Tensor | null, Tensor | null] {
  const [outF, inF] = W.shape as [number, number];
  const rows = X.numel / inF;
  const be = getBackend();
  let gx: Tensor | null = null;
  let gw: Tensor | null = null;
  if (needX) {
    gx = emptyUninit(xShape, W.dtype); // (rows, out) @ (out, in)
    be.gemm(G.data as FloatArray, W.data as FloatArray, gx.data as FloatArray, gemmParams(1, rows, inF, outF, {}));
  }
  if (needW) {
    gw = gwInto ? new Tensor(gwInto, [outF, inF]) : emptyUninit([outF, inF], W.dtype); // G^T (out, rows) @ X (rows, in)
    be.gemm(G.data as FloatArray, X.data as FloatArray, gw.data as FloatArray, gemmParams(1, outF, inF, rows, { transA: true }));
  }
  return [gx, gw];
}

/** y = x W^T + b for x (..., in), W (out, in), b (out); no transposed copy of W is made. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const [outF, inF] = checkLinear("linear", x, weight, bias);
  x = autocastLow(x); // under autocast: low-precision inputs (weights converted once per region), float32 accumulation
  weight = autocastLow(weight);
  bias = autocastLow(bias);
  const dtype = promoteTypes(x.dtype, weight.dtype);
  const X = castTensor(x, dtype);
  const W = castTensor(weight, dtype);
  const Bv = bias ? castTensor(bias, dtype) : null;
  const rows = x.numel / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const out = emptyUninit(outShape, dtype);
  const be = getBackend();
  // The bias is the GEMM's epilogue: added to each tile as it is stored, no broadcast copy.
  be.gemm(X.data as FloatArray, W.data as FloatArray, out.data as FloatArray,
    gemmParams(1, rows, outF, inF, { transB: true, bias: Bv ? (Bv.data as FloatArray) : null }));
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("linear", inputs, out, (g, needs, into) => {
    const G = castTensor(g, dtype);
    const grads: (Tensor | null)[] = [...linearInputGrads(G, X, W, x.shape, needs[0]!, needs[1]!, intoFor(into, 1, weight, dtype)), null];
    if (bias && needs[2]) {
      const gbInto = intoFor(into, 2, bias, dtype);
      const gb = gbInto ? new Tensor(gbInto, [outF]) : emptyUninit([outF], dtype);
      be.reduce("sum", G.data, 1, rows, outF, gb.data);
      grads[2] = gb;
    }
    return bias ? grads : grads.slice(0, 2);
  }, { saves: [x, weight] }); // the bias gradient reads no data
}
