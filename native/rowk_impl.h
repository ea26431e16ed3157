// Layer norm forward/backward and the Adam/SGD updates, compiled once per ISA: the including file
// defines DESCENT_ROWK_NS and binding.gyp sets its -m flags plus -ffp-contract=off (so a*b+c never
// becomes an FMA: the updates and elementwise parts must round exactly like the scalar reference).
// Everything is computed in double; values are widened on load and rounded once on store.
// Written with GCC/Clang vector extensions (operators work lane-wise and mix with scalars); only
// the loads, stores and sqrt use intrinsics. Nothing here may have external linkage outside
// DESCENT_ROWK_NS (an inline function compiled with AVX-512 flags must never be picked by the
// linker for another translation unit), hence the builtins instead of <math.h>.
#include <stdint.h>

#include "rowk.h"

#if defined(__AVX512F__) || defined(__AVX2__) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace descent {
namespace DESCENT_ROWK_NS {
namespace {

// D4: four doubles (the layer-norm forward's four strided accumulators, and the backward's).
typedef double D4 __attribute__((vector_size(32)));

// DV: the widest double vector of this ISA, for the elementwise loops; MV its comparison mask.
#if defined(__AVX512F__)
enum { W = 8 };
typedef double DV __attribute__((vector_size(64)));
inline DV ldv(const float* p) { return (DV)_mm512_cvtps_pd(_mm256_loadu_ps(p)); }
inline DV ldv(const double* p) { return (DV)_mm512_loadu_pd(p); }
inline void stv(float* p, DV v) { _mm256_storeu_ps(p, _mm512_cvtpd_ps((__m512d)v)); }
inline void stv(double* p, DV v) { _mm512_storeu_pd(p, (__m512d)v); }
inline DV sqrtv(DV v) { return (DV)_mm512_sqrt_pd((__m512d)v); }
#elif defined(__AVX2__)
enum { W = 4 };
typedef D4 DV;
inline DV ldv(const float* p) { return (DV)_mm256_cvtps_pd(_mm_loadu_ps(p)); }
inline DV ldv(const double* p) { return (DV)_mm256_loadu_pd(p); }
inline void stv(float* p, DV v) { _mm_storeu_ps(p, _mm256_cvtpd_ps((__m256d)v)); }
inline void stv(double* p, DV v) { _mm256_storeu_pd(p, (__m256d)v); }
inline DV sqrtv(DV v) { return (DV)_mm256_sqrt_pd((__m256d)v); }
#elif defined(__SSE2__)
enum { W = 2 };
typedef double DV __attribute__((vector_size(16)));
inline DV ldv(const float* p) { return (DV)_mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double*)p))); }
inline DV ldv(const double* p) { return (DV)_mm_loadu_pd(p); }
inline void stv(float* p, DV v) { _mm_store_sd((double*)p, _mm_castps_pd(_mm_cvtpd_ps((__m128d)v))); }
inline void stv(double* p, DV v) { _mm_storeu_pd(p, (__m128d)v); }
inline DV sqrtv(DV v) { return (DV)_mm_sqrt_pd((__m128d)v); }
#else
enum { W = 2 };
typedef double DV __attribute__((vector_size(16)));
template <class T> inline DV ldv(const T* p) { DV r; for (int i = 0; i < W; i++) r[i] = (double)p[i]; return r; }
template <class T> inline void stv(T* p, DV v) { for (int i = 0; i < W; i++) p[i] = (T)v[i]; }
inline DV sqrtv(DV v) { for (int i = 0; i < W; i++) v[i] = __builtin_sqrt(v[i]); return v; }
#endif

#if defined(__AVX2__) || defined(__AVX512F__)
inline D4 ld4(const float* p) { return (D4)_mm256_cvtps_pd(_mm_loadu_ps(p)); }
inline D4 ld4(const double* p) { return (D4)_mm256_loadu_pd(p); }
#else
template <class T> inline D4 ld4(const T* p) { return D4{(double)p[0], (double)p[1], (double)p[2], (double)p[3]}; }
#endif

typedef decltype(DV{} >= DV{}) MV;  // lane-wise comparison result

