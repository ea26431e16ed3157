// Reference batched GEMM, C = alpha op(A) op(B) + beta C (+ bias, then activation into
// activationOut), accumulating each row in float64; and the matching fused backward.

import type { BackwardActivation, FloatArray, GemmParams } from "../backend.js";
import { unary, unaryBackward } from "./elementwise.js";
import { reduce } from "./reduce.js";

export function gemm(a: FloatArray, b: FloatArray, c: FloatArray, p: GemmParams): void {
  const { m, n, k, transA, transB, alpha, beta } = p;
  if (p.batch * m * n === 0) return; // C is empty: nothing to write, however large the batch
  let { batch } = p;
  let offA = p.offsetA, offB = p.offsetB;
  if (p.strideC === 0 && beta === 0) {
    // Every matrix of the batch overwrites the same C, so only the last one counts (this bounds
    // the work by the data when a huge batch broadcasts one matrix with zero strides).
    offA += (batch - 1) * p.strideA;
    offB += (batch - 1) * p.strideB;
    batch = 1;
  }
  const bias = p.bias ?? null;
  const act = p.activation ? p.activationOut! : null;
  const row = new Float64Array(n);
  const ones = p.keepDerivative && act ? new (c.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(n).fill(1) : null;
  for (let bi = 0; bi < batch; bi++) {
    const oa = offA + bi * p.strideA;
    const ob = offB + bi * p.strideB;
    const oc = p.offsetC + bi * p.strideC;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      if (!transB) {
        // i-p-j order: B's rows are contiguous.
        for (let q = 0; q < k; q++) {
          const aiq = transA ? a[oa + q * m + i]! : a[oa + i * k + q]!;
          const bRow = ob + q * n;
          for (let j = 0; j < n; j++) row[j]! += aiq * b[bRow + j]!;
        }
      } else {
        for (let j = 0; j < n; j++) {
          const bRow = ob + j * k;
          let s = 0;
          if (!transA) {
            const aRow = oa + i * k;
            for (let q = 0; q < k; q++) s += a[aRow + q]! * b[bRow + q]!;
          } else {
            for (let q = 0; q < k; q++) s += a[oa + q * m + i]! * b[bRow + q]!;
          }
          row[j] = s;
        }
      }
      const cRow = oc + i * n;
      if (beta === 0) for (let j = 0; j < n; j++) c[cRow + j] = alpha * row[j]!;
      else for (let j = 0; j < n; j++) c[cRow + j] = alpha * row[j]! + beta * c[cRow + j]!;
      if (bias) for (let j = 0; j < n; j++) c[cRow + j]! += bias[j]!;
      if (act) {
        const pre = c.subarray(cRow, cRow + n);
        unary(p.activation!, pre, act.subarray(cRow, cRow + n));
        // act'(pre) * 1, exactly what the unfused backward multiplies the gradient by
        if (ones) unaryBackward(p.activation!, pre, pre, ones, pre);
      }
    }
  }
}

export function biasActivationBackward(
  activation: BackwardActivation | null, x: FloatArray | null, gy: FloatArray, rows: number, cols: number,
  gx: FloatArray | null, gBias: FloatArray | null,
): void {
  const n = rows * cols;
  let g = gy.subarray(0, n);
  if (activation === "derivative") {
    const xs = x!, out = gx!;
    for (let i = 0; i < n; i++) out[i] = g[i]! * xs[i]!;
    g = out.subarray(0, n);
  } else if (activation) {
    // The same element results as the unfused unaryBackward (GELU's derivative ignores y).
    const xs = x!.subarray(0, n), out = gx!.subarray(0, n);
    unaryBackward(activation, xs, xs, g, out);
    g = out;
  }
  if (gBias) reduce("sum", g, 1, rows, cols, gBias);
}
