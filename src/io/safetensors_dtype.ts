// Safetensors dtypes: their sizes, the reference writer's ordering, and how each maps to and from
// Descent tensors. Every mapping lives in the two tables at the bottom (FROM_DESCENT, TO_DESCENT)
// so adding a Descent dtype (float16/bfloat16 as Uint16Array bits) is one table line each way.

import { type DType, type TypedArray } from "../util/dtype.js";

/** The safetensors dtypes Descent reads (and writes from raw bytes). */
export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

const ITEM_SIZE: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

export const SAFETENSORS_DTYPES: readonly SafetensorsDType[] = Object.keys(ITEM_SIZE) as SafetensorsDType[];

/** Valid in the format but not readable here (sub-byte, fp8 and complex types). */
const UNSUPPORTED_DTYPES: ReadonlySet<string> = new Set([
  "F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "C64",
]);

export function isSafetensorsDType(x: unknown): x is SafetensorsDType {
  return typeof x === "string" && Object.prototype.hasOwnProperty.call(ITEM_SIZE, x);
}

/** Why a dtype string is not readable, for error messages. */
export function describeUnknownDType(x: string): string {
  const known = SAFETENSORS_DTYPES.join(", ");
  return UNSUPPORTED_DTYPES.has(x)
    ? `dtype ${x} is valid safetensors but Descent cannot read it (supported: ${known})`
    : `unknown dtype ${JSON.stringify(x)} (supported: ${known})`;
}

/** Bytes per element. */
export function itemSize(dtype: SafetensorsDType): number {
  return ITEM_SIZE[dtype];
}

/**
 * Position of each dtype in the Rust crate's `Dtype` enum. The crate (and so Python's
 * `save_file`) lays tensors out by descending rank, then by name; the writer does the same so
 * its bytes equal the reference implementation's.
 */
export const CRATE_DTYPE_RANK: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 0, U8: 4, I8: 5, I16: 11, U16: 12, F16: 13, BF16: 14, I32: 15, U32: 16, F32: 17, F64: 19, I64: 20, U64: 21,
};

/** True on little-endian hosts (all current Node platforms); the file format is little-endian. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverse the bytes of each `size`-byte element in place (little-endian <-> big-endian host order). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

// ---- conversions --------------------------------------------------------------------------------

/** Why a value cannot become a Descent tensor (the caller adds file and tensor names). */
export class ConversionProblem {
  constructor(readonly problem: string) {}
}

/** Copy little-endian element bytes into a new array of `Ctor` (native order). */
function copyAs<T extends Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array>(
  Ctor: new (n: number) => T,
): (bytes: Uint8Array, n: number) => T {
  return (bytes, n) => {
    const out = new Ctor(n);
    const view = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    view.set(bytes);
    if (!HOST_LITTLE_ENDIAN) swapBytes(view, out.BYTES_PER_ELEMENT);
    return out;
  };
}

let f16Table: Float32Array | null = null;

/** Every float16 bit pattern widened exactly to float32 (NaN payloads kept), built on first use. */
function float16Table(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    if (exp === 0x1f) bits[h] = sign | 0x7f800000 | (mant << 13); // inf / NaN
    else if (exp !== 0) bits[h] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    else if (mant === 0) bits[h] = sign; // ±0
    else {
      // Subnormal: value = mant · 2^-24; normalise the mantissa.
      let e = -14;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      bits[h] = sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13);
    }
  }
  f16Table = table;
  return table;
}

function readU16(bytes: Uint8Array, n: number): Uint16Array {
  return copyAs(Uint16Array)(bytes, n);
}

/** float16 bits -> float32 (exact). */
function widenFloat16(bytes: Uint8Array, n: number): Float32Array {
  const h = readU16(bytes, n);
  const table = float16Table();
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = table[h[i]!]!;
  return out;
}

/** bfloat16 bits -> float32 (exact: bfloat16 is the top half of a float32). */
function widenBFloat16(bytes: Uint8Array, n: number): Float32Array {
  const h = readU16(bytes, n);
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = h[i]! << 16;
  return out;
}

