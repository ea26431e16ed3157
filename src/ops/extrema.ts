// Extreme-value reductions: max/min (values only), amax/amin, argmax/argmin, logsumexp.
// max/min along a dim send the gradient to the first arg-extreme; over all (or several) dims
// the gradient is split evenly among ties (PyTorch's amax rule). NaN propagates.

import { getBackend } from "../backend/index.js";
import type { FloatArray } from "../backend/backend.js";
import { record } from "../autograd/index.js";
import { fmt, normalizeDim, normalizeDims } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError } from "../util/errors.js";
import { binaryForward, div, eq } from "./binary.js";
import { empty, requireTensor, toTensor } from "./operand.js";
import { type Dims, reduceRaw, reducedShape } from "./reduce.js";
import { splitAround } from "./shape/strides.js";
import { unaryRaw } from "./unary.js";
import { where } from "./where.js";

type Extreme = "max" | "min";

function requireNonEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  for (const d of dims) {
    if (x.shape[d] === 0) {
      throw new ShapeError(`${op}: cannot reduce dimension ${d} of size 0 (input shape ${fmt(x.shape)}): the reduction has no identity`);
    }
  }
}

/** Reduce `dims`; backward splits the gradient evenly among the elements equal to the result. */
function extremeOver(name: string, op: Extreme, x: Tensor, dims: Dims | undefined, keepDim: boolean): Tensor {
  const ds = normalizeDims(name, dims, x.ndim); // an empty list means every dim, like torch.amax
  requireNonEmpty(name, x, ds);
  const kept = reduceRaw(op, x, ds);
  const out = new Tensor(kept.data, reducedShape(x.shape, ds, keepDim));
  return record(name, [x], out, (g) => {
    const mask = eq(x, kept); // int32
    const count = reduceRaw("sum", mask, ds);
    return [where(mask, div(new Tensor(g.data, kept.shape), count), 0)];
  }, { saves: [x, out] });
}

/** Reduce one dim; backward sends the gradient to the first arg-extreme of each slice. */
function extremeAlong(op: Extreme, x: Tensor, dim: number, keepDim: boolean): Tensor {
  if (typeof dim !== "number") throw new ValueError(`${op}: dim must be a single number, got ${String(dim)}; use a${op} for several dims`);
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim > 0) requireNonEmpty(op, x, [d]);
  const { outer, size, inner } = splitAround(x.shape, d);
  const out = empty(x.ndim === 0 ? [] : reducedShape(x.shape, [d], keepDim), x.dtype);
  getBackend().reduce(op, x.data, outer, size, inner, out.data);
  return record(op, [x], out, (g) => {
    const be = getBackend();
    const arg = new Int32Array(outer * inner);
    be.argReduce(op === "max" ? "argmax" : "argmin", x.data, outer, size, inner, arg);
    const flat = new Int32Array(outer * inner); // flat position of each slice's winner in x
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) flat[o * inner + i] = (o * size + arg[o * inner + i]!) * inner + i;
    }
    const gx = empty(x.shape, g.dtype);
    be.embeddingBackward(g.data as FloatArray, flat, 1, gx.data as FloatArray);
    return [gx];
  });
}

/** Maximum values: over everything (dim omitted) or along one dim. Returns the values only. */
export function max(x: Tensor, dim?: number, keepDim = false): Tensor {
  requireTensor("max", x);
  return dim === undefined ? extremeOver("max", "max", x, undefined, keepDim) : extremeAlong("max", x, dim, keepDim);
}

/** Minimum values: over everything (dim omitted) or along one dim. Returns the values only. */
export function min(x: Tensor, dim?: number, keepDim = false): Tensor {
  requireTensor("min", x);
  return dim === undefined ? extremeOver("min", "min", x, undefined, keepDim) : extremeAlong("min", x, dim, keepDim);
}

/** Maximum over one or several dims (all when omitted); ties share the gradient evenly. */
export function amax(x: Tensor, dims?: Dims, keepDim = false): Tensor {
  requireTensor("amax", x);
  return extremeOver("amax", "max", x, dims, keepDim);
}

export function amin(x: Tensor, dims?: Dims, keepDim = false): Tensor {
  requireTensor("amin", x);
  return extremeOver("amin", "min", x, dims, keepDim);
}

function argExtreme(op: "argmax" | "argmin", x: Tensor, dim: number | undefined, keepDim: boolean): Tensor {
  requireTensor(op, x);
  if (dim === undefined) {
    // Index into the flattened tensor.
    if (x.numel === 0) throw new ShapeError(`${op}: cannot take the ${op} of an empty tensor (shape ${fmt(x.shape)})`);
    const out = empty(keepDim ? x.shape.map(() => 1) : [], "int32");
    getBackend().argReduce(op, x.data, 1, x.numel, 1, out.data as Int32Array);
    return out;
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim > 0) requireNonEmpty(op, x, [d]);
  const { outer, size, inner } = splitAround(x.shape, d);
  const out = empty(x.ndim === 0 ? [] : reducedShape(x.shape, [d], keepDim), "int32");
  getBackend().argReduce(op, x.data, outer, size, inner, out.data as Int32Array);
  return out;
}

/** int32 index of the (first) maximum along dim, or into the flattened tensor when dim is omitted. */
export const argmax = (x: Tensor, dim?: number, keepDim = false): Tensor => argExtreme("argmax", x, dim, keepDim);
export const argmin = (x: Tensor, dim?: number, keepDim = false): Tensor => argExtreme("argmin", x, dim, keepDim);

/** log(sum(exp(x))) over dims, computed as m + log(sum(exp(x - m))) with m the (finite) max. */
export function logsumexp(x: Tensor, dim: Dims, keepDim = false): Tensor {
  requireTensor("logsumexp", x);
  const ds = normalizeDims("logsumexp", dim, x.ndim);
  const xf = x.dtype === "int32" ? toTensor(x, "float32") : x;
  const m = reduceRaw("max", xf, ds); // kept shape
  // An infinite max would make inf - inf = NaN; shifting by 0 instead is exact for those slices.
  const md = m.data;
  for (let i = 0; i < md.length; i++) if (md[i] === Infinity || md[i] === -Infinity) md[i] = 0;
  const sumExp = reduceRaw("sum", unaryRaw("exp", binaryForward("sub", xf, m)[2]), ds);
  const res = binaryForward("add", unaryRaw("log", sumExp), m)[2];
  const out = new Tensor(res.data, reducedShape(x.shape, ds, keepDim));
  return record("logsumexp", [x], out, (g) => {
    const p = unaryRaw("exp", binaryForward("sub", xf, res)[2]); // softmax over the reduced dims
    return [binaryForward("mul", p, new Tensor(g.data, res.shape))[2]];
  }, { saves: [xf, out] }); // res is the output's storage
}
