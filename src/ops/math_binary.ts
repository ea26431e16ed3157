// fmod, remainder, floorDivide, copysign, logaddexp, atan2 and lerp, broadcasting like the other
// binary ops. Gradients follow PyTorch's derivatives.yaml: fmod/remainder send -g·trunc(a/b) /
// -g·floor(a/b) to the divisor, copysign sends nothing to the sign source, floorDivide has none.

import { type BackwardRule, record } from "../autograd/index.js";
import { Tensor } from "../tensor/tensor.js";
import { AutogradError, DTypeError, ValueError } from "../util/errors.js";
import { add, binaryForward, div, eq, mul, sub } from "./binary.js";
import { type TensorLike, empty, requireFloat, requireOperand, requireTensor, resultDType } from "./operand.js";
import { exp, neg, unaryRaw } from "./unary.js";
import { where } from "./where.js";
import type { BinaryOp } from "../backend/backend.js";

function recordBinary(name: string, a: TensorLike, b: TensorLike, ta: Tensor, tb: Tensor, out: Tensor, rule: BackwardRule): Tensor {
  return record(name, [a instanceof Tensor ? a : ta, b instanceof Tensor ? b : tb], out, rule);
}

/** Both operands are Tensors or numbers, at least one a Tensor; checked before anything reads their dtypes. */
function checkOperands(op: string, a: unknown, b: unknown): void {
  requireOperand(op, a, "input");
  requireOperand(op, b, "other");
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new DTypeError(`${op}: at least one of input and other must be a Tensor, got the numbers ${String(a)} and ${String(b)}`);
  }
}

/** Integer division ops refuse a zero divisor (PyTorch's ZeroDivisionError), before computing. */
function checkIntDivisor(op: string, b: TensorLike): void {
  const values = b instanceof Tensor ? b.data : [b];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === 0) {
      throw new ValueError(`${op}: integer division by zero (the divisor${b instanceof Tensor ? ` has a 0 at flat position ${i}` : " is 0"})`);
    }
  }
}

/** Forward of fmod/remainder/floorDivide: int32 stays int32 (zero divisors rejected). */
function divisionForward(op: "fmod" | "remainder" | "floorDivide", a: TensorLike, b: TensorLike): [Tensor, Tensor, Tensor] {
  checkOperands(op, a, b);
  if (resultDType(a, b) === "int32") checkIntDivisor(op, b);
  return binaryForward(op, a, b);
}

/** C fmod: a - trunc(a/b)·b, the result has the dividend's sign. */
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = divisionForward("fmod", a, b);
  return recordBinary("fmod", a, b, ta, tb, out, (g, needs) => [
    needs[0] ? g : null,
    needs[1] ? neg(mul(g, unaryRaw("trunc", binaryForward("div", ta, tb)[2]))) : null,
  ]);
}

/** Python's modulus: a - floor(a/b)·b, the result has the divisor's sign. */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = divisionForward("remainder", a, b);
  return recordBinary("remainder", a, b, ta, tb, out, (g, needs) => [
    needs[0] ? g : null,
    needs[1] ? neg(mul(g, binaryForward("floorDivide", ta, tb)[2])) : null,
  ]);
}

/** floor(a / b) (PyTorch ≥ 1.13 rounds down, not toward zero). Not differentiable, as in PyTorch. */
export function floorDivide(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = divisionForward("floorDivide", a, b);
  return recordBinary("floorDivide", a, b, ta, tb, out, () => {
    throw new AutogradError("floorDivide: has no derivative (PyTorch defines none); detach its inputs or use div");
  });
}

/** Float result of an op PyTorch computes in floating point even for int32 operands. */
function floatForward(op: BinaryOp, a: TensorLike, b: TensorLike): [Tensor, Tensor, Tensor] {
  checkOperands(op, a, b);
  const dtype = resultDType(a, b);
  return binaryForward(op, a, b, dtype === "int32" ? "float32" : dtype);
}

/** |a| with the sign of b (including -0). Gradient to a: sign(a)·sign(b), 0 at a = 0; none to b. */
export function copysign(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = floatForward("copysign", a, b);
  return recordBinary("copysign", a, b, ta, tb, out, (g, needs) => [
    needs[0] ? mul(g, where(eq(ta, 0), 0, div(out, ta))) : null,
    needs[1] ? empty(g.shape, g.dtype) : null,
  ]);
}

/** log(exp(a) + exp(b)) without overflow. Float inputs only (as PyTorch). */
export function logaddexp(a: TensorLike, b: TensorLike): Tensor {
  checkOperands("logaddexp", a, b);
  for (const [v, arg] of [[a, "input"], [b, "other"]] as const) if (v instanceof Tensor) requireFloat("logaddexp", v, arg);
  const [ta, tb, out] = binaryForward("logaddexp", a, b);
  return recordBinary("logaddexp", a, b, ta, tb, out, (g, needs) => [
    needs[0] ? div(g, add(exp(sub(tb, ta)), 1)) : null,
    needs[1] ? div(g, add(exp(sub(ta, tb)), 1)) : null,
  ]);
}

/** Angle of the point (b, a): atan(a / b) in the right quadrant. int32 operands give float32. */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = floatForward("atan2", a, b);
  return recordBinary("atan2", a, b, ta, tb, out, (g, needs) => {
    const r2 = add(mul(ta, ta), mul(tb, tb));
    return [needs[0] ? div(mul(g, tb), r2) : null, needs[1] ? div(mul(g, neg(ta)), r2) : null];
  });
}

/**
 * start + weight·(end - start), evaluated as PyTorch does (end - (end - start)(1 - weight) when
 * |weight| ≥ 0.5, so weight 1 gives end exactly). Float tensors; weight a tensor or a number.
 */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  requireFloat("lerp", requireTensor("lerp", start));
  requireFloat("lerp", requireTensor("lerp", end, "end"), "end");
  requireOperand("lerp", weight, "weight");
  if (weight instanceof Tensor) requireFloat("lerp", weight, "weight");
  if (start.dtype !== end.dtype) throw new DTypeError(`lerp: end has dtype ${end.dtype} but the input has dtype ${start.dtype}; they must match`);
  const diff = binaryForward("sub", end, start)[2];
  const w = weight instanceof Tensor ? weight : binaryForward("add", empty([], diff.dtype), weight)[2];
  const low = binaryForward("add", start, binaryForward("mul", w, diff)[2])[2];
  const high = binaryForward("sub", end, binaryForward("mul", diff, binaryForward("sub", 1, w)[2])[2])[2];
  const small = binaryForward("lt", unaryRaw("abs", w), 0.5, "int32")[2];
  const out = where(small, low, high);
  const inputs = weight instanceof Tensor ? [start, end, weight] : [start, end];
  return record("lerp", inputs, out, (g, needs) => [
    needs[0] ? mul(g, sub(1, w)) : null,
    needs[1] ? mul(g, w) : null,
    needs[2] ? mul(g, diff) : null,
  ].slice(0, inputs.length), { saves: weight instanceof Tensor ? [weight] : [] });
}

