// Per-task bodies of the fused attention (see attention.h), compiled once per ISA: the including
// attention_<isa>.cc defines DESCENT_ATTN_NS and one DESCENT_ISA_* (AVX-512, AVX2, or none: the
// portable scalar build). Everything is in an anonymous namespace and uses no C++ library
// templates, so code compiled with AVX-512 flags is never picked by the linker for another file.
//
// Work is done per block of QB query rows, so every key/value row loaded from cache feeds QB rows:
//  - scores (QB x keys): a register tile of QB rows x KT keys (NV vectors) accumulated over the
//    features from the keys transposed into scratch once per task (Kt, feature-major), i.e. a small
//    GEMM micro-kernel with no horizontal sums;
//  - causal: a block computes only the key tiles its last row sees (the masked upper triangle
//    beyond the block diagonal is skipped); in the P V style products the keys of the block's
//    diagonal go row by row to the rows that see them, so a row never reads a key it may not see;
//  - softmax per row with the whole visible row of scores in scratch (one row per query of the
//    block, never (L, S)): max, vectorised exp, sum in a fixed lane order, row log-sum-exp saved;
//  - P V (and dS K in the backward): QB rows x NV vectors of features accumulated over the keys.
// The backward recomputes P = exp(scale q.k - lse) per block, dS = P (dP - D) scale, writes dQ
// rows, and accumulates dK += dS^T Q and dV += P^T dO in per-task scratch (the task owns its keys,
// so no thread shares them). Each element is summed in an order that depends only on the shapes,
// never on the thread count. float32 uses the polynomial exp of vecmath_core.h, float64 libm.
#include <math.h>
#include <string.h>

#include "attention.h"
#include "simd_vec.h"
#include "vecmath_core.h"

#if defined(DESCENT_ISA_AVX512) || defined(DESCENT_ISA_AVX2)
#include <immintrin.h>
#endif

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

/** Keys query row i sees. */
inline int64_t seen(const AttnArgs& a, int64_t i) { return a.causal ? min64(i + 1, a.S) : a.S; }

/** Query rows [i_begin, i_end) of task bh (= b * H + h). */
template <class T> void fwd_rows(const AttnArgs& a, int64_t bh, int64_t i_begin, int64_t i_end, void* scratch) {
  const int64_t b = bh / a.H, h = bh % a.H, E = a.E, Ev = a.Ev;
  const T* Q = base<T>(a.q, a.Q, b, h);
  const T* K = base<T>(a.k, a.K, b, h);
  const T* Vv = base<T>(a.v, a.V, b, h);
  T* O = base_mut<T>(a.o, a.Out, b, h);
  T* lse = (T*)a.Lse + bh * a.L;
  const int64_t nk = a.causal ? min64(i_end, a.S) : a.S;  // keys any of these rows sees
  const int64_t ld = padded<T>(nk);
  T* Kt = (T*)scratch;
  T* P = Kt + E * ld;    // QB rows of scores, then weights
  T* acc = P + QB * ld;  // QB rows of Ev
  if (bh + 1 < a.B * a.H) {  // the next task of this thread, usually
    const int64_t nb = (bh + 1) / a.H, nh = (bh + 1) % a.H;
    prefetch_rows(base<T>(a.k, a.K, nb, nh), a.k.sT, nk, E);
    prefetch_rows(base<T>(a.v, a.V, nb, nh), a.v.sT, nk, Ev);
    prefetch_rows(base<T>(a.q, a.Q, nb, nh) + i_begin * a.q.sT, a.q.sT, i_end - i_begin, E);
  }
  transpose_rows(K, a.k.sT, nk, E, ld, Kt);
  const T scale = (T)a.scale;
  for (int64_t i0 = i_begin; i0 < i_end; i0 += QB) {
    const int64_t rows = min64(QB, i_end - i0);
    const T* q[QB];
    for (int r = 0; r < QB; r++) q[r] = Q + min64(i0 + r, i_end - 1) * a.q.sT;  // spare rows repeat the last
    const int64_t nb = seen(a, i0 + rows - 1);  // keys the block's last row sees
    score_rows(q, E, Kt, ld, nb, scale, P);
    T inv[QB];
    int64_t nrow[QB];
    for (int r = 0; r < QB; r++) {
      T* s = P + r * ld;
      const int64_t n = r < rows ? seen(a, i0 + r) : 0;
      nrow[r] = 0;
      const T m = lane_max(s, n);
      if (n == 0 || m == -INFINITY) {  // no key to attend to: zeros, like the composed safe softmax
        for (int64_t j = 0; j < nb; j++) s[j] = 0;
        inv[r] = 0;
        if (r < rows) lse[i0 + r] = -INFINITY;
        continue;
      }
      const int64_t e = exp_span<T>(n, nb);
      for (int64_t j = 0; j < e; j++) s[j] = exp_t(s[j] - m);
      for (int64_t j = n; j < (e > nb ? e : nb); j++) s[j] = 0;  // masked keys of the block's diagonal tile
      const double l = lane_sum(s, e);  // the zeros past n add nothing
      nrow[r] = n;
      inv[r] = (T)(1.0 / l);
      lse[i0 + r] = (T)((double)m + log(l));
    }
    rows_times(P, ld, nrow, Vv, a.v.sT, Ev, acc);
    for (int64_t r = 0; r < rows; r++) {
      T* o = O + (i0 + r) * a.o.sT;
      const T* x = acc + r * Ev;
      if (inv[r] == 0)
        for (int64_t d = 0; d < Ev; d++) o[d] = 0;
      else
        for (int64_t d = 0; d < Ev; d++) o[d] = x[d] * inv[r];
    }
  }
}