// Scalar versions of the vector helpers, so one template body serves the vector loop and its tail.
inline double sqrtv(double v) { return __builtin_sqrt(v); }
inline double sel(bool m, double a, double b) { return m ? a : b; }
inline DV sel(MV m, DV a, DV b) { return (DV)((m & (MV)a) | (~m & (MV)b)); }
inline double bcast(double s, double) { return s; }
inline DV bcast(double s, DV) { DV r; for (int i = 0; i < W; i++) r[i] = s; return r; }

// ---- layer norm ----

// Mean and rstd of R rows at once (R independent dependency chains in flight). Each row is summed
// in the order the earlier scalar kernel used: four strided double accumulators s0..s3 (lanes of
// one D4), the tail into s0, combined (s0 + s1) + (s2 + s3). So the result depends only on cols,
// and the grouping of rows (and threads) never changes a bit.
template <int R, class T>
inline void ln_stats(const T* const* xr, int64_t n, double eps, double* mu, double* rs) {
  D4 s[R];
  for (int j = 0; j < R; j++) s[j] = D4{0, 0, 0, 0};
  int64_t c = 0;
  for (; c + 4 <= n; c += 4)
    for (int j = 0; j < R; j++) s[j] += ld4(xr[j] + c);
  for (int j = 0; j < R; j++) {
    double s0 = s[j][0];
    for (int64_t k = c; k < n; k++) s0 += (double)xr[j][k];
    mu[j] = ((s0 + s[j][1]) + (s[j][2] + s[j][3])) / (double)n;
    s[j] = D4{0, 0, 0, 0};
  }
  for (c = 0; c + 4 <= n; c += 4)
    for (int j = 0; j < R; j++) {
      D4 d = ld4(xr[j] + c) - mu[j];
      s[j] += d * d;
    }
  for (int j = 0; j < R; j++) {
    double s0 = s[j][0];
    for (int64_t k = c; k < n; k++) { double d = (double)xr[j][k] - mu[j]; s0 += d * d; }
    double v = (s0 + s[j][1]) + (s[j][2] + s[j][3]);
    rs[j] = 1.0 / __builtin_sqrt(v / (double)n + eps);  // biased variance, like PyTorch
  }
}

// The affine parameters widened to double once per call (not once per row) when they fit here.
const int64_t kWideCols = 2048;

template <bool HW, bool HB, class T, class TW>
inline void ln_out(const T* xr, const TW* w, const TW* b, int64_t n, double mu, double rs, T* o) {
  int64_t c = 0;
  for (; c + W <= n; c += W) {
    DV y = (ldv(xr + c) - mu) * rs;
    if (HW) y *= ldv(w + c);
    if (HB) y += ldv(b + c);
    stv(o + c, y);
  }
  for (; c < n; c++) {
    double y = ((double)xr[c] - mu) * rs;
    if (HW) y *= (double)w[c];
    if (HB) y += (double)b[c];
    o[c] = (T)y;
  }
}

template <class T, class TW>
void layernorm_rows(const T* x, const TW* w, const TW* b, int64_t rb, int64_t re, int64_t cols, double eps, T* out,
                    T* mean, T* rstd) {
  const int R = 4;
  for (int64_t r = rb; r < re;) {
    int k = re - r >= R ? R : 1;
    const T* xr[R];
    double mu[R], rs[R];
    for (int j = 0; j < k; j++) xr[j] = x + (r + j) * cols;
    if (k == R) ln_stats<R>(xr, cols, eps, mu, rs);
    else ln_stats<1>(xr, cols, eps, mu, rs);
    for (int j = 0; j < k; j++) {
      mean[r + j] = (T)mu[j];
      rstd[r + j] = (T)rs[j];
      T* o = out + (r + j) * cols;
      if (w && b) ln_out<true, true>(xr[j], w, b, cols, mu[j], rs[j], o);
      else if (w) ln_out<true, false>(xr[j], w, b, cols, mu[j], rs[j], o);
      else if (b) ln_out<false, true>(xr[j], w, b, cols, mu[j], rs[j], o);
      else ln_out<false, false>(xr[j], w, b, cols, mu[j], rs[j], o);
    }
    r += k;
  }
}

