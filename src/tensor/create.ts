// Creation functions: tensor(), zeros, ones, full, randn, rand, randint, arange, linspace, eye, *Like.

import { type Shape, checkShape, fmt, numel } from "../shape/shape.js";
import { getBackend } from "../backend/index.js";
import { type DType, type TypedArray, allocate, dtypeOfArray, isDType, isHalf, isIntegral } from "../util/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../util/errors.js";
import { type Generator, defaultGenerator } from "../util/rng.js";
import { type NestedArray, Tensor } from "./tensor.js";

export interface CreateOptions {
  /** Default "float32" (the array's dtype for typed-array input; "bool" for nested booleans). */
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  /** Defaults to the global generator seeded by manualSeed(). */
  generator?: Generator;
}

function resolveDType(op: string, dtype: DType | undefined, fallback: DType): DType {
  if (dtype === undefined) return fallback;
  if (!isDType(dtype)) throw new DTypeError(`${op}: unknown dtype "${String(dtype)}" (expected float64, float32, float16, bfloat16, int32 or bool)`);
  return dtype;
}

/**
 * Storage to write plain numbers into for `dtype`: the storage itself for float32/float64/int32,
 * a float64 scratch for float16/bfloat16/bool, whose values stored() then converts (rounding to
 * nearest even, or value != 0).
 */
function writable(dtype: DType, n: number): TypedArray {
  return isHalf(dtype) || dtype === "bool" ? new Float64Array(n) : allocate(dtype, n);
}

