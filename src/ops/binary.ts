// Broadcasting binary ops and their backward rules. The engine sums each gradient back to
// its input's shape, so the rules below work in the broadcast output shape.

import { getBackend } from "../backend/index.js";
import type { BinaryOp } from "../backend/backend.js";
import { type BackwardRule, record } from "../autograd/index.js";
import { broadcastShapes } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../util/dtype.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { type TensorLike, empty, resultDType, toTensor } from "./operand.js";
import { neg, unaryRaw } from "./unary.js";
import { where } from "./where.js";

/** Forward only: promote, broadcast, run the kernel. Returns the promoted operands and the output. */
export function binaryForward(op: BinaryOp, a: TensorLike, b: TensorLike, outDType?: DType): [Tensor, Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new DTypeError(`${op}: at least one operand must be a Tensor, got ${typeof a} and ${typeof b}`);
  }
  for (const [arg, v] of [["first", a], ["second", b]] as const) {
    if (!(v instanceof Tensor) && typeof v !== "number") {
      throw new DTypeError(`${op}: ${arg} operand must be a Tensor or a number, got ${v === null ? "null" : typeof v}`);
    }
  }
  let dtype = resultDType(a, b);
  if (op === "div" && (dtype === "int32" || dtype === "bool")) dtype = "float32"; // true division, like PyTorch
  if (dtype === "bool" && (op === "sub" || op === "pow")) {
    throw new DTypeError(op === "sub"
      ? "sub: subtracting two bool tensors is not supported (PyTorch neither); use logical xor, or convert with to(\"int32\") first"
      : "pow: not implemented for bool tensors; convert with to(\"int32\") or to a float dtype first");
  }
  const ta = toTensor(a, dtype);
  const tb = toTensor(b, dtype);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const out = empty(shape, outDType ?? dtype);
  getBackend().binary(op, ta.data, ta.shape, tb.data, tb.shape, out.data, shape);
  return [ta, tb, out];
}

/**
 * Record a binary op. Graph inputs are the caller's tensors (the engine casts gradients back to
 * their dtypes when promotion copied them); number operands never need gradients.
 */
function recordBinary(
  name: string, a: TensorLike, b: TensorLike, ta: Tensor, tb: Tensor, out: Tensor, rule: BackwardRule, readsInputs = true,
): Tensor {
  const inputs = [a instanceof Tensor ? a : ta, b instanceof Tensor ? b : tb];
  return record(name, inputs, out, rule, { saves: readsInputs ? inputs : [] });
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = binaryForward("add", a, b);
  return recordBinary("add", a, b, ta, tb, out, (g) => [g, g], false);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = binaryForward("sub", a, b);
  return recordBinary("sub", a, b, ta, tb, out, (g, needs) => [g, needs[1] ? neg(g) : null], false);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = binaryForward("mul", a, b);
  return recordBinary("mul", a, b, ta, tb, out, (g, needs) => [needs[0] ? mul(g, tb) : null, needs[1] ? mul(g, ta) : null]);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, out] = binaryForward("div", a, b);
  return recordBinary("div", a, b, ta, tb, out, (g, needs) => [
    needs[0] ? div(g, tb) : null,
    needs[1] ? neg(div(mul(g, out), tb)) : null, // -g * a / b^2 = -g * out / b
  ]);
}

export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && a.dtype === "int32" && typeof b === "number" && Number.isInteger(b) && b < 0) {
    throw new ValueError(`pow: Integers to negative integer powers are not allowed (an int32 tensor to the power ${b}); convert it with .to("float32") first`);
  }
  const [ta, tb, out] = binaryForward("pow", a, b);
  return recordBinary("pow", a, b, ta, tb, out, (g, needs) => [
    // b * a^(b-1), defined as 0 where b == 0 (otherwise 0 * 0^-1 = NaN at a = 0), like PyTorch.
    needs[0] ? mul(g, where(eq(tb, 0), 0, mul(tb, pow(ta, sub(tb, 1))))) : null,
    // d/db a^b = a^b log a, defined as 0 where a == 0 and b >= 0 (PyTorch's mask); where b < 0
    // it stays inf * log 0 = -inf, as in PyTorch.
    needs[1] ? mul(g, where(mul(eq(ta, 0), ge(tb, 0)), 0, mul(out, unaryRaw("log", ta)))) : null,
  ]);
}

export function maximum(a: Tensor, b: TensorLike): Tensor {
  const [ta, tb, out] = binaryForward("maximum", a, b);
  return recordBinary("maximum", a, b, ta, tb, out, (g) => tieSplit(g, ta, tb, "gt"));
}

export function minimum(a: Tensor, b: TensorLike): Tensor {
  const [ta, tb, out] = binaryForward("minimum", a, b);
  return recordBinary("minimum", a, b, ta, tb, out, (g) => tieSplit(g, ta, tb, "lt"));
}

/**
 * Gradient of max/min, PyTorch's rule: where(a == b, g/2, g), zeroed for a where a loses and for
 * b where b loses. A NaN on either side makes every comparison false, so both get the full g.
 */
function tieSplit(g: Tensor, a: Tensor, b: Tensor, win: "gt" | "lt"): Tensor[] {
  const lose = win === "gt" ? "lt" : "gt";
  const tie = add(1, mul(eq(a, b), -0.5)); // 0.5 on ties, 1 elsewhere
  const wa = mul(tie, sub(1, compare(lose, a, b)));
  const wb = mul(tie, sub(1, compare(win, a, b)));
  return [mul(g, wa), mul(g, wb)];
}

function compare(op: "eq" | "ne" | "lt" | "le" | "gt" | "ge", a: TensorLike, b: TensorLike): Tensor {
  return binaryForward(op, a, b, "bool")[2];
}

/** Elementwise comparisons: bool masks, like PyTorch; never differentiable. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare("eq", a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare("ne", a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare("lt", a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => compare("le", a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare("gt", a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare("ge", a, b);