template <class T>
void layernorm(const T* x, const T* w, const T* b, int64_t rb, int64_t re, int64_t cols, double eps, T* out, T* mean,
               T* rstd) {
  if (sizeof(T) == sizeof(double) || cols > kWideCols || (!w && !b)) {
    layernorm_rows(x, w, b, rb, re, cols, eps, out, mean, rstd);
    return;
  }
  double wd[kWideCols], bd[kWideCols];
  for (int64_t c = 0; c < cols; c++) {
    if (w) wd[c] = (double)w[c];
    if (b) bd[c] = (double)b[c];
  }
  layernorm_rows(x, w ? wd : nullptr, b ? bd : nullptr, rb, re, cols, eps, out, mean, rstd);
}

// gx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = gy * w. The two row sums use eight
// strided accumulators (two D4s each) combined pairwise, the tail sequentially last: the order
// depends only on cols (not on the ISA or the thread count). The final elementwise pass rounds
// exactly like the scalar reference.
// xhat and g * w of the row go to the scratch buffers sx, sg (when given: cols <= kWideCols) on
// the way through the sums, so the second pass reads them back instead of recomputing them.
template <bool HW, class T, class TW>
inline void ln_bw_row(const T* xr, const TW* w, const T* g, int64_t n, double mu, double rs, T* o, double* sx,
                      double* sg) {
  D4 a0 = {0, 0, 0, 0}, a1 = a0, b0 = a0, b1 = a0;
  int64_t c = 0;
  for (; c + 8 <= n; c += 8) {
    D4 x0 = (ld4(xr + c) - mu) * rs, x1 = (ld4(xr + c + 4) - mu) * rs;
    D4 g0 = ld4(g + c), g1 = ld4(g + c + 4);
    if (HW) { g0 *= ld4(w + c); g1 *= ld4(w + c + 4); }
    if (sx) {
      __builtin_memcpy(sx + c, &x0, 32); __builtin_memcpy(sx + c + 4, &x1, 32);
      __builtin_memcpy(sg + c, &g0, 32); __builtin_memcpy(sg + c + 4, &g1, 32);
    }
    a0 += g0; a1 += g1;
    b0 += g0 * x0; b1 += g1 * x1;
  }
  D4 sa = a0 + a1, sb = b0 + b1;  // lane j: accumulators j and j + 4
  double sumG = (sa[0] + sa[1]) + (sa[2] + sa[3]), sumGX = (sb[0] + sb[1]) + (sb[2] + sb[3]);
  int64_t tail = c;
  for (; c < n; c++) {
    double xhat = ((double)xr[c] - mu) * rs;
    double gg = HW ? (double)g[c] * (double)w[c] : (double)g[c];
    sumG += gg;
    sumGX += gg * xhat;
  }
  double mG = sumG / (double)n, mGX = sumGX / (double)n;
  c = 0;
  if (sx)
    for (; c + W <= tail; c += W) {
      DV xhat, gg;
      __builtin_memcpy(&xhat, sx + c, sizeof(DV)); __builtin_memcpy(&gg, sg + c, sizeof(DV));
      stv(o + c, rs * (gg - mG - xhat * mGX));
    }
  for (; c + W <= n; c += W) {
    DV xhat = (ldv(xr + c) - mu) * rs;
    DV gg = ldv(g + c);
    if (HW) gg *= ldv(w + c);
    stv(o + c, rs * (gg - mG - xhat * mGX));
  }
  for (; c < n; c++) {
    double xhat = ((double)xr[c] - mu) * rs;
    double gg = HW ? (double)g[c] * (double)w[c] : (double)g[c];
    o[c] = (T)(rs * (gg - mG - xhat * mGX));
  }
}

template <class T>
void layernorm_bw_rows(const T* x, const T* w, const T* mean, const T* rstd, const T* gy, int64_t rb, int64_t re,
                       int64_t cols, T* gx) {
  bool wide = cols <= kWideCols;
  double sx[wide ? cols : 1], sg[wide ? cols : 1], wd[wide && w ? cols : 1];
  if (wide && w) for (int64_t c = 0; c < cols; c++) wd[c] = (double)w[c];
  for (int64_t r = rb; r < re; r++) {
    const T* xr = x + r * cols; const T* g = gy + r * cols; T* o = gx + r * cols;
    double mu = (double)mean[r], rs = (double)rstd[r];
    if (!wide) {
      if (w) ln_bw_row<true>(xr, w, g, cols, mu, rs, o, nullptr, nullptr);
      else ln_bw_row<false>(xr, w, g, cols, mu, rs, o, nullptr, nullptr);
    } else {
      if (w) ln_bw_row<true>(xr, (const double*)wd, g, cols, mu, rs, o, sx, sg);
      else ln_bw_row<false>(xr, (const double*)nullptr, g, cols, mu, rs, o, sx, sg);
    }
  }
}

