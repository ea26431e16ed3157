// Reference data movement: strided copy (and scatter-add), dtype cast, fill.

import type { TypedArray } from "../../util/dtype.js";
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

export function cast(src: TypedArray, dst: TypedArray): void {
  if (dst instanceof Int32Array && !(src instanceof Int32Array)) {
    for (let i = 0; i < src.length; i++) dst[i] = Math.trunc(src[i]!);
  } else {
    dst.set(src);
  }
}

export function fill(out: TypedArray, value: number): void {
  out.fill(value);
}
