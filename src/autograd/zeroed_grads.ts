// Gradients known to be all zeros: zeroGrad({ setToNone: false }) fills a .grad with zeros and
// marks its storage here at its current version. While the mark holds (no in-place write since:
// any write through the library bumps the version), backward may write a leaf's whole gradient
// straight into that .grad instead of computing it elsewhere and adding it to the zeros: the same
// values as that add, one pass over the gradient fewer and no gradient held on the side. Writing
// a .grad's `data` directly bypasses the version counter, as it does for saved tensors.

import { getBackend } from "../backend/index.js";
import { type Tensor, versionCounterOf } from "../tensor/tensor.js";
import type { TypedArray } from "../util/dtype.js";

const zeroedAt = new WeakMap<TypedArray, number>();

/** Fill t (a .grad) with zeros and remember that it holds zeros. */
export function zeroGradInPlace(t: Tensor): void {
  getBackend().fill(t.data, 0);
  zeroedAt.set(t.data, versionCounterOf(t.data).value);
}

/** Whether t's storage still holds the zeros zeroGradInPlace wrote (no in-place write since). */
export function isKnownZero(t: Tensor): boolean {
  const v = zeroedAt.get(t.data);
  return v !== undefined && v === versionCounterOf(t.data).value;
}

/** Backward wrote a gradient into t's storage: t is no longer zeros, and savers of it must see the write. */
export function markWritten(t: Tensor): void {
  zeroedAt.delete(t.data);
  versionCounterOf(t.data).value++;
}

/** Undo a write into a known-zero .grad (backward failed after it): zeros again, and known to be. */
export function restoreZeros(t: Tensor): void {
  zeroGradInPlace(t);
}