// Weight/bias gradient sums over a block of rows, in double without intermediate rounding (the
// caller adds blocks up in block order and rounds once; see kernels.h).
template <bool HW, bool HB, class T>
inline void ln_bw_partials_t(const T* x, const T* mean, const T* rstd, const T* gy, int64_t rb, int64_t re,
                             int64_t cols, int64_t cb, int64_t ce, double* pw, double* pb) {
  const int64_t n = ce - cb;
  for (int64_t c = 0; c < n; c++) {
    if (HW) pw[c] = 0;
    if (HB) pb[c] = 0;
  }
  for (int64_t r = rb; r < re; r++) {
    const T* xr = x + r * cols + cb; const T* g = gy + r * cols + cb;
    double mu = (double)mean[r], rs = (double)rstd[r];
    int64_t c = 0;
    for (; c + W <= n; c += W) {
      DV gg = ldv(g + c), a;
      if (HW) { __builtin_memcpy(&a, pw + c, sizeof a); a = a + gg * ((ldv(xr + c) - mu) * rs); __builtin_memcpy(pw + c, &a, sizeof a); }
      if (HB) { __builtin_memcpy(&a, pb + c, sizeof a); a = a + gg; __builtin_memcpy(pb + c, &a, sizeof a); }
    }
    for (; c < n; c++) {
      if (HW) pw[c] += (double)g[c] * (((double)xr[c] - mu) * rs);
      if (HB) pb[c] += (double)g[c];
    }
  }
}

template <class T>
void layernorm_bw_partials(const T* x, const T* mean, const T* rstd, const T* gy, int64_t rb, int64_t re, int64_t cols,
                           int64_t cb, int64_t ce, double* pw, double* pb) {
  if (pw && pb) ln_bw_partials_t<true, true>(x, mean, rstd, gy, rb, re, cols, cb, ce, pw, pb);
  else if (pw) ln_bw_partials_t<true, false>(x, mean, rstd, gy, rb, re, cols, cb, ce, pw, pb);
  else if (pb) ln_bw_partials_t<false, true>(x, mean, rstd, gy, rb, re, cols, cb, ce, pw, pb);
}

// ---- RMS norm ----

// Row sum of a(c) over c < n, a given as a D4 functor for 4 columns and a double one for the tail:
// eight strided accumulators (two D4s) combined pairwise, the tail sequentially last (as in
// ln_bw_row), so the order depends only on n.
template <class F4, class F1>
inline double row_sum8(int64_t n, const F4& f4, const F1& f1) {
  D4 a0 = {0, 0, 0, 0}, a1 = a0;
  int64_t c = 0;
  for (; c + 8 <= n; c += 8) { a0 += f4(c); a1 += f4(c + 4); }
  D4 sa = a0 + a1;
  double s = (sa[0] + sa[1]) + (sa[2] + sa[3]);
  for (; c < n; c++) s += f1(c);
  return s;
}

template <class T>
void rmsnorm(const T* x, const T* w, int64_t rb, int64_t re, int64_t cols, double eps, T* out, T* rstd) {
  for (int64_t r = rb; r < re; r++) {
    const T* xr = x + r * cols;
    T* o = out + r * cols;
    double ss = row_sum8(cols, [&](int64_t c) { D4 v = ld4(xr + c); return v * v; },
                         [&](int64_t c) { double v = (double)xr[c]; return v * v; });
    double rs = 1.0 / __builtin_sqrt(ss / (double)cols + eps);
    rstd[r] = (T)rs;
    int64_t c = 0;
    if (w) {
      for (; c + W <= cols; c += W) stv(o + c, ldv(xr + c) * rs * ldv(w + c));
      for (; c < cols; c++) o[c] = (T)((double)xr[c] * rs * (double)w[c]);
    } else {
      for (; c + W <= cols; c += W) stv(o + c, ldv(xr + c) * rs);
      for (; c < cols; c++) o[c] = (T)((double)xr[c] * rs);
    }
  }
}

