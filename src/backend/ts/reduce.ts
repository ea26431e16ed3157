// Reference reductions over the middle axis of an (outer, size, inner) view.

import type { TypedArray } from "../../util/dtype.js";
import type { ReduceOp } from "../backend.js";

export function reduce(op: ReduceOp, x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void {
  if (outer * inner === 0) return; // no outputs (outer may still be huge)
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) {
      let acc: number;
      switch (op) {
        case "sum": {
          acc = 0; // accumulate in float64 whatever the storage dtype
          for (let s = 0; s < size; s++) acc += x[base + s * inner + i]!;
          break;
        }
        case "prod": {
          acc = 1;
          for (let s = 0; s < size; s++) acc *= x[base + s * inner + i]!;
          break;
        }
        case "max": {
          acc = -Infinity;
          for (let s = 0; s < size; s++) {
            const v = x[base + s * inner + i]!;
            if (v > acc || v !== v) acc = v;
            if (acc !== acc) break; // NaN propagates
          }
          break;
        }
        case "min": {
          acc = Infinity;
          for (let s = 0; s < size; s++) {
            const v = x[base + s * inner + i]!;
            if (v < acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
          break;
        }
        default: acc = op satisfies never;
      }
      out[o * inner + i] = acc;
    }
  }
}

export function argReduce(
  op: "argmax" | "argmin", x: TypedArray, outer: number, size: number, inner: number, out: Int32Array,
): void {
  if (outer * inner === 0) return;
  const better = op === "argmax" ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) {
      let best = x[base + i]!;
      let bi = 0;
      // NaN counts as the extreme value (PyTorch): the first NaN wins.
      if (best === best) {
        for (let s = 1; s < size; s++) {
          const v = x[base + s * inner + i]!;
          if (v !== v) { bi = s; break; }
          if (better(v, best)) { best = v; bi = s; }
        }
      }
      out[o * inner + i] = bi;
    }
  }
}
