// Elementwise unary ops. Forward and backward both run one kernel: backward calls the backend's
// unaryBackward with the saved input and output.

import { getBackend } from "../backend/index.js";
import type { FloatArray, UnaryOp } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { Tensor } from "../tensor/tensor.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { empty, emptyUninit, requireNumber, requireTensor, toTensor } from "./operand.js";
import { binaryForward, mul } from "./binary.js";
import { where } from "./where.js";
import { checkOptionKeys } from "../util/options.js";

/** Ops that keep int32 as int32; the rest compute in float (int32 input gives float32). */
const INT_PRESERVING: ReadonlySet<UnaryOp> = new Set<UnaryOp>(["neg", "abs", "sign", "square", "relu"]);

/** bool inputs: sign keeps bool, square counts in int32, neg/abs/relu are errors (as in PyTorch). */
const BOOL_REJECTED: ReadonlySet<UnaryOp> = new Set<UnaryOp>(["neg", "abs", "relu"]);

/** Forward only, no graph. */
export function unaryRaw(op: UnaryOp, x: Tensor): Tensor {
  requireTensor(op, x);
  let input = x;
  if (x.dtype === "bool") {
    if (BOOL_REJECTED.has(op)) {
      throw new DTypeError(`${op}: not supported on bool tensors${op === "neg" ? " (to invert a mask use eq(mask, 0))" : ""}; convert with to("int32") first`);
    }
    if (op === "square") input = toTensor(x, "int32");
    else if (op !== "sign") input = toTensor(x, "float32");
  } else if (x.dtype === "int32" && !INT_PRESERVING.has(op)) input = toTensor(x, "float32");
  const out = emptyUninit(input.shape, input.dtype);
  getBackend().unary(op, input.data, out.data);
  return out;
}

function unaryOp(op: UnaryOp, x: Tensor, name: string = op): Tensor {
  requireTensor(name, x);
  const out = unaryRaw(op, x);
  return record(name, [x], out, (g) => {
    const xf = toTensor(x, out.dtype);
    const gx = emptyUninit(out.shape, out.dtype);
    getBackend().unaryBackward(op, xf.data as FloatArray, out.data as FloatArray, toTensor(g, out.dtype).data as FloatArray, gx.data as FloatArray);
    return [gx];
  }, { holds: [out] }); // the rule reads the output too (tanh, sigmoid, exp...)
}

export const neg = (x: Tensor): Tensor => unaryOp("neg", x);
export const exp = (x: Tensor): Tensor => unaryOp("exp", x);
export const log = (x: Tensor): Tensor => unaryOp("log", x);
export const sqrt = (x: Tensor): Tensor => unaryOp("sqrt", x);
export const rsqrt = (x: Tensor): Tensor => unaryOp("rsqrt", x);
export const abs = (x: Tensor): Tensor => unaryOp("abs", x);
export const sign = (x: Tensor): Tensor => unaryOp("sign", x);
export const reciprocal = (x: Tensor): Tensor => unaryOp("reciprocal", x);
export const square = (x: Tensor): Tensor => unaryOp("square", x);
export const tanh = (x: Tensor): Tensor => unaryOp("tanh", x);
export const sigmoid = (x: Tensor): Tensor => unaryOp("sigmoid", x);
export const relu = (x: Tensor): Tensor => unaryOp("relu", x);
export const sin = (x: Tensor): Tensor => unaryOp("sin", x);
export const cos = (x: Tensor): Tensor => unaryOp("cos", x);
export const erf = (x: Tensor): Tensor => unaryOp("erf", x);
export const log1p = (x: Tensor): Tensor => unaryOp("log1p", x);
export const expm1 = (x: Tensor): Tensor => unaryOp("expm1", x);

export interface GeluOptions {
  /** "none" (default): exact x·Φ(x) with erf; "tanh": the tanh approximation used by GPT-2. */
  approximate?: "none" | "tanh";
}

export function gelu(x: Tensor, opts: GeluOptions = {}): Tensor {
  checkOptionKeys("gelu", opts, ["approximate"]);
  const approximate = opts.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new ValueError(`gelu: approximate must be "none" or "tanh", got "${String(approximate)}"`);
  }
  return unaryOp(approximate === "tanh" ? "geluTanh" : "gelu", x, "gelu");
}

/** Clamp into [min, max] (either may be omitted). Gradient flows where min <= x <= max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  requireTensor("clamp", x);
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo !== null) requireNumber("clamp", lo, "min");
  if (hi !== null) requireNumber("clamp", hi, "max");
  if (lo === null && hi === null) throw new ValueError("clamp: at least one of min and max must be given");
  let out = x;
  let mask: Tensor | null = null;
  if (lo !== null) {
    out = binaryForward("maximum", out, lo)[2];
    mask = binaryForward("ge", x, lo, "int32")[2]; // int32 0/1: multiplied into the gradient below
  }
  if (hi !== null) {
    out = binaryForward("minimum", out, hi)[2];
    const m = binaryForward("le", x, hi, "int32")[2];
    mask = mask ? binaryForward("mul", mask, m)[2] : m;
  }
  const keep = mask!;
  return record("clamp", [x], out, (g) => [mul(g, keep)], { saves: [], holds: [keep] });
}

/** x where x > 0, else negativeSlope * x (a composition, so its gradient comes from where and mul). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  requireTensor("leakyRelu", x);
  requireNumber("leakyRelu", negativeSlope, "negativeSlope");
  return where(binaryForward("gt", x, 0, "int32")[2], x, mul(x, negativeSlope));
}