// gx = rstd * (g - xhat * mean(g * xhat)), xhat = x * rstd, g = gy * w.
template <bool HW, class T>
inline void rms_bw_row(const T* xr, const T* w, const T* g, int64_t n, double rs, T* o) {
  double sumGX = row_sum8(n,
      [&](int64_t c) { D4 gg = ld4(g + c); if (HW) gg *= ld4(w + c); return gg * (ld4(xr + c) * rs); },
      [&](int64_t c) { double gg = HW ? (double)g[c] * (double)w[c] : (double)g[c]; return gg * ((double)xr[c] * rs); });
  double mGX = sumGX / (double)n;
  int64_t c = 0;
  for (; c + W <= n; c += W) {
    DV gg = ldv(g + c);
    if (HW) gg *= ldv(w + c);
    stv(o + c, rs * (gg - (ldv(xr + c) * rs) * mGX));
  }
  for (; c < n; c++) {
    double gg = HW ? (double)g[c] * (double)w[c] : (double)g[c];
    o[c] = (T)(rs * (gg - ((double)xr[c] * rs) * mGX));
  }
}

template <class T>
void rmsnorm_bw_rows(const T* x, const T* w, const T* rstd, const T* gy, int64_t rb, int64_t re, int64_t cols, T* gx) {
  for (int64_t r = rb; r < re; r++) {
    if (w) rms_bw_row<true>(x + r * cols, w, gy + r * cols, cols, (double)rstd[r], gx + r * cols);
    else rms_bw_row<false>(x + r * cols, w, gy + r * cols, cols, (double)rstd[r], gx + r * cols);
  }
}

template <class T>
void rmsnorm_bw_partials(const T* x, const T* rstd, const T* gy, int64_t rb, int64_t re, int64_t cols, int64_t cb,
                         int64_t ce, double* pw) {
  const int64_t n = ce - cb;
  for (int64_t c = 0; c < n; c++) pw[c] = 0;
  for (int64_t r = rb; r < re; r++) {
    const T* xr = x + r * cols + cb; const T* g = gy + r * cols + cb;
    double rs = (double)rstd[r];
    int64_t c = 0;
    for (; c + W <= n; c += W) {
      DV a;
      __builtin_memcpy(&a, pw + c, sizeof a);
      a = a + ldv(g + c) * (ldv(xr + c) * rs);
      __builtin_memcpy(pw + c, &a, sizeof a);
    }
    for (; c < n; c++) pw[c] += (double)g[c] * ((double)xr[c] * rs);
  }
}

// ---- optimizers (PyTorch's single-tensor Adam/AdamW and SGD, like src/backend/ts/optim.ts) ----

// One Adam/AdamW element step on V = double or DV (M its comparison type); every operation is the
// reference's, in its order. Returns the new param; m, v, vmax are updated in place.
template <class V, class M>
inline V adam_step(V g, V w, V& m, V& v, V* vmax, const AdamArgs& a, double stepSize, double decay) {
  if (a.gradScale != 1) g = g / a.gradScale;
  if (a.weightDecay != 0) {
    if (a.decoupled) w = w * decay;
    else g = g + a.weightDecay * w;
  }
  const double w1 = 1 - a.beta1;
  // torch lerp: weight < 0.5 uses self + w*(end - self)
  V mi = w1 < 0.5 ? m + w1 * (g - m) : g - (g - m) * (1 - w1);
  V vi = v * a.beta2 + (1 - a.beta2) * g * g;
  m = mi;
  v = vi;
  V vhat = vi;
  if (vmax) {
    V mo = *vmax;
    M keep = mo >= vi, nan = (vi != vi) | (mo != mo);  // Math.max: NaN wins
    V mx = sel(keep, mo, vi);
    mx = sel(nan, bcast(__builtin_nan(""), mx), mx);
    *vmax = mx;
    vhat = mx;
  }
  V denom = sqrtv(vhat) / a.bc2Sqrt + a.eps;
  return w - stepSize * (mi / denom);
}

