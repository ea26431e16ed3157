// Building blocks of the fused attention tasks (attention_impl.h): the register-tile products of
// QB query rows with key/value rows (scores, P V, the dK/dV outer-product updates), the row
// reductions in a fixed lane order, layouts and transposes. Included only by attention_impl.h,
// so it is compiled once per ISA with that file's DESCENT_ISA_* and is in the same anonymous
// namespace.
#pragma once
#include <math.h>
#include <string.h>

#include "attention.h"
#include "simd_vec.h"  // also brings <immintrin.h> on the SIMD builds
#include "vecmath_core.h"

namespace descent {
namespace {

// QB query rows x NV vectors of accumulators, plus NV loads and a broadcast (QB x NV + NV inputs in
// accumulate_outer): 16 + 3 of AVX-512's 32 registers, 8 + 3 of AVX2's 16.
#if defined(DESCENT_ISA_AVX512)
enum { QB = 8, NV = 2 };
#else
enum { QB = 4, NV = 2 };
#endif
static_assert((int)QB <= (int)kAttnMaxRows, "scratch is sized for kAttnMaxRows query rows");

template <class V> struct Tr;
template <> struct Tr<float> { typedef VF V; };
template <> struct Tr<double> { typedef VD V; };

inline float exp_t(float x) { return exp_core(x); }
inline double exp_t(double x) { return exp(x); }
inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

enum { LANES = 16 };

/** Sum with LANES partial sums folded pairwise, then in double: a fixed order, independent of threads. */
template <class T> double lane_sum(const T* x, int64_t n) {
  T acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = 0;
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] += x[j + l];
  for (int w = LANES / 2; w > 0; w /= 2)
    for (int l = 0; l < w; l++) acc[l] += acc[l + w];
  double s = (double)acc[0];
  for (; j < n; j++) s += (double)x[j];
  return s;
}

/** max ignoring NaN (a NaN score still makes its row NaN through exp). */
template <class T> T lane_max(const T* x, int64_t n) {
  T acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  for (int w = LANES / 2; w > 0; w /= 2)
    for (int l = 0; l < w; l++) acc[l] = acc[l + w] > acc[l] ? acc[l + w] : acc[l];
  T m = acc[0];
  for (; j < n; j++) m = x[j] > m ? x[j] : m;
  return m;
}

/** sum_d x[d] y[d] in double, LANES partial sums folded pairwise: a fixed order. */
template <class T> double dot_double(const T* x, const T* y, int64_t n) {
  double acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = 0;
  int64_t d = 0;
  for (; d + LANES <= n; d += LANES)
    for (int l = 0; l < LANES; l++) acc[l] += (double)x[d + l] * (double)y[d + l];
  for (int w = LANES / 2; w > 0; w /= 2)
    for (int l = 0; l < w; l++) acc[l] += acc[l + w];
  double s = acc[0];
  for (; d < n; d++) s += (double)x[d] * (double)y[d];
  return s;
}

template <class T> inline const T* base(const AttnLayout& l, const void* p, int64_t b, int64_t h) {
  return (const T*)p + l.off + b * l.sB + h * l.sH;
}
template <class T> inline T* base_mut(const AttnLayout& l, void* p, int64_t b, int64_t h) {
  return (T*)p + l.off + b * l.sB + h * l.sH;
}

/** Key tile width: the score tile's NV vectors. */
template <class T> constexpr int64_t key_tile() { return NV * Tr<T>::V::W; }
template <class T> inline int64_t padded(int64_t n) { return (n + key_tile<T>() - 1) / key_tile<T>() * key_tile<T>(); }

/** xt (cols, ld) = rows j < n of x (row stride st) transposed, zero from n to ld. */
template <class T> void transpose_rows(const T* x, int64_t st, int64_t n, int64_t cols, int64_t ld, T* __restrict xt) {
  enum { JB = 16 };  // rows per pass: each feature's JB values are stored side by side
  int64_t j0 = 0;
  for (; j0 + JB <= n; j0 += JB)
    for (int64_t d = 0; d < cols; d++) {
      T* __restrict o = xt + d * ld + j0;
      for (int jj = 0; jj < JB; jj++) o[jj] = x[(j0 + jj) * st + d];
    }
  for (int64_t d = 0; d < cols; d++) {
    for (int64_t j = j0; j < n; j++) xt[d * ld + j] = x[j * st + d];
    for (int64_t j = n; j < ld; j++) xt[d * ld + j] = 0;
  }
}

/**
 * Length of an exp loop over a row's n scores: n rounded up to 16, so the vectorised loop has no
 * scalar remainder, but within the scores score_rows computed for the block's nb keys. Values
 * past n are discarded.
 */
template <class T> inline int64_t exp_span(int64_t n, int64_t nb) {
  const int64_t W = Tr<T>::V::W, r = (n + 15) / 16 * 16, computed = (nb + W - 1) / W * W;
  return r < computed ? r : computed;
}

/**
 * s[r * ld + j] = mult * sum_d a_r[d] * bt[d * ld + j] for the QB rows a_r and keys j in [0, n)
 * rounded up to whole vectors (bt is zero past its keys, and ld a whole number of tiles). Each
 * element is one in-order sum over d, whichever tile computes it.
 */
template <class T> void score_rows(const T* const* a, int64_t cols, const T* __restrict bt, int64_t ld, int64_t n,
                                   T mult, T* __restrict s) {
  typedef typename Tr<T>::V V;
  typedef typename V::R R;
  const int W = V::W;
  const R mv = V::set1(mult);
  int64_t j0 = 0;
  for (; j0 + (NV - 1) * W < n; j0 += NV * W) {
    R acc[QB][NV];
    for (int r = 0; r < QB; r++)
      for (int v = 0; v < NV; v++) acc[r][v] = V::zero();
    const T* b = bt + j0;
    for (int64_t d = 0; d < cols; d++, b += ld) {
      R bv[NV];
      for (int v = 0; v < NV; v++) bv[v] = V::load(b + v * W);
      for (int r = 0; r < QB; r++) {
        const R x = V::set1(a[r][d]);
        for (int v = 0; v < NV; v++) acc[r][v] = V::fma(x, bv[v], acc[r][v]);
      }
    }
    for (int r = 0; r < QB; r++)
      for (int v = 0; v < NV; v++) V::store(s + r * ld + j0 + v * W, V::mul(acc[r][v], mv));
  }
  for (; j0 < n; j0 += W) {  // the last few keys: one vector per row
    R acc[QB];
    for (int r = 0; r < QB; r++) acc[r] = V::zero();
    const T* b = bt + j0;
    for (int64_t d = 0; d < cols; d++, b += ld) {
      const R bv = V::load(b);
      for (int r = 0; r < QB; r++) acc[r] = V::fma(V::set1(a[r][d]), bv, acc[r]);
    }
    for (int r = 0; r < QB; r++) V::store(s + r * ld + j0, V::mul(acc[r], mv));
  }
}

template <class T> void rows_times_tile(const T* __restrict p, int64_t ld, int64_t n, const T* x, int64_t sx,
                                        int64_t cols, T* __restrict out);

/** Keys every row with nrow[r] > 0 sees (0 when none has any). */
inline int64_t common_keys(const int64_t* nrow) {
  int64_t n = -1;
  for (int r = 0; r < QB; r++)
    if (nrow[r] > 0 && (n < 0 || nrow[r] < n)) n = nrow[r];
  return n < 0 ? 0 : n;
}

/**
 * out[r * cols + d] = sum_{j < nrow[r]} p[r * ld + j] * x[j * sx + d] for the QB rows of p. Keys
 * every row sees go through the register tile; the rest (the causal diagonal) row by row, so a row
 * never touches a key it does not see (0 * inf would make it NaN). Rows with nrow[r] = 0 (spare or
 * empty) take part in the tile with zero weights; the caller discards their output.
 */
template <class T> void rows_times(const T* __restrict p, int64_t ld, const int64_t* nrow, const T* x, int64_t sx,
                                   int64_t cols, T* __restrict out) {
  const int64_t n = common_keys(nrow);
  rows_times_tile(p, ld, n, x, sx, cols, out);
  typedef typename Tr<T>::V V;
  typedef typename V::R R;
  const int W = V::W;
  for (int r = 0; r < QB; r++) {
    if (nrow[r] <= n) continue;
    const T* pr = p + r * ld;
    T* __restrict o = out + r * cols;
    int64_t d = 0;
    for (; d + W <= cols; d += W) {
      R acc = V::load(o + d);
      for (int64_t j = n; j < nrow[r]; j++) acc = V::fma(V::set1(pr[j]), V::load(x + j * sx + d), acc);
      V::store(o + d, acc);
    }
    for (; d < cols; d++) {
      T acc = o[d];
      for (int64_t j = n; j < nrow[r]; j++) acc += pr[j] * x[j * sx + d];
      o[d] = acc;
    }
  }
}

/** out[r * cols + d] = sum_{j < n} p[r * ld + j] * x[j * sx + d] for the QB rows of p. */
template <class T> void rows_times_tile(const T* __restrict p, int64_t ld, int64_t n, const T* x, int64_t sx,
                                        int64_t cols, T* __restrict out) {
  typedef typename Tr<T>::V V;
  typedef typename V::R R;
  const int W = V::W;
  int64_t d = 0;
  for (; d + NV * W <= cols; d += NV * W) {
    R acc[QB][NV];
    for (int r = 0; r < QB; r++)
      for (int v = 0; v < NV; v++) acc[r][v] = V::zero();
    for (int64_t j = 0; j < n; j++) {
      R xv[NV];
      for (int v = 0; v < NV; v++) xv[v] = V::load(x + j * sx + d + v * W);
      for (int r = 0; r < QB; r++) {
        const R pr = V::set1(p[r * ld + j]);
        for (int v = 0; v < NV; v++) acc[r][v] = V::fma(pr, xv[v], acc[r][v]);
      }
    }
    for (int r = 0; r < QB; r++)
      for (int v = 0; v < NV; v++) V::store(out + r * cols + d + v * W, acc[r][v]);
  }
  for (; d + W <= cols; d += W) {
    R acc[QB];
    for (int r = 0; r < QB; r++) acc[r] = V::zero();
    for (int64_t j = 0; j < n; j++) {
      const R xv = V::load(x + j * sx + d);
      for (int r = 0; r < QB; r++) acc[r] = V::fma(V::set1(p[r * ld + j]), xv, acc[r]);
    }
    for (int r = 0; r < QB; r++) V::store(out + r * cols + d, acc[r]);
  }
  for (; d < cols; d++) {
    T acc[QB];
    for (int r = 0; r < QB; r++) acc[r] = 0;
    for (int64_t j = 0; j < n; j++)
      for (int r = 0; r < QB; r++) acc[r] += p[r * ld + j] * x[j * sx + d];
    for (int r = 0; r < QB; r++) out[r * cols + d] = acc[r];
  }
}

template <class T> void accumulate_outer_tile(const T* __restrict p, int64_t ld, int64_t n, const T* const* y,
                                              int64_t cols, T* __restrict acc);

/**
 * acc[j * cols + d] += sum_{r : j < nrow[r]} p[r * ld + j] * y_r[d] (rows r in order): keys all QB
 * rows see through the register tile, the rest key by key with only the rows that see it. Rows with
 * nrow[r] = 0 must have zero weights and a zero y_r: they add exact zeros in the tile.
 */
template <class T> void accumulate_outer(const T* __restrict p, int64_t ld, const int64_t* nrow, const T* const* y,
                                         int64_t cols, T* __restrict acc) {
  const int64_t n = common_keys(nrow);
  int64_t most = 0;
  for (int r = 0; r < QB; r++) most = nrow[r] > most ? nrow[r] : most;
  accumulate_outer_tile(p, ld, n, y, cols, acc);
  typedef typename Tr<T>::V V;
  typedef typename V::R R;
  const int W = V::W;
  for (int64_t j = n; j < most; j++) {
    T* __restrict c = acc + j * cols;
    int64_t d = 0;
    for (; d + W <= cols; d += W) {
      R cv = V::load(c + d);
      for (int r = 0; r < QB; r++)
        if (j < nrow[r]) cv = V::fma(V::set1(p[r * ld + j]), V::load(y[r] + d), cv);
      V::store(c + d, cv);
    }
    for (; d < cols; d++) {
      T cd = c[d];
      for (int r = 0; r < QB; r++)
        if (j < nrow[r]) cd += p[r * ld + j] * y[r][d];
      c[d] = cd;
    }
  }
}

/** acc[j * cols + d] += sum_r p[r * ld + j] * y_r[d] for j < n (rows r in order). */
template <class T> void accumulate_outer_tile(const T* __restrict p, int64_t ld, int64_t n, const T* const* y,
                                              int64_t cols, T* __restrict acc) {
  typedef typename Tr<T>::V V;
  typedef typename V::R R;
  const int W = V::W;
  int64_t d = 0;
  for (; d + NV * W <= cols; d += NV * W) {
    R yv[QB][NV];
    for (int r = 0; r < QB; r++)
      for (int v = 0; v < NV; v++) yv[r][v] = V::load(y[r] + d + v * W);
    for (int64_t j = 0; j < n; j++) {
      T* c = acc + j * cols + d;
      R cv[NV];
      for (int v = 0; v < NV; v++) cv[v] = V::load(c + v * W);
      for (int r = 0; r < QB; r++) {
        const R pr = V::set1(p[r * ld + j]);
        for (int v = 0; v < NV; v++) cv[v] = V::fma(pr, yv[r][v], cv[v]);
      }
      for (int v = 0; v < NV; v++) V::store(c + v * W, cv[v]);
    }
  }
  for (; d + W <= cols; d += W) {
    R yv[QB];
    for (int r = 0; r < QB; r++) yv[r] = V::load(y[r] + d);
    for (int64_t j = 0; j < n; j++) {
      R cv = V::load(acc + j * cols + d);
      for (int r = 0; r < QB; r++) cv = V::fma(V::set1(p[r * ld + j]), yv[r], cv);
      V::store(acc + j * cols + d, cv);
    }
  }
  for (; d < cols; d++)
    for (int64_t j = 0; j < n; j++) {
      T c = acc[j * cols + d];
      for (int r = 0; r < QB; r++) c += p[r * ld + j] * y[r][d];
      acc[j * cols + d] = c;
    }
}

/** Ask for rows [0, n) of `cols` elements (row stride st) of the next task, towards L2, while this one runs. */
template <class T> void prefetch_rows(const T* x, int64_t st, int64_t n, int64_t cols) {
  const int64_t line = 64 / sizeof(T);
  for (int64_t j = 0; j < n; j++)
    for (int64_t d = 0; d < cols; d += line) __builtin_prefetch(x + j * st + d, 0, 2);
}

}  // namespace
}  // namespace descent
