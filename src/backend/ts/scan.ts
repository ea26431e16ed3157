// Reference kernels for scans (cumsum, cumprod, logcumsumexp, cummax/cummin), the exact cumprod
// gradient, and the stable sort. All walk the middle axis of an (outer, size, inner) view.

import type { FloatArray, ScanOp } from "../backend.js";
import type { TypedArray } from "../../util/dtype.js";

/** log(exp(a) + exp(b)), exact for equal infinities (PyTorch's log_add_exp_helper). */
function logAddExp(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo !== hi || Number.isFinite(lo)) return hi + Math.log1p(Math.exp(lo - hi));
  return a;
}

export function scan(op: ScanOp, x: TypedArray, outer: number, size: number, inner: number, reverse: boolean, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let acc = op === "cumsum" ? 0 : op === "cumprod" ? 1 : -Infinity;
      for (let s = 0; s < size; s++) {
        const p = base + (reverse ? size - 1 - s : s) * inner;
        const v = x[p]!;
        acc = op === "cumsum" ? acc + v : op === "cumprod" ? acc * v : logAddExp(acc, v);
        out[p] = acc;
        if (out instanceof Int32Array) acc = out[p]!; // wrap like the stored int32 value
      }
    }
  }
}

export function cumprodBackward(x: FloatArray, y: FloatArray, gy: FloatArray, outer: number, size: number, inner: number, gx: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      const at = (s: number): number => base + s * inner;
      let firstZero = size;
      for (let s = 0; s < size; s++) if (x[at(s)] === 0) { firstZero = s; break; }
      // Before the first zero: sum_{j >= s} gy_j y_j / x_s (terms after the zero are 0).
      let tail = 0;
      for (let s = size - 1; s >= 0; s--) {
        const p = at(s);
        tail += gy[p]! * y[p]!;
        if (s < firstZero) gx[p] = tail / x[p]!;
        else gx[p] = 0;
      }
      if (firstZero < size) {
        // At the first zero: prod_{m<k} x_m * sum_{j>=k} gy_j prod_{k<m<=j} x_m; later positions stay 0.
        const k = firstZero;
        const before = k === 0 ? 1 : y[at(k - 1)]!;
        let run = 1;
        let sum = 0;
        for (let s = k; s < size; s++) {
          if (s > k) run *= x[at(s)]!;
          sum += gy[at(s)]! * run;
        }
        gx[at(k)] = before * sum;
      }
    }
  }
}

export function cumExtreme(
  op: "cummax" | "cummin", x: TypedArray, outer: number, size: number, inner: number, values: TypedArray, indices: Int32Array,
): void {
  const max = op === "cummax";
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = 0;
      let bestIdx = 0;
      for (let s = 0; s < size; s++) {
        const p = base + s * inner;
        const v = x[p]!;
        if (s === 0 || v !== v || (best === best && (max ? v >= best : v <= best))) {
          best = v;
          bestIdx = s;
        }
        values[p] = best;
        indices[p] = bestIdx;
      }
    }
  }
}

export function sort(
  x: TypedArray, outer: number, size: number, inner: number, descending: boolean, values: TypedArray, indices: Int32Array,
): void {
  const order = new Array<number>(size);
  const vals = new Float64Array(size);
  // Ascending with NaN last; descending with NaN first. Array.prototype.sort is stable.
  const cmp = (a: number, b: number): number => {
    const va = vals[a]!, vb = vals[b]!;
    const na = va !== va, nb = vb !== vb;
    if (na || nb) return na === nb ? 0 : (na ? 1 : -1) * (descending ? -1 : 1);
    if (va === vb) return 0;
    return (va < vb ? -1 : 1) * (descending ? -1 : 1);
  };
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      for (let s = 0; s < size; s++) {
        order[s] = s;
        vals[s] = x[base + s * inner]!;
      }
      order.sort(cmp);
      for (let s = 0; s < size; s++) {
        values[base + s * inner] = vals[order[s]!]!;
        indices[base + s * inner] = order[s]!;
      }
    }
  }
}
