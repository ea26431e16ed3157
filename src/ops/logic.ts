// Boolean reductions and tests (any, all, isclose, allclose), and the mask-driven selections
// (maskedSelect, nonzero). Masks are bool (MASK_DTYPE);
// any nonzero mask value counts as true.

import { getBackend } from "../backend/index.js";
import { broadcastShapes, contiguousStrides, normalizeDims } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue } from "../util/describe.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { checkOptionKeys, optionNames } from "../util/options.js";
import { binaryForward } from "./binary.js";
import { MASK_DTYPE } from "./mask.js";
import { type TensorLike, empty, requireOperand, requireTensor, resultDType, toTensor } from "./operand.js";
import { type Dims, reduceRaw, reducedShape } from "./reduce.js";
import { expand } from "./shape/expand.js";
import { takeFlat } from "./indexing/take.js";
import { unaryRaw } from "./unary.js";

function asMask(t: Tensor): Tensor {
  return t.dtype === MASK_DTYPE ? t : toTensor(t, MASK_DTYPE);
}

/** Whether any element (along dim, when given) is nonzero; NaN counts as nonzero. */
export function any(x: Tensor, dim?: Dims, keepDim = false): Tensor {
  return boolReduce("any", x, dim, keepDim);
}

/** Whether every element (along dim, when given) is nonzero; true for an empty tensor. */
export function all(x: Tensor, dim?: Dims, keepDim = false): Tensor {
  return boolReduce("all", x, dim, keepDim);
}

function boolReduce(op: "any" | "all", x: Tensor, dim: Dims | undefined, keepDim: boolean): Tensor {
  requireTensor(op, x);
  const dims = normalizeDims(op, dim, x.ndim);
  // any: some element != 0; all: no element == 0. Counting works for empty dims too.
  const hits = binaryForward(op === "any" ? "ne" : "eq", x, 0, "int32")[2];
  const counts = reduceRaw("sum", hits, dims);
  const out = binaryForward(op === "any" ? "gt" : "eq", counts, 0, MASK_DTYPE)[2];
  return new Tensor(out.data, reducedShape(x.shape, dims, keepDim));
}

/**
 * |a - b| <= atol + rtol·|b| elementwise (broadcasting), or a == b (so equal infinities are close);
 * NaN is close to NaN only with equalNan. PyTorch's defaults rtol 1e-5, atol 1e-8.
 */
export function isclose(a: Tensor, b: TensorLike, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor {
  return iscloseAs("isclose", a, b, rtol, atol, equalNan);
}

function iscloseAs(op: string, a: Tensor, b: TensorLike, rtol: number, atol: number, equalNan: boolean): Tensor {
  requireTensor(op, a);
  requireOperand(op, b, "other");
  // PyTorch's rule: a tolerance may be any number >= 0, Infinity included (NaN is not).
  for (const [name, v] of [["rtol", rtol], ["atol", atol]] as const) {
    if (typeof v !== "number") throw new DTypeError(`${op}: ${name} must be a number, got ${describeValue(v)}`);
    if (!(v >= 0)) throw new ValueError(`${op}: ${name} must be a non-negative number, got ${v}`);
  }
  if (typeof equalNan !== "boolean") throw new DTypeError(`${op}: equalNan must be a boolean, got ${describeValue(equalNan)}`);
  if (b instanceof Tensor) broadcastShapes(op, a.shape, b.shape, ["input", "other"]);
  const dtype = resultDType(a, b);
  const fa = toTensor(a, dtype === "int32" ? "float64" : dtype);
  const fb = toTensor(b, fa.dtype);
  let close = binaryForward("eq", fa, fb, MASK_DTYPE)[2];
  if (equalNan) {
    const bothNan = binaryForward("mul", unaryRaw("isnan", fa), unaryRaw("isnan", fb))[2];
    close = binaryForward("maximum", close, toTensor(bothNan, MASK_DTYPE))[2];
  }
  const err = unaryRaw("abs", binaryForward("sub", fa, fb)[2]);
  const allowed = binaryForward("add", unaryRaw("abs", binaryForward("mul", fb, rtol)[2]), atol)[2];
  const within = binaryForward("mul", binaryForward("le", err, allowed, MASK_DTYPE)[2], unaryRaw("isfinite", err))[2];
  return asMask(binaryForward("maximum", close, toTensor(within, MASK_DTYPE))[2]);
}

/** True when every element of isclose(a, b, ...) is (a JS boolean, like torch.allclose). */
export function allclose(a: Tensor, b: TensorLike, rtol = 1e-5, atol = 1e-8, equalNan = false): boolean {
  const close = iscloseAs("allclose", a, b, rtol, atol, equalNan);
  for (let i = 0; i < close.data.length; i++) if (close.data[i] === 0) return false;
  return true;
}

/** The elements of x where mask (broadcast with x) is nonzero, as a 1-D tensor; differentiable in x. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  requireTensor("maskedSelect", x);
  requireTensor("maskedSelect", mask, "mask");
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  const xe = expand(x, shape);
  const me = mask.shape.length === shape.length && mask.shape.every((s, i) => s === shape[i]) ? mask : expandRaw(mask, shape);
  const chosen: number[] = [];
  for (let i = 0; i < me.data.length; i++) if (me.data[i] !== 0) chosen.push(i);
  return takeFlat("maskedSelect", xe, Int32Array.from(chosen), [chosen.length]);
}

function expandRaw(t: Tensor, shape: readonly number[]): Tensor {
  const out = empty(shape, t.dtype);
  const strides = new Array<number>(shape.length).fill(0);
  const own = contiguousStrides(t.shape);
  t.shape.forEach((s, i) => { strides[shape.length - t.ndim + i] = s === 1 ? 0 : own[i]!; });
  getBackend().stridedCopy(t.data, out.data, {
    shape, srcOffset: 0, srcStrides: strides, dstOffset: 0, dstStrides: contiguousStrides(shape), accumulate: false,
  });
  return out;
}

export interface NonzeroOptions {
  /** Return one 1-D int32 tensor of coordinates per dim instead of the (count, ndim) matrix. */
  asTuple?: boolean;
}
const NONZERO_OPTIONS = optionNames<NonzeroOptions>({ asTuple: true });

/**
 * Coordinates of the nonzero elements, one row each: an int32 tensor (count, ndim) in row-major
 * order; with asTuple, its columns as separate tensors (a 0-d input gives one tensor, as PyTorch).
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, opts: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, opts: NonzeroOptions = {}): Tensor | Tensor[] {
  requireTensor("nonzero", x);
  checkOptionKeys("nonzero", opts, NONZERO_OPTIONS);
  const asTuple = opts?.asTuple ?? false;
  if (typeof asTuple !== "boolean") throw new DTypeError(`nonzero: asTuple must be a boolean, got ${describeValue(asTuple)}`);
  const rows = nonzeroRows(x);
  if (!asTuple) return rows;
  const [count, nd] = rows.shape as [number, number];
  if (nd === 0) return [new Tensor(new Int32Array(count), [count])];
  return Array.from({ length: nd }, (_, d) => {
    const col = new Int32Array(count);
    for (let r = 0; r < count; r++) col[r] = rows.data[r * nd + d]!;
    return new Tensor(col, [count]);
  });
}

function nonzeroRows(x: Tensor): Tensor {
  const nd = x.ndim;
  const coords: number[] = [];
  const idx = new Array<number>(nd).fill(0);
  let count = 0;
  for (let p = 0; p < x.data.length; p++) {
    if (x.data[p] !== 0) {
      coords.push(...idx);
      count++;
    }
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return new Tensor(Int32Array.from(coords), [count, nd]);
}