/** Any integer dtype -> int32, refusing a value outside [-2^31, 2^31 - 1]. */
function narrowToInt32(size: number, signed: boolean): (bytes: Uint8Array, n: number) => Int32Array | ConversionProblem {
  return (bytes, n) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      let v: number;
      switch (size) {
        case 1: v = signed ? dv.getInt8(o) : dv.getUint8(o); break;
        case 2: v = signed ? dv.getInt16(o, true) : dv.getUint16(o, true); break;
        case 4: v = signed ? dv.getInt32(o, true) : dv.getUint32(o, true); break;
        default: {
          const lo = dv.getUint32(o, true);
          const hi = signed ? dv.getInt32(o + 4, true) : dv.getUint32(o + 4, true);
          // Fits in int32 iff the high word is the sign extension of the low word's top bit.
          if (hi !== (lo >= 0x80000000 ? (signed ? -1 : NaN) : 0)) {
            const big = signed ? dv.getBigInt64(o, true) : dv.getBigUint64(o, true);
            return new ConversionProblem(`element ${i} is ${big}, outside int32 [-2147483648, 2147483647]`);
          }
          v = lo | 0;
        }
      }
      if (v > 2147483647) return new ConversionProblem(`element ${i} is ${v}, outside int32 [-2147483648, 2147483647]`);
      out[i] = v;
    }
    return out;
  };
}

/** BOOL bytes (each 0 or 1) -> int32 0/1. */
function boolToInt32(bytes: Uint8Array, n: number): Int32Array | ConversionProblem {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b > 1) return new ConversionProblem(`element ${i} is byte ${b}, but a BOOL must be 0 or 1`);
    out[i] = b;
  }
  return out;
}

export interface DescentDecoding {
  /** The Descent dtype the tensor gets. */
  readonly dtype: DType;
  /** Little-endian element bytes (n elements) -> storage for that dtype. Allocates exactly n elements. */
  readonly decode: (bytes: Uint8Array, n: number) => TypedArray | ConversionProblem;
}

/**
 * Safetensors dtype -> Descent tensor. Exact everywhere: F16/BF16 widen to float32 (until Descent
 * has float16/bfloat16: then `F16: { dtype: "float16", decode: copyAs(Uint16Array) }` and the
 * same for BF16), integers become int32 when every value fits.
 */
export const TO_DESCENT: Readonly<Record<SafetensorsDType, DescentDecoding>> = {
  F64: { dtype: "float64", decode: copyAs(Float64Array) },
  F32: { dtype: "float32", decode: copyAs(Float32Array) },
  F16: { dtype: "float32", decode: widenFloat16 },
  BF16: { dtype: "float32", decode: widenBFloat16 },
  I32: { dtype: "int32", decode: copyAs(Int32Array) },
  I64: { dtype: "int32", decode: narrowToInt32(8, true) },
  I16: { dtype: "int32", decode: narrowToInt32(2, true) },
  I8: { dtype: "int32", decode: narrowToInt32(1, true) },
  U64: { dtype: "int32", decode: narrowToInt32(8, false) },
  U32: { dtype: "int32", decode: narrowToInt32(4, false) },
  U16: { dtype: "int32", decode: narrowToInt32(2, false) },
  U8: { dtype: "int32", decode: narrowToInt32(1, false) },
  BOOL: { dtype: "int32", decode: boolToInt32 },
};

/**
 * Descent dtype -> the safetensors dtype it is written as (storage bytes copied as they are).
 * Keyed by string so that new Descent dtypes compile before they are listed: add
 * `float16: "F16", bfloat16: "BF16"` once those dtypes exist.
 */
export const FROM_DESCENT: Readonly<Partial<Record<string, SafetensorsDType>>> = {
  float64: "F64",
  float32: "F32",
  int32: "I32",
  float16: "F16",
  bfloat16: "BF16",
  bool: "BOOL",
};

/** The element values of raw little-endian bytes, in the array type matching the safetensors dtype. */
export type SafetensorsArray =
  | Float64Array | Float32Array | Uint16Array | BigInt64Array | BigUint64Array
  | Int32Array | Uint32Array | Int16Array | Int8Array | Uint8Array;

const RAW_CTOR: Readonly<Record<SafetensorsDType, new (n: number) => SafetensorsArray>> = {
  F64: Float64Array, F32: Float32Array, F16: Uint16Array, BF16: Uint16Array, I64: BigInt64Array, I32: Int32Array,
  I16: Int16Array, I8: Int8Array, U64: BigUint64Array, U32: Uint32Array, U16: Uint16Array, U8: Uint8Array, BOOL: Uint8Array,
};

/** A copy of the elements as their natural typed array (F16/BF16 as Uint16Array bit patterns, BOOL as Uint8Array). */
export function rawValues(dtype: SafetensorsDType, bytes: Uint8Array): SafetensorsArray {
  const size = ITEM_SIZE[dtype];
  const out = new RAW_CTOR[dtype](bytes.length / size);
  const view = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  view.set(bytes);
  if (!HOST_LITTLE_ENDIAN) swapBytes(view, size);
  return out;
}
