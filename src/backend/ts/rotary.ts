// Reference rotary-embedding kernels in the rotate_half layout (HF LLaMA): for x viewed as
// (N, T, D) with h = D/2 and p = offset + t,
//   y[i]   = x[i]   * cos[p, i]   - x[i+h] * sin[p, i]      (i < h)
//   y[i+h] = x[i+h] * cos[p, i+h] + x[i]   * sin[p, i+h]
// i.e. y = x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x[h:], x[:h]).

import type { FloatArray } from "../backend.js";

export function rotaryEmb(
  x: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, out: FloatArray,
): void {
  const h = d >> 1;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < t; s++) {
      const o = (b * t + s) * d;
      const c = (offset + s) * d;
      for (let i = 0; i < h; i++) {
        const x1 = x[o + i]!, x2 = x[o + i + h]!;
        out[o + i] = x1 * cos[c + i]! - x2 * sin[c + i]!;
        out[o + i + h] = x2 * cos[c + i + h]! + x1 * sin[c + i + h]!;
      }
    }
  }
}

/** The transpose of rotaryEmb applied to gy: gx[i] = gy[i] cos[i] + gy[i+h] sin[i+h], gx[i+h] = gy[i+h] cos[i+h] - gy[i] sin[i]. */
export function rotaryEmbBackward(
  gy: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, gx: FloatArray,
): void {
  const h = d >> 1;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < t; s++) {
      const o = (b * t + s) * d;
      const c = (offset + s) * d;
      for (let i = 0; i < h; i++) {
        const g1 = gy[o + i]!, g2 = gy[o + i + h]!;
        gx[o + i] = g1 * cos[c + i]! + g2 * sin[c + i + h]!;
        gx[o + i + h] = g2 * cos[c + i + h]! - g1 * sin[c + i]!;
      }
    }
  }
}