function stored(data: TypedArray, dtype: DType): TypedArray {
  if (dtypeOfArray(data) === dtype) return data;
  const out = allocate(dtype, data.length);
  getBackend().cast(data, out);
  return out;
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor from nested arrays, a number, or a typed array (which is copied; shape defaults to 1-D). */
export function tensor(values: NestedArray | TypedArray | readonly number[], opts?: CreateOptions & { shape?: Shape }): Tensor {
  if (ArrayBuffer.isView(values)) {
    const src = values as TypedArray;
    const dtype = resolveDType("tensor", opts?.dtype, dtypeOfArray(src));
    const shape = opts?.shape ? checkShape("tensor", opts.shape) : [src.length];
    if (numel(shape) !== src.length) {
      throw new ShapeError(`tensor: shape ${fmt(shape)} needs ${numel(shape)} elements but the typed array has ${src.length}`);
    }
    const data = allocate(dtype, src.length);
    if (dtype === "int32" && !(src instanceof Int32Array) && !(src instanceof Uint8Array)) for (let i = 0; i < src.length; i++) data[i] = Math.trunc(src[i]!);
    else getBackend().cast(src, data); // a same-dtype cast copies; bool normalises to 0/1
    return finish(new Tensor(data, shape), opts);
  }
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  // Nested booleans give a bool tensor (PyTorch infers torch.bool the same way).
  const dtype = resolveDType("tensor", opts?.dtype, typeof probe === "boolean" ? "bool" : "float32");
  const data = writable(dtype, numel(shape));
  let k = 0;
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof v === "boolean") { data[k++] = v ? 1 : 0; return; }
      if (typeof v !== "number") throw new ValueError(`tensor: element at ${path || "[]"} is ${JSON.stringify(v)}, expected a number or a boolean`);
      data[k++] = dtype === "int32" ? Math.trunc(v) : v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(`tensor: ragged nested array: expected length ${shape[dim]} at ${path || "the top level"}, got ${Array.isArray(v) ? v.length : typeof v}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, `${path}[${i}]`);
  };
  walk(values, 0, "");
  if (opts?.shape) {
    const target = checkShape("tensor", opts.shape);
    if (numel(target) !== data.length) throw new ShapeError(`tensor: shape ${fmt(target)} does not fit ${data.length} values`);
    return finish(new Tensor(stored(data, dtype), target), opts);
  }
  return finish(new Tensor(stored(data, dtype), shape), opts);
}

/** A 0-d tensor holding one number. */
export function scalar(value: number, opts?: CreateOptions): Tensor {
  return tensor(value, opts);
}

export function full(shape: Shape, value: number, opts?: CreateOptions): Tensor {
  const s = checkShape("full", shape);
  const data = allocate(resolveDType("full", opts?.dtype, "float32"), numel(s));
  if (value !== 0) getBackend().fill(data, value); // encodes float16/bfloat16/bool values
  return finish(new Tensor(data, s), opts);
}

export function zeros(shape: Shape, opts?: CreateOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: Shape, opts?: CreateOptions): Tensor {
  return full(shape, 1, opts);
}

/** Standard normal samples. */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  const s = checkShape("randn", shape);
  const dtype = resolveDType("randn", opts?.dtype, "float32");
  if (isIntegral(dtype)) throw new DTypeError(`randn: dtype ${dtype} is not supported; normal samples are floating point`);
  const g = opts?.generator ?? defaultGenerator;
  const data = writable(dtype, numel(s));
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return finish(new Tensor(stored(data, dtype), s), opts);
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  const s = checkShape("rand", shape);
  const dtype = resolveDType("rand", opts?.dtype, "float32");
  if (isIntegral(dtype)) throw new DTypeError(`rand: dtype ${dtype} is not supported; use randint`);
  const g = opts?.generator ?? defaultGenerator;
  const data = writable(dtype, numel(s));
  for (let i = 0; i < data.length; i++) data[i] = g.random();
  return finish(new Tensor(stored(data, dtype), s), opts);
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ValueError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const s = checkShape("randint", shape);
  const g = opts?.generator ?? defaultGenerator;
  const dtype = resolveDType("randint", opts?.dtype, "int32");
  const data = writable(dtype, numel(s));
  for (let i = 0; i < data.length; i++) data[i] = g.randint(low, high);
  return finish(new Tensor(stored(data, dtype), s), opts);
}

/** arange(end) or arange(start, end, step?), PyTorch semantics (end excluded). */
export function arange(end: number, opts?: CreateOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: CreateOptions): Tensor;
export function arange(a: number, b?: number | CreateOptions, c?: number | CreateOptions, d?: CreateOptions): Tensor {
  let start = 0, end: number, step = 1, opts: CreateOptions | undefined;
  if (typeof b === "number") {
    start = a;
    end = b;
    if (typeof c === "number") { step = c; opts = d; } else opts = c;
  } else {
    end = a;
    opts = b;
  }
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = resolveDType("arange", opts?.dtype, "float32");
  const data = writable(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(stored(data, dtype), [n]), opts);
}

export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = resolveDType("linspace", opts?.dtype, "float32");
  const data = writable(dtype, steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends like PyTorch so the endpoint is exact.
  for (let i = 0; i < steps; i++) data[i] = i < steps / 2 ? start + i * h : end - (steps - 1 - i) * h;
  return finish(new Tensor(stored(data, dtype), [steps]), opts);
}

export function eye(n: number, m: number | CreateOptions = n, opts?: CreateOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const o = typeof m === "number" ? opts : m;
  const s = checkShape("eye", [n, cols]);
  const dtype = resolveDType("eye", o?.dtype, "float32");
  const data = writable(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return finish(new Tensor(stored(data, dtype), s), o);
}

const likeOpts = <T extends CreateOptions>(t: Tensor, opts?: T): T => ({ ...opts, dtype: opts?.dtype ?? t.dtype }) as T;

export const zerosLike = (t: Tensor, opts?: CreateOptions): Tensor => zeros(t.shape, likeOpts(t, opts));
export const onesLike = (t: Tensor, opts?: CreateOptions): Tensor => ones(t.shape, likeOpts(t, opts));
export const fullLike = (t: Tensor, value: number, opts?: CreateOptions): Tensor => full(t.shape, value, likeOpts(t, opts));
export const randnLike = (t: Tensor, opts?: RandomOptions): Tensor => randn(t.shape, likeOpts(t, opts));
export const randLike = (t: Tensor, opts?: RandomOptions): Tensor => rand(t.shape, likeOpts(t, opts));
