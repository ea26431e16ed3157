// Rounding (floor ceil round trunc frac), trigonometric and hyperbolic functions, log2/log10/exp2,
// and the NaN/Inf tests. Rounding has zero gradient (frac passes it through), as in PyTorch;
// integer inputs keep their dtype for rounding and become float32 for the transcendental ops.

import { getBackend } from "../backend/index.js";
import type { FloatArray, MathUnaryOp } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { Tensor } from "../tensor/tensor.js";
import { isIntegral } from "../util/dtype.js";
import { describeValue } from "../util/describe.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { checkOptionKeys, optionNames } from "../util/options.js";
import { binaryForward } from "./binary.js";
import { MASK_DTYPE } from "./mask.js";
import { empty, requireTensor, toTensor } from "./operand.js";
import { unaryRaw } from "./unary.js";

type Rounding = "floor" | "ceil" | "round" | "trunc";

/** Rounding: an int32 input is already integral (a copy, like PyTorch); gradient zero. */
function roundingOp(op: Rounding, x: Tensor): Tensor {
  requireTensor(op, x);
  if (isIntegral(x.dtype)) return new Tensor(x.data.slice(), x.shape);
  const out = unaryRaw(op, x);
  return record(op, [x], out, (g) => [empty(g.shape, g.dtype)], { saves: [] });
}

function smoothOp(op: Exclude<MathUnaryOp, Rounding | "frac" | "isnan" | "isinf" | "isfinite">, x: Tensor): Tensor {
  requireTensor(op, x);
  const out = unaryRaw(op, x);
  return record(op, [x], out, (g) => {
    const xf = toTensor(x, out.dtype);
    const gx = empty(out.shape, out.dtype);
    getBackend().unaryBackward(op, xf.data as FloatArray, out.data as FloatArray, toTensor(g, out.dtype).data as FloatArray, gx.data as FloatArray);
    return [gx];
  }, { holds: [out] }); // the rule reads the output too
}

export const floor = (x: Tensor): Tensor => roundingOp("floor", x);
export const ceil = (x: Tensor): Tensor => roundingOp("ceil", x);
export const trunc = (x: Tensor): Tensor => roundingOp("trunc", x);

export interface RoundOptions {
  /** Round to this many decimal places (negative: to tens, hundreds, ...). Default 0. */
  decimals?: number;
}

const ROUND_OPTIONS = optionNames<RoundOptions>({ decimals: true });

/** Round half to even; with `decimals`, x·10^d rounded then divided back (PyTorch's formula). */
export function round(x: Tensor, opts: RoundOptions = {}): Tensor {
  requireTensor("round", x);
  checkOptionKeys("round", opts, ROUND_OPTIONS);
  const decimals = opts?.decimals ?? 0;
  if (!Number.isInteger(decimals)) throw new ValueError(`round: decimals must be an integer, got ${describeValue(decimals)}`);
  if (decimals === 0) return roundingOp("round", x);
  if (isIntegral(x.dtype)) throw new DTypeError(`round: decimals=${decimals} needs a floating-point input, got dtype ${x.dtype} (PyTorch neither)`);
  const scale = Math.pow(10, Math.abs(decimals));
  const scaled = binaryForward(decimals > 0 ? "mul" : "div", x, scale)[2];
  const out = binaryForward(decimals > 0 ? "div" : "mul", unaryRaw("round", scaled), scale)[2];
  return record("round", [x], out, (g) => [empty(g.shape, g.dtype)], { saves: [] });
}

/** x - trunc(x), keeping the sign of x; gradient 1. Float inputs only (PyTorch has no integer frac). */
export function frac(x: Tensor): Tensor {
  requireTensor("frac", x);
  if (isIntegral(x.dtype)) throw new DTypeError(`frac: needs a floating-point input, got dtype ${x.dtype} (PyTorch neither)`);
  const out = unaryRaw("frac", x);
  return record("frac", [x], out, (g) => [g], { saves: [] });
}

export const tan = (x: Tensor): Tensor => smoothOp("tan", x);
export const asin = (x: Tensor): Tensor => smoothOp("asin", x);
export const acos = (x: Tensor): Tensor => smoothOp("acos", x);
export const atan = (x: Tensor): Tensor => smoothOp("atan", x);
export const sinh = (x: Tensor): Tensor => smoothOp("sinh", x);
export const cosh = (x: Tensor): Tensor => smoothOp("cosh", x);
export const asinh = (x: Tensor): Tensor => smoothOp("asinh", x);
export const acosh = (x: Tensor): Tensor => smoothOp("acosh", x);
export const atanh = (x: Tensor): Tensor => smoothOp("atanh", x);
export const log2 = (x: Tensor): Tensor => smoothOp("log2", x);
export const log10 = (x: Tensor): Tensor => smoothOp("log10", x);
export const exp2 = (x: Tensor): Tensor => smoothOp("exp2", x);

/** A mask (bool) of where the test holds; never differentiable. */
function testOp(op: "isnan" | "isinf" | "isfinite", x: Tensor): Tensor {
  requireTensor(op, x);
  const out = empty(x.shape, MASK_DTYPE);
  getBackend().unary(op, x.data, out.data);
  return out;
}

export const isnan = (x: Tensor): Tensor => testOp("isnan", x);
export const isinf = (x: Tensor): Tensor => testOp("isinf", x);
export const isfinite = (x: Tensor): Tensor => testOp("isfinite", x);
