// amp.autocast: run a function with automatic mixed precision, PyTorch's torch.autocast for the CPU.
// Inside, matmul / linear / scaledDotProductAttention cast their float inputs to the low dtype
// (float32 accumulation, low-precision output); softmax, logSoftmax, layerNorm, sum / mean / prod
// and the losses cast low-precision inputs up to float32; every other op runs in its inputs' dtype.
// Parameters stay float32 (master weights): their low-precision copies are cached per region, one
// conversion per parameter version, and gradients flow back through the casts in float32.

import { type AutocastState, autocastState, withAutocastState } from "../autograd/autocast_state.js";
import type { HalfDType } from "../util/dtype.js";
import { ValueError } from "../util/errors.js";

export interface AutocastOptions {
  /** The low-precision dtype; default "bfloat16" (PyTorch's CPU default). */
  dtype?: HalfDType;
  /** false runs fn with autocast off (also inside an enclosing autocast). Default true. */
  enabled?: boolean;
  /** Cache the low-precision copies of float32 leaves that require grad. Default true. */
  cacheEnabled?: boolean;
}

const KNOWN = new Set(["dtype", "enabled", "cacheEnabled"]);

/**
 * Run fn under autocast and return its result; the previous mode is restored however fn exits.
 * fn must be synchronous (an awaited continuation would run outside the region). Call backward()
 * outside (or inside: backward never autocasts, it uses the dtypes the forward pass chose).
 */
export function autocast<T>(opts: AutocastOptions, fn: () => T): T {
  if (typeof opts !== "object" || opts === null) throw new ValueError(`autocast: options must be an object, got ${opts === null ? "null" : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!KNOWN.has(k)) throw new ValueError(`autocast: unknown option "${k}" (expected dtype, enabled, cacheEnabled)`);
  }
  const dtype = opts.dtype ?? "bfloat16";
  if (dtype !== "bfloat16" && dtype !== "float16") {
    throw new ValueError(`autocast: dtype must be "bfloat16" or "float16", got ${JSON.stringify(dtype)}`);
  }
  const enabled = opts.enabled ?? true;
  if (typeof enabled !== "boolean") throw new ValueError(`autocast: enabled must be a boolean, got ${typeof enabled}`);
  const cacheEnabled = opts.cacheEnabled ?? true;
  if (typeof cacheEnabled !== "boolean") throw new ValueError(`autocast: cacheEnabled must be a boolean, got ${typeof cacheEnabled}`);
  if (typeof fn !== "function") throw new ValueError(`autocast: the second argument must be a function, got ${typeof fn}`);
  if (!enabled) return withAutocastState(null, fn);
  const outer = autocastState();
  // A nested region of the same dtype shares the outer cache; the cache dies with the region that made it.
  const cache = !cacheEnabled ? null : outer && outer.dtype === dtype && outer.cache ? outer.cache : new Map();
  const state: AutocastState = { dtype, cache };
  return withAutocastState(state, fn);
}

/** Whether ops are autocast right now. */
export function isAutocastEnabled(): boolean {
  return autocastState() !== null;
}

/** The low-precision dtype of the active region, or null outside autocast. */
export function getAutocastDType(): HalfDType | null {
  return autocastState()?.dtype ?? null;
}