template <class T>
void adam(T* param, const T* grad, T* m, T* v, T* vmax, int64_t b, int64_t e, const AdamArgs& a) {
  const double stepSize = a.lr / a.bc1;
  const double decay = a.decoupled ? 1 - a.lr * a.weightDecay : 1;
  int64_t i = b;
  for (; i + W <= e; i += W) {
    DV mi = ldv(m + i), vi = ldv(v + i), mx;
    if (vmax) mx = ldv(vmax + i);
    DV p = adam_step<DV, MV>(ldv(grad + i), ldv(param + i), mi, vi, vmax ? &mx : nullptr, a, stepSize, decay);
    stv(m + i, mi);
    stv(v + i, vi);
    if (vmax) stv(vmax + i, mx);
    stv(param + i, p);
  }
  for (; i < e; i++) {
    double mi = (double)m[i], vi = (double)v[i], mx = vmax ? (double)vmax[i] : 0;
    double p = adam_step<double, bool>((double)grad[i], (double)param[i], mi, vi, vmax ? &mx : nullptr, a, stepSize, decay);
    m[i] = (T)mi;
    v[i] = (T)vi;
    if (vmax) vmax[i] = (T)mx;
    param[i] = (T)p;
  }
}

template <class V>
inline V sgd_step(V g, V p, V* buf, const SgdArgs& a) {
  if (a.weightDecay != 0) g = g + a.weightDecay * p;
  if (buf) {
    V bb = a.firstStep ? g : *buf * a.momentum + (1 - a.dampening) * g;
    *buf = bb;
    g = a.nesterov ? g + a.momentum * bb : bb;
  }
  return p - a.lr * g;
}

template <class T> void sgd(T* param, const T* grad, T* buf, int64_t b, int64_t e, const SgdArgs& a) {
  bool mom = buf && a.momentum != 0;
  int64_t i = b;
  for (; i + W <= e; i += W) {
    DV bb;
    if (mom) bb = ldv(buf + i);
    DV p = sgd_step<DV>(ldv(grad + i), ldv(param + i), mom ? &bb : nullptr, a);
    if (mom) stv(buf + i, bb);
    stv(param + i, p);
  }
  for (; i < e; i++) {
    double bb = mom ? (double)buf[i] : 0;
    double p = sgd_step<double>((double)grad[i], (double)param[i], mom ? &bb : nullptr, a);
    if (mom) buf[i] = (T)bb;
    param[i] = (T)p;
  }
}

// Four rows per pass over the accumulators (each column still adds its rows in order), so acc is
// loaded and stored once per four rows instead of once per row.
template <class T> void col_accumulate(const T* x, int64_t rows, int64_t w, int64_t ld, double* acc) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    const T* x0 = x + r * ld; const T* x1 = x0 + ld; const T* x2 = x1 + ld; const T* x3 = x2 + ld;
    int64_t j = 0;
    for (; j + W <= w; j += W) {
      DV a;
      __builtin_memcpy(&a, acc + j, sizeof a);  // acc need not be vector-aligned
      a = a + ldv(x0 + j); a = a + ldv(x1 + j); a = a + ldv(x2 + j); a = a + ldv(x3 + j);
      __builtin_memcpy(acc + j, &a, sizeof a);
    }
    for (; j < w; j++) acc[j] = (((acc[j] + (double)x0[j]) + (double)x1[j]) + (double)x2[j]) + (double)x3[j];
  }
  for (; r < rows; r++) {
    const T* xr = x + r * ld;
    for (int64_t j = 0; j < w; j++) acc[j] += (double)xr[j];
  }
}

// Constant-initialized (no code runs at load time): this file is built with the ISA's flags, and a
// dynamic initializer would execute its instructions on CPUs that lack them.
template <class T> constexpr RowKernelsT<T> kernels_of() {
  return {layernorm<T>, layernorm_bw_rows<T>, layernorm_bw_partials<T>,
          rmsnorm<T>, rmsnorm_bw_rows<T>, rmsnorm_bw_partials<T>, adam<T>, sgd<T>, col_accumulate<T>};
}

constexpr RowKernels kTable = {kernels_of<float>(), kernels_of<double>()};

}  // namespace

const RowKernels* table() { return &kTable; }

}  // namespace DESCENT_ROWK_NS
}  // namespace descent
