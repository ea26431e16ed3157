// Packing of the GEMM operands into the micro-kernel's panels: MR-row strips of op(A) and NR-column
// strips of op(B), zero padded, with AVX-512 fast paths for the common float32 layouts. A
// fragment of gemm_impl.h (it uses Cfg, min64 and the vector types defined there), included once
// per ISA into the same anonymous namespace. Packing only moves values: no arithmetic changes.
#pragma once

namespace descent {
namespace {

#if defined(DESCENT_ISA_AVX512)
// In-register transpose for packing: loads rows [0, nrows) (nrows <= 16, the rest read as zero)
// of 16 floats each from src (row stride ld), leaves column j of that 16x16 block in out[j].
// Packing only moves values, so this changes no arithmetic.
__attribute__((always_inline)) inline void transpose16(const float* src, int64_t ld, int nrows, __m512 out[16]) {
  __m512 r[16], t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++) r[i] = i < nrows ? _mm512_loadu_ps(src + i * ld) : _mm512_setzero_ps();
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // u[4g + q]: per 128-bit lane L, column 4L + q of rows 4g .. 4g + 3.
#pragma GCC unroll 4
  for (int g = 0; g < 4; g++) {
    r[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    r[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    r[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    r[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
#pragma GCC unroll 4
  for (int q = 0; q < 4; q++) {
    __m512 v0 = _mm512_shuffle_f32x4(r[q], r[4 + q], 0x88), w0 = _mm512_shuffle_f32x4(r[q], r[4 + q], 0xDD);
    __m512 v1 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0x88), w1 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0xDD);
    out[q] = _mm512_shuffle_f32x4(v0, v1, 0x88);
    out[8 + q] = _mm512_shuffle_f32x4(v0, v1, 0xDD);
    out[4 + q] = _mm512_shuffle_f32x4(w0, w1, 0x88);
    out[12 + q] = _mm512_shuffle_f32x4(w0, w1, 0xDD);
  }
}

// Full MR (12) strip of a row-major f32 A: 16 k values at a time through the transpose.
inline int64_t pack_a_strip_fast(const float* A, int64_t k, int64_t kc, float* d) {
  int64_t p = 0;
  __m512 col[16];
  for (; p + 16 <= kc; p += 16) {
    transpose16(A + p, k, 12, col);
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) _mm512_mask_storeu_ps(d + (p + j) * 12, 0x0FFF, col[j]);
  }
  return p;
}
inline int64_t pack_a_strip_fast(const double*, int64_t, int64_t, double*) { return 0; }

// Full NR (32) strip of a transposed f32 B (stored n x k): two 16-column halves per 16 k values.
inline int64_t pack_bt_strip_fast(const float* B, int64_t k, int64_t kc, float* d) {
  int64_t p = 0;
  __m512 col[16];
  for (; p + 16 <= kc; p += 16) {
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
      transpose16(B + h * 16 * k + p, k, 16, col);
#pragma GCC unroll 16
      for (int j = 0; j < 16; j++) _mm512_storeu_ps(d + (p + j) * 32 + h * 16, col[j]);
    }
  }
  return p;
}
inline int64_t pack_bt_strip_fast(const double*, int64_t, int64_t, double*) { return 0; }

// Full MR (12) strip of a transposed f32 A (stored k x m): one masked 12-float copy per k value.
inline bool pack_at_strip_fast(const float* A, int64_t m, int64_t kc, float* d) {
  for (int64_t p = 0; p < kc; p++) _mm512_mask_storeu_ps(d + p * 12, 0x0FFF, _mm512_maskz_loadu_ps(0x0FFF, A + p * m));
  return true;
}
inline bool pack_at_strip_fast(const double*, int64_t, int64_t, double*) { return false; }
#else
template <class T> inline bool pack_at_strip_fast(const T*, int64_t, int64_t, T*) { return false; }
template <class T> inline int64_t pack_a_strip_fast(const T*, int64_t, int64_t, T*) { return 0; }
template <class T> inline int64_t pack_bt_strip_fast(const T*, int64_t, int64_t, T*) { return 0; }
#endif

// Pack rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into MR-row micro-panels (zero padded).
template <class V>
void pack_a(const typename V::T* A, bool transA, int64_t m, int64_t k, int64_t i0, int64_t mc, int64_t p0,
            int64_t kc, int64_t s_begin, int64_t s_end, typename V::T* dst) {
  typedef typename V::T T;
  enum { MR = Cfg<V>::MR };
  for (int64_t s = s_begin; s < s_end; s++) {
    T* d = dst + s * MR * kc;
    int64_t r0 = i0 + s * MR, mr = min64(MR, i0 + mc - r0);
    if (!transA && mr == MR) {
      // Full strip: walk k outermost so the packed panel is written sequentially; the MR
      // source rows are read as MR sequential streams.
      const T* src[MR];
      for (int r = 0; r < MR; r++) src[r] = A + (r0 + r) * k + p0;
      int64_t p0fast = MR == 12 ? pack_a_strip_fast(A + r0 * k + p0, k, kc, d) : 0;
      for (int64_t p = p0fast; p < kc; p++) {
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) d[p * MR + r] = src[r][p];
      }
    } else if (!transA) {
      for (int64_t r = 0; r < mr; r++) {
        const T* src = A + (r0 + r) * k + p0;
        for (int64_t p = 0; p < kc; p++) d[p * MR + r] = src[p];
      }
      for (int64_t r = mr; r < MR; r++)
        for (int64_t p = 0; p < kc; p++) d[p * MR + r] = 0;
    } else if (!(MR == 12 && mr == MR && pack_at_strip_fast(A + p0 * m + r0, m, kc, d))) {
      for (int64_t p = 0; p < kc; p++) {
        const T* src = A + (p0 + p) * m + r0;
        T* dp = d + p * MR;
        int64_t r = 0;
        for (; r < mr; r++) dp[r] = src[r];
        for (; r < MR; r++) dp[r] = 0;
      }
    }
  }
}

// Pack rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into NR-column micro-panels (zero padded).
template <class V>
void pack_b(const typename V::T* B, bool transB, int64_t n, int64_t k, int64_t j0, int64_t nc, int64_t p0,
            int64_t kc, int64_t s_begin, int64_t s_end, typename V::T* dst) {
  typedef typename V::T T;
  enum { NR = Cfg<V>::NV * V::W };
  for (int64_t s = s_begin; s < s_end; s++) {
    T* d = dst + s * NR * kc;
    int64_t c0 = j0 + s * NR, nr = min64(NR, j0 + nc - c0);
    if (!transB) {
      for (int64_t p = 0; p < kc; p++) {
        const T* src = B + (p0 + p) * n + c0;
        T* dp = d + p * NR;
        if (nr == NR) memcpy(dp, src, sizeof(T) * NR);
        else {
          int64_t c = 0;
          for (; c < nr; c++) dp[c] = src[c];
          for (; c < NR; c++) dp[c] = 0;
        }
      }
    } else {
      int64_t pf = NR == 32 && nr == NR ? pack_bt_strip_fast(B + c0 * k + p0, k, kc, d) : 0;
      for (int64_t c = 0; c < nr; c++) {
        const T* src = B + (c0 + c) * k + p0;
        for (int64_t p = pf; p < kc; p++) d[p * NR + c] = src[p];
      }
      for (int64_t c = nr; c < NR; c++)
        for (int64_t p = 0; p < kc; p++) d[p * NR + c] = 0;
    }
  }
}

}  // namespace
}  // namespace descent
