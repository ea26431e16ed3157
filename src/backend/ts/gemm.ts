// Reference batched GEMM, C = alpha op(A) op(B) + beta C, accumulating each row in float64.

import type { FloatArray, GemmParams } from "../backend.js";

export function gemm(a: FloatArray, b: FloatArray, c: FloatArray, p: GemmParams): void {
  const { batch, m, n, k, transA, transB, alpha, beta } = p;
  const row = new Float64Array(n);
  for (let bi = 0; bi < batch; bi++) {
    const oa = p.offsetA + bi * p.strideA;
    const ob = p.offsetB + bi * p.strideB;
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
    }
  }
}
