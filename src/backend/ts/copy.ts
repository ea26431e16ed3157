// Reference data movement: strided copy (and scatter-add), dtype cast, fill.

import { BFloat16Bits, Float16Bits, type TypedArray } from "../../util/dtype.js";
import { float32ToHalfBits, halfBitsToFloat32 } from "../../util/half.js";
import type { StridedCopyParams } from "../backend.js";

export function stridedCopy(src: TypedArray, dst: TypedArray, p: StridedCopyParams): void {
  const { shape, srcStrides, dstStrides, accumulate } = p;
  const nd = shape.length;
  let total = 1;
  for (const s of shape) total *= s;
  if (total === 0) return;
  if (nd === 0) {
    if (accumulate) dst[p.dstOffset]! += src[p.srcOffset]!;
    else dst[p.dstOffset] = src[p.srcOffset]!;
    return;
  }
  const inner = shape[nd - 1]!;
  const ss = srcStrides[nd - 1]!;
  const ds = dstStrides[nd - 1]!;
  const idx = new Array<number>(nd - 1).fill(0);
  let si = p.srcOffset;
  let di = p.dstOffset;
  for (let done = 0; done < total; done += inner) {
    if (accumulate) for (let j = 0; j < inner; j++) dst[di + j * ds]! += src[si + j * ss]!;
    else for (let j = 0; j < inner; j++) dst[di + j * ds] = src[si + j * ss]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      si += srcStrides[d]!;
      di += dstStrides[d]!;
      if (idx[d]! < shape[d]!) break;
      si -= srcStrides[d]! * shape[d]!;
      di -= dstStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * dst[i] = src[i] converted: float rounding to nearest even (float16/bfloat16 through float32),
 * int truncation toward zero, bool = (value != 0) with NaN true.
 */
export function cast(src: TypedArray, dst: TypedArray): void {
  if (src instanceof Float16Bits || src instanceof BFloat16Bits) {
    if (dst.constructor === src.constructor) { dst.set(src); return; }
    const wide = dst instanceof Float32Array ? dst : new Float32Array(src.length);
    halfBitsToFloat32(src instanceof Float16Bits ? "float16" : "bfloat16", src, wide);
    if (wide !== dst) cast(wide, dst);
    return;
  }
  if (dst instanceof Float16Bits || dst instanceof BFloat16Bits) {
    let narrow: Float32Array;
    if (src instanceof Float32Array) narrow = src;
    else { narrow = new Float32Array(src.length); cast(src, narrow); }
    float32ToHalfBits(dst instanceof Float16Bits ? "float16" : "bfloat16", narrow, dst);
    return;
  }
  if (dst instanceof Uint8Array) { // bool
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else if (dst instanceof Int32Array && !(src instanceof Int32Array) && !(src instanceof Uint8Array)) {
    for (let i = 0; i < src.length; i++) dst[i] = Math.trunc(src[i]!);
  } else {
    dst.set(src);
  }
}

export function fill(out: TypedArray, value: number): void {
  out.fill(value);
}
