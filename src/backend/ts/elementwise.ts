// Reference elementwise kernels: unary ops and their derivatives, broadcasting binary ops, where.

import type { TypedArray } from "../../util/dtype.js";
import type { BinaryOp, FloatArray, UnaryOp } from "../backend.js";
import { erf, gelu, geluGrad, geluTanh, geluTanhGrad, sigmoid } from "./special.js";
import { intBinaryFn, mathBinaryFn, mathDerivativeFn, mathUnaryFn } from "./math.js";

export function unaryFn(op: UnaryOp): (x: number) => number {
  switch (op) {
    case "neg": return (x) => -x;
    case "exp": return Math.exp;
    case "log": return Math.log;
    case "sqrt": return Math.sqrt;
    case "rsqrt": return (x) => 1 / Math.sqrt(x);
    case "abs": return Math.abs;
    case "sign": return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0); // PyTorch: sign(NaN) = sign(-0) = +0
    case "reciprocal": return (x) => 1 / x;
    case "square": return (x) => x * x;
    case "tanh": return Math.tanh;
    case "sigmoid": return sigmoid;
    case "relu": return (x) => (x > 0 ? x : x !== x ? x : 0);
    case "gelu": return gelu;
    case "geluTanh": return geluTanh;
    case "sin": return Math.sin;
    case "cos": return Math.cos;
    case "erf": return erf;
    case "log1p": return Math.log1p;
    case "expm1": return Math.expm1;
    default: return mathUnaryFn(op);
  }
}

/** d op(x)/dx given x and y = op(x). */
function derivativeFn(op: UnaryOp): (x: number, y: number) => number {
  switch (op) {
    case "neg": return () => -1;
    case "exp": return (_x, y) => y;
    case "log": return (x) => 1 / x;
    case "sqrt": return (_x, y) => 0.5 / y;
    case "rsqrt": return (x, y) => -0.5 * y / x;
    case "abs": return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case "sign": return () => 0;
    case "reciprocal": return (_x, y) => -y * y;
    case "square": return (x) => 2 * x;
    case "tanh": return (_x, y) => 1 - y * y;
    case "sigmoid": return (_x, y) => y * (1 - y);
    case "relu": return (x) => (x > 0 ? 1 : 0);
    case "gelu": return geluGrad;
    case "geluTanh": return geluTanhGrad;
    case "sin": return Math.cos;
    case "cos": return (x) => -Math.sin(x);
    case "erf": return (x) => 1.1283791670955126 * Math.exp(-x * x);
    case "log1p": return (x) => 1 / (1 + x);
    case "expm1": return (_x, y) => y + 1;
    default: return mathDerivativeFn(op);
  }
}

export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const f = unaryFn(op);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
}

export function unaryBackward(op: UnaryOp, x: FloatArray, y: FloatArray, gy: FloatArray, out: FloatArray): void {
  const d = derivativeFn(op);
  for (let i = 0; i < x.length; i++) out[i] = gy[i]! * d(x[i]!, y[i]!);
}

export function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case "add": return (a, b) => a + b;
    case "sub": return (a, b) => a - b;
    case "mul": return (a, b) => a * b;
    case "div": return (a, b) => a / b;
    case "pow": return Math.pow;
    // NaN propagates like torch.maximum/minimum.
    case "maximum": return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case "minimum": return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
    case "eq": return (a, b) => (a === b ? 1 : 0);
    case "ne": return (a, b) => (a !== b ? 1 : 0);
    case "lt": return (a, b) => (a < b ? 1 : 0);
    case "le": return (a, b) => (a <= b ? 1 : 0);
    case "gt": return (a, b) => (a > b ? 1 : 0);
    case "ge": return (a, b) => (a >= b ? 1 : 0);
    default: return mathBinaryFn(op);
  }
}

/** Strides of `shape` aligned to `outShape` (right-aligned), 0 where broadcast. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const n = outShape.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = n - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return strides;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function binary(
  op: BinaryOp,
  a: TypedArray, aShape: readonly number[],
  b: TypedArray, bShape: readonly number[],
  out: TypedArray, outShape: readonly number[],
): void {
  const f = out instanceof Int32Array && (op === "fmod" || op === "remainder" || op === "floorDivide") ? intBinaryFn(op) : binaryFn(op);
  const n = out.length;
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return;
  }
  if (b.length === 1 && sameShape(aShape, outShape)) {
    const bv = b[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, bv);
    return;
  }
  if (a.length === 1 && sameShape(bShape, outShape)) {
    const av = a[0]!;
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]!);
    return;
  }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  forEachIndex2(outShape, sa, sb, (o, ia, ib) => {
    out[o] = f(a[ia]!, b[ib]!);
  });
}

export function where(
  cond: TypedArray, condShape: readonly number[],
  a: TypedArray, aShape: readonly number[],
  b: TypedArray, bShape: readonly number[],
  out: TypedArray, outShape: readonly number[],
): void {
  const sc = broadcastStrides(condShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const nd = outShape.length;
  const idx = new Array<number>(nd).fill(0);
  let ic = 0, ia = 0, ib = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = cond[ic] !== 0 ? a[ia]! : b[ib]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      ic += sc[d]!; ia += sa[d]!; ib += sb[d]!;
      if (idx[d]! < outShape[d]!) break;
      ic -= sc[d]! * outShape[d]!; ia -= sa[d]! * outShape[d]!; ib -= sb[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Visit every output index in row-major order with the matching offsets into two broadcast inputs. */
function forEachIndex2(
  shape: readonly number[], sa: readonly number[], sb: readonly number[],
  visit: (o: number, ia: number, ib: number) => void,
): void {
  const nd = shape.length;
  const total = shape.reduce((x, y) => x * y, 1);
  if (total === 0) return;
  const inner = shape[nd - 1] ?? 1;
  const ia0 = sa[nd - 1] ?? 0;
  const ib0 = sb[nd - 1] ?? 0;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let ia = 0, ib = 0;
  for (let o = 0; o < total; o += inner) {
    for (let j = 0; j < inner; j++) visit(o + j, ia + j * ia0, ib + j * ib0);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      ia += sa[d]!; ib += sb[d]!;
      if (idx[d]! < shape[d]!) break;
      ia -= sa[d]! * shape[d]!; ib -= sb[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}
