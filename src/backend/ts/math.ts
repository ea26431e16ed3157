// Reference kernels for the rounding, trigonometric/hyperbolic and log/exp-base unary ops and the
// fmod/remainder/floorDivide/copysign/logaddexp/atan2 binary ops, with PyTorch's edge cases
// (half-to-even rounding, signed zeros, infinities) and derivatives.

import type { MathUnaryOp } from "../backend.js";

/** Round half to even (IEEE nearbyint, what torch.round does); keeps -0 and non-finite values. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties toward +Inf
  if (r - x === 0.5 && r % 2 !== 0) return r - 1; // a tie rounded up to an odd integer
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

export function mathUnaryFn(op: MathUnaryOp): (x: number) => number {
  switch (op) {
    case "floor": return Math.floor;
    case "ceil": return Math.ceil;
    case "round": return roundHalfEven;
    case "trunc": return Math.trunc;
    case "frac": return (x) => x - Math.trunc(x);
    case "tan": return Math.tan;
    case "asin": return Math.asin;
    case "acos": return Math.acos;
    case "atan": return Math.atan;
    case "sinh": return Math.sinh;
    case "cosh": return Math.cosh;
    case "asinh": return Math.asinh;
    case "acosh": return Math.acosh;
    case "atanh": return Math.atanh;
    case "log2": return Math.log2;
    case "log10": return Math.log10;
    case "exp2": return (x) => Math.pow(2, x);
    case "isnan": return (x) => (x !== x ? 1 : 0);
    case "isinf": return (x) => (x === Infinity || x === -Infinity ? 1 : 0);
    case "isfinite": return (x) => (Number.isFinite(x) ? 1 : 0);
    default: return op satisfies never;
  }
}

/** d op(x)/dx given x and y = op(x), written as PyTorch's derivatives.yaml writes them. */
export function mathDerivativeFn(op: MathUnaryOp): (x: number, y: number) => number {
  switch (op) {
    case "floor": case "ceil": case "round": case "trunc": return () => 0;
    case "frac": return () => 1;
    case "tan": return (_x, y) => 1 + y * y;
    case "asin": return (x) => 1 / Math.sqrt(1 - x * x);
    case "acos": return (x) => -1 / Math.sqrt(1 - x * x);
    case "atan": return (x) => 1 / (x * x + 1);
    case "sinh": return Math.cosh;
    case "cosh": return Math.sinh;
    case "asinh": return (x) => 1 / Math.sqrt(x * x + 1);
    case "acosh": return (x) => 1 / Math.sqrt(x * x - 1);
    case "atanh": return (x) => 1 / (1 - x * x);
    case "log2": return (x) => 1 / (x * Math.LN2);
    case "log10": return (x) => 1 / (x * Math.LN10);
    case "exp2": return (_x, y) => y * Math.LN2;
    case "isnan": case "isinf": case "isfinite": return () => 0;
    default: return op satisfies never;
  }
}

export type MathBinaryOp = "fmod" | "remainder" | "floorDivide" | "copysign" | "logaddexp" | "atan2";

/** Floor division as PyTorch computes it for floats (div_floor_floating): exact near integers. */
export function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) div -= 1;
  if (div === 0) return (a / b < 0 || Object.is(a / b, -0)) ? -0 : 0;
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

/** Python-style modulus: the result takes the divisor's sign (PyTorch's remainder). */
export function remainder(a: number, b: number): number {
  let mod = a % b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) mod += b;
  return mod;
}

export function mathBinaryFn(op: MathBinaryOp): (a: number, b: number) => number {
  switch (op) {
    case "fmod": return (a, b) => a % b; // C fmod: the result takes the dividend's sign
    case "remainder": return remainder;
    case "floorDivide": return floorDivide;
    case "copysign": return (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a));
    case "logaddexp": return (a, b) => {
      if ((a === Infinity || a === -Infinity) && a === b) return a;
      return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    };
    case "atan2": return Math.atan2;
    default: return op satisfies never;
  }
}

/** Integer forms of the ops that keep int32 (the caller has rejected zero divisors). */
export function intBinaryFn(op: "fmod" | "remainder" | "floorDivide"): (a: number, b: number) => number {
  switch (op) {
    case "fmod": return (a, b) => a % b;
    case "remainder": return remainder;
    case "floorDivide": return (a, b) => {
      const q = Math.trunc(a / b);
      return a % b !== 0 && (a < 0) !== (b < 0) ? q - 1 : q;
    };
    default: return op satisfies never;
  }
}
