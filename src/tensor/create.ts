// Creation functions: tensor(), zeros, ones, full, randn, rand, randint, arange, linspace, eye, *Like.

import { type Shape, checkShape, fmt, numel } from "../shape/shape.js";
import { getBackend } from "../backend/index.js";
import {
  BFloat16Bits, type DType, Float16Bits, type TypedArray, allocate, dtypeOfArray, isDType, isHalf, isIntegral,
} from "../util/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../util/errors.js";
import { describeValue } from "../util/describe.js";
import { checkInt32, toInt32 } from "../util/int32.js";
import { checkOptionKeys, optionNames } from "../util/options.js";
import { Generator, defaultGenerator } from "../util/rng.js";
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

const CREATE_OPTIONS = optionNames<CreateOptions>({ dtype: true, requiresGrad: true });
const RANDOM_OPTIONS = optionNames<RandomOptions>({ dtype: true, requiresGrad: true, generator: true });
const TENSOR_OPTIONS = [...CREATE_OPTIONS, "shape"];

function generatorOf(op: string, opts: RandomOptions | undefined): Generator {
  const g = opts?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new ValueError(`${op}: generator must be a Generator, got ${describeValue(g)}`);
  return g;
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

/** Integer typed arrays that are no tensor storage: converted to int32 by value (Descent has no int8/int16/uint16/uint32). */
export type IntegerTypedArray = Int8Array | Uint8ClampedArray | Int16Array | Uint16Array | Uint32Array;

const INTEGER_ARRAYS = [Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Uint32Array] as const;

/** The storage array a typed-array argument stands for (Uint32Array values ≥ 2³¹ are refused). */
function storageOf(values: ArrayBufferView): TypedArray {
  if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array ||
      values instanceof Float16Bits || values instanceof BFloat16Bits || values instanceof Uint8Array) return values;
  if (INTEGER_ARRAYS.some((C) => values instanceof C)) {
    const src = values as IntegerTypedArray;
    if (src instanceof Uint32Array) checkInt32("tensor", src);
    return Int32Array.from(src);
  }
  throw new DTypeError(
    `tensor: unsupported array type ${values.constructor.name} (expected Float64Array, Float32Array, Int32Array, Uint8Array (bool), ` +
      "another integer typed array, or nested arrays of numbers)",
  );
}

/**
 * A tensor from nested arrays, a number, or a typed array (which is copied; shape defaults to 1-D).
 * Typed arrays keep their storage dtype: Float64Array, Float32Array, Int32Array, Uint8Array
 * (bool, values != 0 become 1), Float16Bits/BFloat16Bits; the other integer typed arrays
 * (Int8, Uint8Clamped, Int16, Uint16, Uint32) become int32 by value, a Uint32Array value ≥ 2³¹
 * being refused, never wrapped. Converting to int32 truncates toward zero like PyTorch and
 * refuses NaN, ±Inf and values outside int32.
 */
export function tensor(values: NestedArray | TypedArray | IntegerTypedArray | readonly number[] | readonly boolean[], opts?: CreateOptions & { shape?: Shape }): Tensor {
  checkOptionKeys("tensor", opts, TENSOR_OPTIONS);
  if (ArrayBuffer.isView(values)) {
    let src = storageOf(values);
    const dtype = resolveDType("tensor", opts?.dtype, dtypeOfArray(src));
    const shape = opts?.shape ? checkShape("tensor", opts.shape) : [src.length];
    if (numel(shape) !== src.length) {
      throw new ShapeError(`tensor: shape ${fmt(shape)} needs ${numel(shape)} elements but the typed array has ${src.length}`);
    }
    const data = allocate(dtype, src.length);
    if (dtype === "int32" && !(src instanceof Int32Array) && !(src instanceof Uint8Array)) {
      if (isHalf(dtypeOfArray(src))) src = stored(src, "float32"); // check the values, not the bits
      checkInt32("tensor", src);
      for (let i = 0; i < src.length; i++) data[i] = Math.trunc(src[i]!);
    } else getBackend().cast(src, data); // a same-dtype cast copies; bool normalises to 0/1
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
  checkShape("tensor", shape);
  const data = writable(dtype, numel(shape));
  let k = 0;
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof v === "boolean") { data[k++] = v ? 1 : 0; return; }
      if (typeof v !== "number") throw new ValueError(`tensor: element at ${path || "[]"} is ${describeValue(v)}, expected a number or a boolean`);
      data[k++] = dtype === "int32" ? toInt32("tensor", v, `element ${path || "[]"} =`) : v;
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
  if (typeof value !== "number") throw new ValueError(`scalar: value must be a number, got ${describeValue(value)}`);
  checkOptionKeys("scalar", opts, CREATE_OPTIONS);
  return tensor(value, opts);
}

/** full/zeros/ones (and their *Like forms): `op` names the function the user called in errors. */
function filled(op: string, shape: Shape, value: number, opts?: CreateOptions): Tensor {
  checkOptionKeys(op, opts, CREATE_OPTIONS);
  const s = checkShape(op, shape);
  if (typeof value !== "number") throw new ValueError(`${op}: fill value must be a number, got ${describeValue(value)}`);
  const dtype = resolveDType(op, opts?.dtype, "float32");
  const data = allocate(dtype, numel(s));
  if (value !== 0) getBackend().fill(data, dtype === "int32" ? toInt32(op, value, "fill value") : value); // encodes float16/bfloat16/bool values
  return finish(new Tensor(data, s), opts);
}

