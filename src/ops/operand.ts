// Helpers every op uses: turning number operands into tensors, dtype promotion, output allocation.

import { castTo } from "../autograd/grad_utils.js";
import { Tensor } from "../tensor/tensor.js";
import { allocateUninit, allocateZeroed } from "../util/buffer_pool.js";
import { type DType, type TypedArray, allocate, isFloat, promoteTypes } from "../util/dtype.js";
import { MAX_NUMEL, fmt, numel } from "../shape/shape.js";
import { describeValue } from "../util/describe.js";
import { DTypeError, ShapeError } from "../util/errors.js";

/**
 * A tensor or a plain number. A number takes the tensor's dtype (float16 + 1.5 stays float16),
 * except against int32/bool: a fractional number gives float32, and an integer against bool gives
 * int32 (PyTorch's bool + 1 is an integer tensor).
 */
export type TensorLike = Tensor | number;

export function empty(shape: readonly number[], dtype: DType): Tensor {
  const n = numel(shape);
  if (n > MAX_NUMEL) throw new ShapeError(`cannot create a result of shape ${fmt(shape)}: ${n} elements, more than the ${MAX_NUMEL} a tensor can hold`);
  return new Tensor(allocateZeroed(dtype, n), shape);
}

/** Like empty() but with unspecified contents (possibly a pooled buffer): only for outputs a kernel overwrites entirely. */
export function emptyUninit(shape: readonly number[], dtype: DType): Tensor {
  let n = 1;
  for (const s of shape) n *= s;
  return new Tensor(allocateUninit(dtype, n), shape);
}

/**
 * The storage a backward rule may write input i's gradient into (see BackwardRule's `into`):
 * given only for a leaf input, in that input's dtype, so usable when the rule computes in it.
 */
export function intoFor(into: readonly (TypedArray | null)[] | undefined, i: number, input: Tensor, dtype: DType): TypedArray | null {
  const t = into?.[i];
  return t && input.dtype === dtype ? t : null;
}

/** Result dtype of a binary op between two operands. */
export function resultDType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteTypes(a.dtype, b.dtype);
  const t = (a instanceof Tensor ? a : b) as Tensor;
  const n = (a instanceof Tensor ? b : a) as number;
  if ((t.dtype === "int32" || t.dtype === "bool") && !Number.isInteger(n)) return "float32";
  if (t.dtype === "bool") return "int32";
  return t.dtype;
}

/** Convert an operand to a tensor of `dtype` (numbers become 0-d tensors; tensors are cast if needed). */
export function toTensor(x: TensorLike, dtype: DType): Tensor {
  if (typeof x === "number") {
    if (dtype === "float64" || dtype === "float32" || dtype === "int32") {
      const d = allocate(dtype, 1);
      d[0] = x;
      return new Tensor(d, []);
    }
    return castTo(new Tensor(Float64Array.of(x), []), dtype); // rounds to float16/bfloat16, or x != 0 for bool
  }
  return castTo(x, dtype);
}

/** Cast without recording a graph (the engine's own cast; returns x itself when the dtype matches). */
export { castTo as castTensor } from "../autograd/grad_utils.js";

export function requireFloat(op: string, t: Tensor, arg = "input"): void {
  if (!isFloat(t.dtype)) throw new DTypeError(`${op}: ${arg} must be a floating-point tensor, got dtype ${t.dtype}`);
}

/** A plain number argument (a slope, a bound, a fill value). NaN is a number here. */
export function requireNumber(op: string, x: unknown, arg: string): number {
  if (typeof x !== "number") throw new DTypeError(`${op}: ${arg} must be a number, got ${describeValue(x)}`);
  return x;
}

/** A Tensor or a plain number (a binary op's operand). */
export function requireOperand(op: string, x: unknown, arg = "input"): TensorLike {
  if (!(x instanceof Tensor) && typeof x !== "number") {
    throw new DTypeError(`${op}: ${arg} must be a Tensor or a number, got ${describeValue(x)}`);
  }
  return x;
}

export function requireTensor(op: string, x: unknown, arg = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: ${arg} must be a Tensor, got ${describeValue(x)}`);
  return x;
}
