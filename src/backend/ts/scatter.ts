// Reference kernels for scatterReduce (PyTorch's scatter_reduce) and its backward. `pos[i]` is
// the flat output position src[i] goes to; out has self's size. Positions no src reaches keep self.

import type { FloatArray, ScatterReduceOp } from "../backend.js";
import type { TypedArray } from "../../util/dtype.js";

const IDENTITY: Record<ScatterReduceOp, number> = { sum: 0, prod: 1, mean: 0, amax: -Infinity, amin: Infinity };

/** How many values reach each position: self (when included or untouched) plus the srcs. */
function contributorCounts(pos: Int32Array, n: number, includeSelf: boolean): Int32Array {
  const count = new Int32Array(n).fill(includeSelf ? 1 : 0);
  for (let i = 0; i < pos.length; i++) count[pos[i]!]!++;
  if (!includeSelf) for (let p = 0; p < n; p++) if (count[p] === 0) count[p] = 1; // untouched: self alone
  return count;
}

export function scatterReduce(
  op: ScatterReduceOp, self: TypedArray, src: TypedArray, pos: Int32Array, includeSelf: boolean, out: TypedArray,
): void {
  out.set(self);
  if (!includeSelf) for (let i = 0; i < pos.length; i++) out[pos[i]!] = IDENTITY[op];
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i]!;
    const a = out[p]!, b = src[i]!;
    switch (op) {
      case "sum": case "mean": out[p] = a + b; break;
      case "prod": out[p] = a * b; break;
      case "amax": out[p] = a !== a || b !== b ? NaN : a > b ? a : b; break;
      case "amin": out[p] = a !== a || b !== b ? NaN : a < b ? a : b; break;
      default: op satisfies never;
    }
  }
  if (op === "mean") {
    const count = contributorCounts(pos, out.length, includeSelf);
    const isInt = out instanceof Int32Array;
    for (let p = 0; p < out.length; p++) out[p] = isInt ? Math.floor(out[p]! / count[p]!) : out[p]! / count[p]!;
  }
}

/**
 * Gradients of scatterReduce given its output `result` and upstream `g` (self-shaped). gSelf
 * (self-shaped) and gSrc (src-shaped) may be null when not needed. prod: the product of the other
 * contributors, exact with zeros; amax/amin: split evenly among the values equal to the result.
 */
export function scatterReduceBackward(
  op: ScatterReduceOp, self: FloatArray, src: FloatArray, pos: Int32Array, includeSelf: boolean, result: FloatArray,
  g: FloatArray, gSelf: FloatArray | null, gSrc: FloatArray | null,
): void {
  const n = self.length;
  const touched = new Uint8Array(n);
  for (let i = 0; i < pos.length; i++) touched[pos[i]!] = 1;
  const selfCounts = (p: number): boolean => includeSelf || touched[p] === 0;
  let share: Float64Array;
  if (op === "sum" || op === "mean") {
    share = new Float64Array(n);
    const count = op === "mean" ? contributorCounts(pos, n, includeSelf) : null;
    for (let p = 0; p < n; p++) share[p] = g[p]! / (count ? count[p]! : 1);
    if (gSelf) for (let p = 0; p < n; p++) gSelf[p] = selfCounts(p) ? share[p]! : 0;
    if (gSrc) for (let i = 0; i < pos.length; i++) gSrc[i] = share[pos[i]!]!;
    return;
  }
  if (op === "prod") {
    // Per position: how many contributing zeros, and the product of the nonzero contributors.
    const zeros = new Int32Array(n);
    const nonzeroProd = new Float64Array(n).fill(1);
    const add = (p: number, v: number): void => {
      if (v === 0) zeros[p]!++;
      else nonzeroProd[p]! *= v;
    };
    for (let p = 0; p < n; p++) if (selfCounts(p)) add(p, self[p]!);
    for (let i = 0; i < pos.length; i++) add(pos[i]!, src[i]!);
    const others = (p: number, v: number): number =>
      v !== 0 ? result[p]! / v : zeros[p] === 1 ? nonzeroProd[p]! : 0;
    if (gSelf) for (let p = 0; p < n; p++) gSelf[p] = selfCounts(p) ? g[p]! * others(p, self[p]!) : 0;
    if (gSrc) for (let i = 0; i < pos.length; i++) gSrc[i] = g[pos[i]!]! * others(pos[i]!, src[i]!);
    return;
  }
  // amax / amin. Like PyTorch, self counts as a tie whenever it equals the result, even where
  // includeSelf is false (its own share is then dropped), so those srcs get g / (ties + 1).
  const ties = new Int32Array(n);
  for (let p = 0; p < n; p++) if (self[p] === result[p]) ties[p]!++;
  for (let i = 0; i < pos.length; i++) if (src[i] === result[pos[i]!]) ties[pos[i]!]!++;
  if (gSelf) for (let p = 0; p < n; p++) gSelf[p] = selfCounts(p) && self[p] === result[p] ? g[p]! / ties[p]! : 0;
  if (gSrc) for (let i = 0; i < pos.length; i++) gSrc[i] = src[i] === result[pos[i]!] ? g[pos[i]!]! / ties[pos[i]!]! : 0;
}
