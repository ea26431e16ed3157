// float16 and bfloat16 conversions on bit patterns: float32 -> 16 bits rounds to nearest even
// (subnormals kept, overflow to ±Inf, NaN to a canonical quiet NaN with its sign), 16 bits ->
// float32 is exact. Float64 values are rounded to float32 first, as PyTorch's casts do.
// These are the reference every native conversion kernel must match bit for bit.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bit pattern of Math.fround(x). */
export function float32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The float32 with this bit pattern. */
export function float32FromBits(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

/** float32 bits -> float16 bits, round to nearest even (the algorithm of numpy's npy_floatbits_to_halfbits). */
export function f32BitsToF16(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const fExp = f & 0x7f800000;
  if (fExp >= 0x47800000) { // |x| >= 2^16, Inf or NaN
    if (fExp === 0x7f800000 && (f & 0x007fffff) !== 0) return sign | 0x7e00; // NaN
    return sign | 0x7c00; // Inf, or overflow
  }
  if (fExp <= 0x38000000) { // |x| < 2^-14 (float16 subnormal range) or exactly 2^-14 with any mantissa
    if (fExp < 0x33000000) return sign; // |x| < 2^-25: rounds to ±0
    const e = fExp >>> 23;
    let sig = (0x00800000 + (f & 0x007fffff)) >>> (113 - e);
    // Ties to even: add half an ulp unless exactly halfway with an even result (bits shifted out count).
    if ((sig & 0x3fff) !== 0x1000 || (f & 0x7ff) !== 0) sig += 0x1000;
    return sign | (sig >>> 13);
  }
  const hExp = (fExp - 0x38000000) >>> 13;
  let sig = f & 0x007fffff;
  if ((sig & 0x3fff) !== 0x1000) sig += 0x1000;
  // A carry out of the mantissa increments the exponent, up to Inf: exactly right.
  return sign | ((hExp + (sig >>> 13)) & 0x7fff);
}

/** float16 bits -> float32 bits (exact; a NaN keeps its payload and comes back quiet, as F16C's vcvtph2ps does). */
export function f16ToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | ((mant === 0 ? 0 : mant | 0x200) << 13)) >>> 0;
  if (exp === 0) {
    if (mant === 0) return sign >>> 0;
    // Subnormal: normalise the mantissa.
    let e = -1, m = mant;
    do { e++; m <<= 1; } while ((m & 0x400) === 0);
    return (sign | ((127 - 15 - e) << 23) | ((m & 0x3ff) << 13)) >>> 0;
  }
  return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
}

/** float32 bits -> bfloat16 bits, round to nearest even. */
export function f32BitsToBF16(f: number): number {
  if ((f & 0x7f800000) === 0x7f800000 && (f & 0x007fffff) !== 0) return ((f >>> 16) & 0x8000) | 0x7fc0;
  return Math.floor((f + 0x7fff + ((f >>> 16) & 1)) / 65536) & 0xffff;
}

export const bf16ToF32Bits = (b: number): number => (b << 16) >>> 0;

/** A JS number -> float16 bits (through float32, like PyTorch's double -> Half). */
export const toFloat16Bits = (x: number): number => f32BitsToF16(float32Bits(x));
export const toBFloat16Bits = (x: number): number => f32BitsToBF16(float32Bits(x));
export const fromFloat16Bits = (h: number): number => float32FromBits(f16ToF32Bits(h));
export const fromBFloat16Bits = (b: number): number => float32FromBits(bf16ToF32Bits(b));

/** Whole arrays: float32 -> 16-bit patterns and back. */
export function float32ToHalfBits(format: "float16" | "bfloat16", src: Float32Array, dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  if (format === "float16") for (let i = 0; i < bits.length; i++) dst[i] = f32BitsToF16(bits[i]!);
  else for (let i = 0; i < bits.length; i++) dst[i] = f32BitsToBF16(bits[i]!);
}

let f16Table: Float32Array | null = null;

export function halfBitsToFloat32(format: "float16" | "bfloat16", src: Uint16Array, dst: Float32Array): void {
  if (format === "bfloat16") {
    const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
    for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
    return;
  }
  if (!f16Table) { // all 65536 float16 values, built once (256 KiB)
    const t = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) t[h] = f16ToF32Bits(h);
    f16Table = new Float32Array(t.buffer);
  }
  const dBits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  const tBits = new Uint32Array(f16Table.buffer);
  for (let i = 0; i < src.length; i++) dBits[i] = tBits[src[i]!]!; // bit copy keeps NaN payloads
}

/** Format parameters, for the precision demo and tests. */
export const HALF_FORMATS = {
  float16: { exponentBits: 5, mantissaBits: 10, bias: 15 },
  bfloat16: { exponentBits: 8, mantissaBits: 7, bias: 127 },
} as const;
