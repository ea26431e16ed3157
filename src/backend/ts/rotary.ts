// Reference rotary-embedding kernels in the rotate_half layout (HF LLaMA): for x viewed as
// (N, T, D) with h = D/2 and p = offset + t,
//   y[i]   = x[i]   * cos[p, i]   - x[i+h] * sin[p, i]      (i < h)
//   y[i+h] = x[i+h] * cos[p, i+h] + x[i]   * sin[p, i+h]
// i.e. y = x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x[h:], x[:h]).

import type { FloatArray } from "../backend.js";

export function rotaryEmb(
  x: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, out: FloatArray,
): void {
  rotate(x, cos, sin, n, t, d, offset, out, false);
}

/** The transpose of rotaryEmb applied to gy: gx[i] = gy[i] cos[i] + gy[i+h] sin[i+h], gx[i+h] = gy[i+h] cos[i+h] - gy[i] sin[i]. */
export function rotaryEmbBackward(
  gy: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, gx: FloatArray,
): void {
  rotate(gy, cos, sin, n, t, d, offset, gx, true);
}

/**
 * One loop for both directions. Per pair (a1, a2) = (src[i], src[i+h]):
 *   out[i]   = a1 cos[i]   - sg a2 sin[i + j1]
 *   out[i+h] = a2 cos[i+h] + sg a1 sin[i + j2]
 * forward: sg = 1, j1 = 0, j2 = h; transpose: sg = -1, j1 = h, j2 = 0. Multiplying by ±1 is exact,
 * so each direction gives the same bits as its own written-out formula.
 */
function rotate(
  src: FloatArray, cos: FloatArray, sin: FloatArray, n: number, t: number, d: number, offset: number, out: FloatArray, transpose: boolean,
): void {
  const h = d >> 1;
  const sg = transpose ? -1 : 1, j1 = transpose ? h : 0, j2 = transpose ? 0 : h;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < t; s++) {
      const o = (b * t + s) * d;
      const c = (offset + s) * d;
      for (let i = 0; i < h; i++) {
        const a1 = src[o + i]!, a2 = src[o + i + h]!;
        out[o + i] = a1 * cos[c + i]! - sg * a2 * sin[c + i + j1]!;
        out[o + i + h] = a2 * cos[c + i + h]! + sg * a1 * sin[c + i + j2]!;
      }
    }
  }
}
