// Data movement kernels: strided copy (permute, slice, expand, cat, scatter-add) and dtype cast,
// following src/backend/ts/copy.ts (int32 stores wrap like Int32Array). fill needs no kernel:
// the backend uses TypedArray.prototype.fill.
#include <string.h>

#include "kernels.h"
#include "strided.h"

namespace descent {
namespace {

template <class T> inline T acc_add(T a, T b) { return a + b; }
template <> inline int32_t acc_add<int32_t>(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

template <class T> void copy_run(const T* src, int64_t ss, T* dst, int64_t ds, int64_t n, bool acc) {
  if (acc) {
    if (ss == 1 && ds == 1) for (int64_t i = 0; i < n; i++) dst[i] = acc_add(dst[i], src[i]);
    else for (int64_t i = 0; i < n; i++) dst[i * ds] = acc_add(dst[i * ds], src[i * ss]);
  } else if (ss == 1 && ds == 1) memmove(dst, src, sizeof(T) * n);  // src and dst may overlap
  else if (ss == 0 && ds == 1) { T v = src[0]; for (int64_t i = 0; i < n; i++) dst[i] = v; }
  else for (int64_t i = 0; i < n; i++) dst[i * ds] = src[i * ss];
}

// Transpose-like copies (last dim strided in the source, the dim before it contiguous): copy in
// 32x32 tiles so both the reads and the writes stay within a few cache lines.
template <class T> bool copy_transposed(const T* src, T* dst, const Strided& s, bool dense) {
  int nd = s.nd;
  if (nd < 2) return false;
  int64_t R = s.shape[nd - 2], Cc = s.shape[nd - 1];
  int64_t ssr = s.strides[0][nd - 2], ssc = s.strides[0][nd - 1], dsr = s.strides[1][nd - 2], dsc = s.strides[1][nd - 1];
  if (!(ssr == 1 && dsc == 1 && ssc != 1 && R >= 16 && Cc >= 16)) return false;
  const int64_t TB = 32;
  int64_t outer = total_of(s) / (R * Cc), rtiles = (R + TB - 1) / TB;
  auto body = [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      int64_t o = t / rtiles, r0 = (t % rtiles) * TB, r1 = r0 + TB < R ? r0 + TB : R;
      int64_t os = 0, od = 0, rem = o;
      for (int d = nd - 3; d >= 0; d--) {
        int64_t i = rem % s.shape[d];
        rem /= s.shape[d];
        os += i * s.strides[0][d];
        od += i * s.strides[1][d];
      }
      for (int64_t c0 = 0; c0 < Cc; c0 += TB) {
        int64_t c1 = c0 + TB < Cc ? c0 + TB : Cc;
        for (int64_t r = r0; r < r1; r++) {
          const T* sp = src + os + r;
          T* dp = dst + od + r * dsr;
          for (int64_t c = c0; c < c1; c++) dp[c] = sp[c * ssc];
        }
      }
    }
  };
  if (dense) parallel_for(outer * rtiles, (1 << 17) / (TB * Cc) + 1, body);
  else body(0, outer * rtiles);
  return true;
}

template <class T> void strided_copy_typed(const T* src, T* dst, const Strided& s, bool acc) {
  int64_t total = total_of(s);
  int nd = s.nd;
  // Threads only when every destination element is written once (dst is dense row-major),
  // so there is no race and the result cannot depend on the split.
  bool dense = true;
  int64_t expect = 1;
  for (int d = nd - 1; d >= 0; d--) {
    if (s.shape[d] != 1 && s.strides[1][d] != expect) dense = false;
    expect *= s.shape[d];
  }
  if (!acc && copy_transposed<T>(src, dst, s, dense)) return;
  int64_t ss = s.strides[0][nd - 1], ds = s.strides[1][nd - 1];
  auto body = [&](int64_t beg, int64_t end) {
    for_runs(s, beg, end, [&](int64_t os, int64_t od, int64_t, int64_t, int64_t len) {
      copy_run<T>(src + os, ss, dst + od, ds, len, acc);
    });
  };
  if (dense) parallel_for(total, 1 << 17, body);
  else body(0, total);
}

}  // namespace

void strided_copy_kernel(DType dt, const void* src, void* dst, const Strided& s, bool accumulate) {
  if (dt == kF32) strided_copy_typed<float>((const float*)src, (float*)dst, s, accumulate);
  else if (dt == kF64) strided_copy_typed<double>((const double*)src, (double*)dst, s, accumulate);
  else strided_copy_typed<int32_t>((const int32_t*)src, (int32_t*)dst, s, accumulate);
}

void cast_kernel(DType from, DType to, const void* src, void* dst, int64_t n) {
  if (from == to) {
    memmove(dst, src, (from == kF64 ? 8 : 4) * n);
    return;
  }
  parallel_for(n, 1 << 17, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double v = from == kF32 ? (double)((const float*)src)[i]
               : from == kF64 ? ((const double*)src)[i] : (double)((const int32_t*)src)[i];
      if (to == kF32) ((float*)dst)[i] = (float)v;
      else if (to == kF64) ((double*)dst)[i] = v;
      else ((int32_t*)dst)[i] = to_int32(v);
    }
  });
}

void fill_kernel(DType dt, void* dst, int64_t n, double value) {
  // Large zero fills (zeroGrad of a model's gradients) are memory-bound: both cores' stores
  // together outrun one core's, measured on 7 MiB of MLP gradients.
  parallel_for(n, 1 << 18, [&](int64_t b, int64_t e) {
    if (dt == kF32) {
      float v = (float)value, *d = (float*)dst;
      for (int64_t i = b; i < e; i++) d[i] = v;
    } else if (dt == kF64) {
      double* d = (double*)dst;
      for (int64_t i = b; i < e; i++) d[i] = value;
    } else {
      int32_t v = to_int32(value), *d = (int32_t*)dst;
      for (int64_t i = b; i < e; i++) d[i] = v;
    }
  });
}

}  // namespace descent