export function full(shape: Shape, value: number, opts?: CreateOptions): Tensor {
  return filled("full", shape, value, opts);
}

export function zeros(shape: Shape, opts?: CreateOptions): Tensor {
  return filled("zeros", shape, 0, opts);
}

export function ones(shape: Shape, opts?: CreateOptions): Tensor {
  return filled("ones", shape, 1, opts);
}

/** randn/rand (and their *Like forms): normal or uniform [0, 1) floating-point samples. */
function sample(op: string, shape: Shape, opts: RandomOptions | undefined, kind: "normal" | "uniform"): Tensor {
  checkOptionKeys(op, opts, RANDOM_OPTIONS);
  const s = checkShape(op, shape);
  const dtype = resolveDType(op, opts?.dtype, "float32");
  if (isIntegral(dtype)) {
    throw new DTypeError(`${op}: dtype ${dtype} is not supported; ${kind === "normal" ? "normal samples are floating point" : "use randint"}`);
  }
  const g = generatorOf(op, opts);
  const data = writable(dtype, numel(s));
  if (kind === "normal") for (let i = 0; i < data.length; i++) data[i] = g.normal();
  else for (let i = 0; i < data.length; i++) data[i] = g.random();
  return finish(new Tensor(stored(data, dtype), s), opts);
}

/** Standard normal samples. */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  return sample("randn", shape, opts, "normal");
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  return sample("rand", shape, opts, "uniform");
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  checkOptionKeys("randint", opts, RANDOM_OPTIONS);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ValueError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const s = checkShape("randint", shape);
  const g = generatorOf("randint", opts);
  const dtype = resolveDType("randint", opts?.dtype, "int32");
  if (dtype === "int32") {
    toInt32("randint", low, "low");
    toInt32("randint", high - 1, "high - 1");
  }
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
  checkOptionKeys("arange", opts, CREATE_OPTIONS);
  for (const [name, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`arange: ${name} must be a finite number, got ${describeValue(v)}`);
  }
  if (step === 0) throw new ValueError("arange: step must be non-zero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  checkShape("arange", [n]);
  const dtype = resolveDType("arange", opts?.dtype, "float32");
  if (dtype === "int32" && n > 0) {
    toInt32("arange", start, "start");
    toInt32("arange", start + (n - 1) * step, "last value");
  }
  const data = writable(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(stored(data, dtype), [n]), opts);
}

export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  checkOptionKeys("linspace", opts, CREATE_OPTIONS);
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${describeValue(steps)}`);
  for (const [name, v] of [["start", start], ["end", end]] as const) {
    if (typeof v !== "number") throw new ValueError(`linspace: ${name} must be a number, got ${describeValue(v)}`);
  }
  checkShape("linspace", [steps]);
  const dtype = resolveDType("linspace", opts?.dtype, "float32");
  if (dtype === "int32" && steps > 0) {
    toInt32("linspace", start, "start");
    toInt32("linspace", end, "end");
  }
  const data = writable(dtype, steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends like PyTorch so the endpoint is exact.
  for (let i = 0; i < steps; i++) data[i] = i < steps / 2 ? start + i * h : end - (steps - 1 - i) * h;
  return finish(new Tensor(stored(data, dtype), [steps]), opts);
}

export function eye(n: number, m: number | CreateOptions = n, opts?: CreateOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const o = typeof m === "number" ? opts : m;
  checkOptionKeys("eye", o, CREATE_OPTIONS);
  const s = checkShape("eye", [n, cols]);
  const dtype = resolveDType("eye", o?.dtype, "float32");
  const data = writable(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return finish(new Tensor(stored(data, dtype), s), o);
}

/** The shape and options of a *Like call: `t`'s dtype unless opts names another. */
function like<T extends CreateOptions>(op: string, t: Tensor, opts?: T): [readonly number[], T] {
  if (!(t instanceof Tensor)) throw new DTypeError(`${op}: input must be a Tensor, got ${describeValue(t)}`);
  checkOptionKeys(op, opts, op === "randnLike" || op === "randLike" ? RANDOM_OPTIONS : CREATE_OPTIONS);
  return [t.shape, { ...opts, dtype: opts?.dtype ?? t.dtype } as T];
}

export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  const [shape, o] = like("zerosLike", t, opts);
  return filled("zerosLike", shape, 0, o);
}

export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  const [shape, o] = like("onesLike", t, opts);
  return filled("onesLike", shape, 1, o);
}

export function fullLike(t: Tensor, value: number, opts?: CreateOptions): Tensor {
  const [shape, o] = like("fullLike", t, opts);
  return filled("fullLike", shape, value, o);
}

export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  const [shape, o] = like("randnLike", t, opts);
  return sample("randnLike", shape, o, "normal");
}

export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  const [shape, o] = like("randLike", t, opts);
  return sample("randLike", shape, o, "uniform");
}
