// How ops apply the autocast mode (src/autograd/autocast_state.ts): the casts of PyTorch's two
// autocast policies. "lower": matmul, linear, scaledDotProductAttention cast float inputs to the
// low dtype (GEMM still accumulates in float32). "float32": softmax, logSoftmax, layerNorm,
// sum/mean/prod and the losses cast low-precision inputs up. float64 inputs are never cast
// (PyTorch's eligibility rule), so float64 gradient checks mean the same inside autocast.

import { record } from "../autograd/index.js";
import { autocastState, withAutocastState } from "../autograd/autocast_state.js";
import { Tensor } from "../tensor/tensor.js";
import { type DType, isHalf } from "../util/dtype.js";
import { to } from "./cast.js";
import { castTensor } from "./operand.js";

/** A float32 leaf that requires grad (a parameter): converted once per version per autocast region. */
function cachedLow(t: Tensor, dtype: DType, cache: NonNullable<ReturnType<typeof autocastState>>["cache"]): Tensor {
  if (!cache || t.dtype !== "float32" || !t.isLeaf || !t.requiresGrad) return to(t, dtype);
  let entry = cache.get(t);
  if (!entry || entry.version !== t.version) {
    entry = { version: t.version, data: castTensor(t, dtype).data };
    cache.set(t, entry);
  }
  // A fresh graph node per use over the shared converted storage: each backward gets its own node.
  const out = new Tensor(entry.data, t.shape);
  // record() also under noGrad: it makes no node there, but checkpoint() learns that fn read t.
  return record("to", [t], out, (g) => [castTensor(g, "float32")], { saves: [] });
}

/** Under autocast, `t` cast to the low dtype when it is float32/float16/bfloat16 (others unchanged). */
export function autocastLow<T extends Tensor | null | undefined>(t: T): T {
  const s = autocastState();
  if (!s || !(t instanceof Tensor) || t.dtype === s.dtype || !(t.dtype === "float32" || isHalf(t.dtype))) return t;
  return cachedLow(t, s.dtype, s.cache) as T;
}

/** Under autocast, `t` cast up to float32 when it is float16/bfloat16 (others unchanged). */
export function autocastFloat32<T extends Tensor | null | undefined>(t: T): T {
  if (!autocastState() || !(t instanceof Tensor) || !isHalf(t.dtype)) return t;
  return to(t, "float32") as T;
}

/** Whether autocast is on (ops with a composite body use it to run that body with autocast off). */
export function autocastActive(): boolean {
  return autocastState() !== null;
}

/** Run fn with autocast off: the inside of one autocast op is not autocast again. */
export function withoutAutocast<T>(fn: () => T): T {
  return withAutocastState(null, fn);
}
