// Stride helpers for ops that move data with the backend's stridedCopy.

/** Strides of `shape` right-aligned to `target`, 0 on broadcast (size-1 or missing) dims. */
export function broadcastStridesFor(shape: readonly number[], target: readonly number[]): number[] {
  const n = target.length;
  const out = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[n - shape.length + i] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return out;
}