template <class T> void bwd_task(const AttnArgs& a, int64_t bh, void* scratch) {
  const int64_t b = bh / a.H, h = bh % a.H, E = a.E, Ev = a.Ev;
  const T* Q = base<T>(a.q, a.Q, b, h);
  const T* K = base<T>(a.k, a.K, b, h);
  const T* Vv = base<T>(a.v, a.V, b, h);
  const T* O = base<T>(a.o, a.O, b, h);
  const T* gO = base<T>(a.o, a.gO, b, h);
  T* gQ = base_mut<T>(a.q, a.gQ, b, h);
  T* gK = base_mut<T>(a.k, a.gK, b, h);
  T* gV = base_mut<T>(a.v, a.gV, b, h);
  const T* lse = (const T*)a.LseIn + bh * a.L;
  const int64_t nk = a.causal ? min64(a.L, a.S) : a.S;  // keys any query sees
  const int64_t ld = padded<T>(nk);
  T* Kt = (T*)scratch;
  T* Vt = Kt + E * ld;
  T* dK = Vt + Ev * ld;  // (nk, E)
  T* dV = dK + nk * E;   // (nk, Ev)
  T* P = dV + nk * Ev;   // QB rows of weights
  T* dS = P + QB * ld;   // QB rows of dP, then scale * dS
  T* dq = dS + QB * ld;  // QB rows of E
  T* zero = dq + QB * E;  // a row of max(E, Ev) zeros, the input of rows that see no key
  T* Drow = zero + (E > Ev ? E : Ev);  // (L): D_i = dO_i . O_i
  for (int64_t d = 0; d < (E > Ev ? E : Ev); d++) zero[d] = 0;
  // This task's gradient rows are written once each, late: ask for them (with intent to write)
  // now, so the stores do not wait on memory at the end.
  for (int64_t i = 0; i < a.L; i++)
    for (int64_t d = 0; d < E; d += 64 / (int64_t)sizeof(T)) __builtin_prefetch(gQ + i * a.q.sT + d, 1, 3);
  for (int64_t j = 0; j < a.S; j++) {
    for (int64_t d = 0; d < E; d += 64 / (int64_t)sizeof(T)) __builtin_prefetch(gK + j * a.k.sT + d, 1, 3);
    for (int64_t d = 0; d < Ev; d += 64 / (int64_t)sizeof(T)) __builtin_prefetch(gV + j * a.v.sT + d, 1, 3);
  }
  // D for every row in one streaming pass (O is read nowhere else: inside the block loop each
  // row's cold O load stalled the pipeline); the same dot_double as before, so the same bits.
  for (int64_t i = 0; i < a.L; i++) Drow[i] = (T)dot_double(gO + i * a.o.sT, O + i * a.o.sT, Ev);
  if (bh + 1 < a.B * a.H) {  // the next task of this thread, usually
    const int64_t nb = (bh + 1) / a.H, nh = (bh + 1) % a.H;
    prefetch_rows(base<T>(a.k, a.K, nb, nh), a.k.sT, nk, E);
    prefetch_rows(base<T>(a.v, a.V, nb, nh), a.v.sT, nk, Ev);
    prefetch_rows(base<T>(a.q, a.Q, nb, nh), a.q.sT, a.L, E);
    prefetch_rows(base<T>(a.o, a.O, nb, nh), a.o.sT, a.L, Ev);
    prefetch_rows(base<T>(a.o, a.gO, nb, nh), a.o.sT, a.L, Ev);
  }
  transpose_rows(K, a.k.sT, nk, E, ld, Kt);
  transpose_rows(Vv, a.v.sT, nk, Ev, ld, Vt);
  for (int64_t j = 0; j < nk * E; j++) dK[j] = 0;
  for (int64_t j = 0; j < nk * Ev; j++) dV[j] = 0;
  const T scale = (T)a.scale;
  for (int64_t i0 = 0; i0 < a.L; i0 += QB) {
    const int64_t rows = min64(QB, a.L - i0);
    const T* q[QB];
    const T* go[QB];
    for (int r = 0; r < QB; r++) {
      const int64_t i = min64(i0 + r, a.L - 1);  // spare rows repeat the last, with zero weights
      q[r] = Q + i * a.q.sT;
      go[r] = gO + i * a.o.sT;
    }
    const int64_t nb = seen(a, i0 + rows - 1);
    score_rows(q, E, Kt, ld, nb, scale, P);
    score_rows(go, Ev, Vt, ld, nb, (T)1, dS);  // dP = dO_i . v_j
    int64_t nrow[QB];
    for (int r = 0; r < QB; r++) {
      T* p = P + r * ld;
      T* ds = dS + r * ld;
      const int64_t i = i0 + r;
      const T li = r < rows ? lse[i] : (T)-INFINITY;
      const int64_t n = r < rows && li != -INFINITY ? seen(a, i) : 0;
      nrow[r] = n;
      const T D = n > 0 ? Drow[i] : 0;  // sum_j dP_ij P_ij = dO_i . O_i
      for (int64_t j = 0, e = n > 0 ? exp_span<T>(n, nb) : 0; j < e; j++) p[j] = exp_t(p[j] - li);  // the attention weights
      for (int64_t j = 0; j < n; j++) ds[j] = p[j] * (ds[j] - D) * scale;
      for (int64_t j = n; j < nb; j++) p[j] = ds[j] = 0;
    }
    rows_times(dS, ld, nrow, K, a.k.sT, E, dq);  // dQ = scale dS K
    for (int64_t r = 0; r < rows; r++) {
      T* gq = gQ + (i0 + r) * a.q.sT;
      if (nrow[r] == 0)
        for (int64_t d = 0; d < E; d++) gq[d] = 0;
      else
        for (int64_t d = 0; d < E; d++) gq[d] = dq[r * E + d];
    }
    for (int r = 0; r < QB; r++)
      if (nrow[r] == 0) q[r] = go[r] = zero;  // they add exact zeros to dK and dV
    accumulate_outer(P, ld, nrow, go, Ev, dV);  // dV += P^T dO
    accumulate_outer(dS, ld, nrow, q, E, dK);   // dK += scale dS^T Q
  }
  for (int64_t j = 0; j < a.S; j++) {  // every key row, seen or not, gets a gradient
    T* gk = gK + j * a.k.sT;
    T* gv = gV + j * a.v.sT;
    if (j < nk) {
      for (int64_t d = 0; d < E; d++) gk[d] = dK[j * E + d];
      for (int64_t d = 0; d < Ev; d++) gv[d] = dV[j * Ev + d];
    } else {
      for (int64_t d = 0; d < E; d++) gk[d] = 0;
      for (int64_t d = 0; d < Ev; d++) gv[d] = 0;
    }
  }
}

const AttnKernels kTable = {fwd_rows<float>, fwd_rows<double>, bwd_task<float>, bwd_task<double>};

}  // namespace

namespace DESCENT_ATTN_NS {
const AttnKernels* table() { return &kTable; }
}

}  // namespace descent
