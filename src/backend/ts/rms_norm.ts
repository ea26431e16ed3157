// Reference RMSNorm kernels over the last axis of (R, C): y = x * rstd * w, rstd = 1/sqrt(mean(x²) + eps).

import type { FloatArray } from "../backend.js";

export function rmsNorm(
  x: FloatArray, weight: FloatArray | null, rows: number, cols: number, eps: number, out: FloatArray, rstd: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let ss = 0;
    for (let c = 0; c < cols; c++) ss += x[o + c]! * x[o + c]!;
    const rs = 1 / Math.sqrt(ss / cols + eps);
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) out[o + c] = weight ? x[o + c]! * rs * weight[c]! : x[o + c]! * rs;
  }
}

export function rmsNormBackward(
  x: FloatArray, weight: FloatArray | null, rstd: FloatArray, gy: FloatArray, rows: number, cols: number,
  gx: FloatArray | null, gWeight: FloatArray | null,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const rs = rstd[r]!;
    // xhat = x * rstd, g = gy * w:  gx = rstd * (g - xhat * mean(g * xhat))
    let sumGX = 0;
    for (let c = 0; c < cols; c++) {
      const xhat = x[o + c]! * rs;
      const g = weight ? gy[o + c]! * weight[c]! : gy[o + c]!;
      sumGX += g * xhat;
      if (gWeight) gWeight[c]! += gy[o + c]! * xhat;
    }
    if (!gx) continue;
    const mGX = sumGX / cols;
    for (let c = 0; c < cols; c++) {
      const xhat = x[o + c]! * rs;
      const g = weight ? gy[o + c]! * weight[c]! : gy[o + c]!;
      gx[o + c] = rs * (g - xhat * mGX);
    }
  }
}
