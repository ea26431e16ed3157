// Data types: names, storage arrays, and the promotion rules binary ops use.
// float16/bfloat16 are stored as their 16-bit patterns in Uint16Array subclasses (so the array
// alone says which format it holds); bool is a Uint8Array of 0/1.

import { DTypeError } from "./errors.js";

export type DType = "float64" | "float32" | "float16" | "bfloat16" | "int32" | "bool";
export type FloatDType = "float64" | "float32" | "float16" | "bfloat16";
/** The 16-bit storage formats: arithmetic on them runs in float32 and rounds the result. */
export type HalfDType = "float16" | "bfloat16";

/** IEEE 754 binary16 bit patterns. */
export class Float16Bits extends Uint16Array {}
/** bfloat16 bit patterns (the top half of a float32). */
export class BFloat16Bits extends Uint16Array {}

export type TypedArray = Float64Array | Float32Array | Int32Array | Float16Bits | BFloat16Bits | Uint8Array;

export const DTYPES: readonly DType[] = ["float64", "float32", "float16", "bfloat16", "int32", "bool"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === "float64" || dtype === "float32" || dtype === "float16" || dtype === "bfloat16";
}

export function isHalf(dtype: DType): dtype is HalfDType {
  return dtype === "float16" || dtype === "bfloat16";
}

/** int32 or bool: exact integer storage. */
export function isIntegral(dtype: DType): boolean {
  return dtype === "int32" || dtype === "bool";
}

let storageBytes = 0;

/** Bytes of storage `allocate` has created since the process started (what the buffer pool saves shows here). */
export function allocatedStorageBytes(): number {
  return storageBytes;
}

export function allocate(dtype: DType, n: number): TypedArray {
  let a: TypedArray;
  switch (dtype) {
    case "float64": a = new Float64Array(n); break;
    case "float32": a = new Float32Array(n); break;
    case "float16": a = new Float16Bits(n); break;
    case "bfloat16": a = new BFloat16Bits(n); break;
    case "int32": a = new Int32Array(n); break;
    case "bool": a = new Uint8Array(n); break;
    default: return dtype satisfies never;
  }
  storageBytes += a.byteLength;
  return a;
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Float16Bits) return "float16";
  if (a instanceof BFloat16Bits) return "bfloat16";
  if (a instanceof Uint8Array) return "bool";
  throw new DTypeError(
    `Tensor: ${Object.prototype.toString.call(a)} is not a tensor storage array (expected Float64Array, Float32Array, Int32Array, ` +
      "Float16Bits, BFloat16Bits or Uint8Array; a plain Uint16Array does not say whether it holds float16 or bfloat16 bits)",
  );
}

/** Bytes per element. */
export function itemSize(dtype: DType): number {
  switch (dtype) {
    case "float64": return 8;
    case "float32": case "int32": return 4;
    case "float16": case "bfloat16": return 2;
    case "bool": return 1;
    default: return dtype satisfies never;
  }
}

/** Category order of PyTorch's promotion: bool < integer < floating point. */
const KIND: Record<DType, number> = { bool: 0, int32: 1, float16: 2, bfloat16: 2, float32: 2, float64: 2 };
const FLOAT_BITS: Record<FloatDType, number> = { float16: 16, bfloat16: 16, float32: 32, float64: 64 };

/**
 * PyTorch's promotion between two tensor dtypes: bool < int32 < floats; among floats the wider
 * wins, and float16 with bfloat16 gives float32 (neither holds the other's values).
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (KIND[a] !== KIND[b]) return KIND[a] > KIND[b] ? a : b;
  if (!isFloat(a) || !isFloat(b)) return a; // unreachable: one integral kind per category
  if (FLOAT_BITS[a] === FLOAT_BITS[b]) return "float32"; // float16 + bfloat16
  return FLOAT_BITS[a] > FLOAT_BITS[b] ? a : b;
}
