// The autocast mode ops consult (set by amp.autocast, scoped with try/finally). It lives here, below
// the ops, so that ops can read it and the engine can switch it off while backward runs: backward
// ops compute in the dtypes their forward chose and are never re-autocast (PyTorch's rule too).

import type { Tensor } from "../tensor/tensor.js";
import type { HalfDType, TypedArray } from "../util/dtype.js";

export interface CastCacheEntry {
  /** The master tensor's version when it was converted; a later in-place write invalidates it. */
  version: number;
  data: TypedArray;
}

export interface AutocastState {
  /** The low-precision dtype matmul/linear/attention run in. */
  readonly dtype: HalfDType;
  /** Converted float32 leaves that require grad (parameters), per autocast region; null: no caching. */
  readonly cache: Map<Tensor, CastCacheEntry> | null;
}

let current: AutocastState | null = null;

/** The active autocast mode, or null outside autocast (or inside autocast({ enabled: false })). */
export function autocastState(): AutocastState | null {
  return current;
}

/** Run fn with the given mode (null switches autocast off), restoring the previous one after. */
export function withAutocastState<T>(state: AutocastState | null, fn: () => T): T {
  const prev = current;
  current = state;
  try {
    return fn();
  } finally {
    current = prev;
  }
}
