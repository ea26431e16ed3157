// Converting JS numbers to int32 storage: truncate toward zero like PyTorch, but refuse what does
// not fit (NaN, ±Inf, |v| ≥ 2³¹) instead of letting Int32Array wrap it or turn it into 0.

import { ValueError } from "./errors.js";

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Whether `v` truncates to a representable int32. */
export function fitsInt32(v: number): boolean {
  const t = Math.trunc(v);
  return t >= INT32_MIN && t <= INT32_MAX; // false for NaN
}

function overflow(op: string, what: string, v: number): ValueError {
  return new ValueError(
    `${op}: ${what} ${v} cannot be converted to int32 without overflow (int32 holds integers in [${INT32_MIN}, ${INT32_MAX}])`,
  );
}

/** `v` truncated toward zero, or a ValueError naming `op` when it does not fit int32. */
export function toInt32(op: string, v: number, what = "value"): number {
  if (!fitsInt32(v)) throw overflow(op, what, v);
  return Math.trunc(v);
}

/** Throw (naming the first offending element) unless every value of `src` fits int32. */
export function checkInt32(op: string, src: ArrayLike<number>, what = "element"): void {
  for (let i = 0; i < src.length; i++) if (!fitsInt32(src[i]!)) throw overflow(op, `${what} ${i} =`, src[i]!);
}
