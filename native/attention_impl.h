// Per-task bodies of the fused attention (see attention.h), written as plain loops over
// contiguous runs so the compiler vectorises them for the ISA flags of the including file
// (attention_<isa>.cc defines DESCENT_ATTN_NS). Keys are transposed into scratch once per task
// so that the scores of a query row, q_i . k_j for all j, are a sum of contiguous axpys; no loop
// needs a horizontal reduction. float32 uses the polynomial exp of vecmath_core.h, float64 libm.
#include <math.h>

#include "attention.h"
#include "vecmath_core.h"

namespace descent {
namespace {

inline float exp_t(float x) { return exp_core(x); }
inline double exp_t(double x) { return exp(x); }

enum { LANES = 16 };

/** Sum with LANES partial sums, then in double: a fixed order, independent of threads. */
template <class T> double lane_sum(const T* x, int64_t n) {
  T acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = 0;
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] += x[j + l];
  double s = 0;
  for (; j < n; j++) s += (double)x[j];
  for (int l = 0; l < LANES; l++) s += (double)acc[l];
  return s;
}

/** max ignoring NaN (a NaN score still makes its row NaN through exp). */
template <class T> T lane_max(const T* x, int64_t n) {
  T acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  T m = -INFINITY;
  for (; j < n; j++) m = x[j] > m ? x[j] : m;
  for (int l = 0; l < LANES; l++) m = acc[l] > m ? acc[l] : m;
  return m;
}

template <class T> inline const T* base(const AttnLayout& l, const void* p, int64_t b, int64_t h) {
  return (const T*)p + l.off + b * l.sB + h * l.sH;
}
template <class T> inline T* base_mut(const AttnLayout& l, void* p, int64_t b, int64_t h) {
  return (T*)p + l.off + b * l.sB + h * l.sH;
}

/** xt (cols, n) = x (n rows of `cols`, row stride st) transposed. */
template <class T> void transpose_rows(const T* x, int64_t st, int64_t n, int64_t cols, T* __restrict xt) {
  for (int64_t j = 0; j < n; j++)
    for (int64_t d = 0; d < cols; d++) xt[d * n + j] = x[j * st + d];
}

/**
 * s[j] = sum_d a[d] * bt[d][j] for j < n, bt of row length ld. Blocks of BJ keys accumulate in
 * registers over d (four vectors, hiding the FMA latency); the rest streams through s. Both sum
 * over d in order, so every s[j] is the same whichever part computes it.
 */
template <class T> void dots(const T* a, const T* __restrict bt, int64_t ld, int64_t n, int64_t cols, T* __restrict s) {
  constexpr int BJ = 128 / sizeof(T);  // float: 32, double: 16
  int64_t j0 = 0;
  for (; j0 + BJ <= n; j0 += BJ) {
    T acc[BJ];
    for (int l = 0; l < BJ; l++) acc[l] = 0;
    for (int64_t d = 0; d < cols; d++) {
      const T ad = a[d];
      const T* __restrict r = bt + d * ld + j0;
      for (int l = 0; l < BJ; l++) acc[l] += ad * r[l];
    }
    for (int l = 0; l < BJ; l++) s[j0 + l] = acc[l];
  }
  if (j0 == n) return;
  for (int64_t j = j0; j < n; j++) s[j] = 0;
  for (int64_t d = 0; d < cols; d++) {
    T ad = a[d];
    const T* __restrict r = bt + d * ld;
    for (int64_t j = j0; j < n; j++) s[j] += ad * r[j];
  }
}

template <class T> void fwd_task(const AttnArgs& a, int64_t task, void* scratch) {
  const int64_t b = task / a.H, h = task % a.H, E = a.E, Ev = a.Ev;
  const T* Q = base<T>(a.q, a.Q, b, h);
  const T* K = base<T>(a.k, a.K, b, h);
  const T* V = base<T>(a.v, a.V, b, h);
  T* O = base_mut<T>(a.o, a.Out, b, h);
  T* lse = (T*)a.Lse + task * a.L;
  const int64_t S = a.causal ? (a.L < a.S ? a.L : a.S) : a.S;  // keys any query can see
  T* Kt = (T*)scratch;
  T* s = Kt + E * S;
  T* acc = s + S + 16;
  transpose_rows(K, a.k.sT, S, E, Kt);
  const T scale = (T)a.scale;
  for (int64_t i = 0; i < a.L; i++) {
    const int64_t n = a.causal ? (i + 1 < S ? i + 1 : S) : S;
    T* o = O + i * a.o.sT;
    dots(Q + i * a.q.sT, Kt, S, n, E, s);
    for (int64_t j = 0; j < n; j++) s[j] *= scale;
    const T m = lane_max(s, n);
    if (n == 0 || m == -INFINITY) {  // no key to attend to: zeros, like the composed safe softmax
      for (int64_t d = 0; d < Ev; d++) o[d] = 0;
      lse[i] = -INFINITY;
      continue;
    }
    for (int64_t j = 0; j < n; j++) s[j] = exp_t(s[j] - m);
    const double l = lane_sum(s, n);
    for (int64_t d = 0; d < Ev; d++) acc[d] = 0;
    for (int64_t j = 0; j < n; j++) {
      const T p = s[j];
      const T* __restrict vj = V + j * a.v.sT;
      for (int64_t d = 0; d < Ev; d++) acc[d] += p * vj[d];
    }
    const T inv = (T)(1.0 / l);
    for (int64_t d = 0; d < Ev; d++) o[d] = acc[d] * inv;
    lse[i] = (T)((double)m + log(l));
  }
}

template <class T> void bwd_task(const AttnArgs& a, int64_t task, void* scratch) {
  const int64_t b = task / a.H, h = task % a.H, E = a.E, Ev = a.Ev;
  const T* Q = base<T>(a.q, a.Q, b, h);
  const T* K = base<T>(a.k, a.K, b, h);
  const T* V = base<T>(a.v, a.V, b, h);
  const T* O = base<T>(a.o, a.O, b, h);
  const T* gO = base<T>(a.o, a.gO, b, h);
  T* gQ = base_mut<T>(a.q, a.gQ, b, h);
  T* gK = base_mut<T>(a.k, a.gK, b, h);
  T* gV = base_mut<T>(a.v, a.gV, b, h);
  const T* lse = (const T*)a.LseIn + task * a.L;
  const int64_t S = a.causal ? (a.L < a.S ? a.L : a.S) : a.S;
  T* Kt = (T*)scratch;
  T* Vt = Kt + E * S;
  T* p = Vt + Ev * S;
  T* ds = p + S + 16;
  T* dq = ds + S + 16;
  transpose_rows(K, a.k.sT, S, E, Kt);
  transpose_rows(V, a.v.sT, S, Ev, Vt);
  for (int64_t j = 0; j < a.S; j++) {  // every key row, seen or not, gets a gradient
    T* gk = gK + j * a.k.sT;
    T* gv = gV + j * a.v.sT;
    for (int64_t d = 0; d < E; d++) gk[d] = 0;
    for (int64_t d = 0; d < Ev; d++) gv[d] = 0;
  }
  const T scale = (T)a.scale;
  for (int64_t i = 0; i < a.L; i++) {
    const int64_t n = a.causal ? (i + 1 < S ? i + 1 : S) : S;
    const T* qi = Q + i * a.q.sT;
    const T* doi = gO + i * a.o.sT;
    const T* oi = O + i * a.o.sT;
    T* gq = gQ + i * a.q.sT;
    const T li = lse[i];
    if (n == 0 || li == -INFINITY) {
      for (int64_t d = 0; d < E; d++) gq[d] = 0;
      continue;
    }
    dots(qi, Kt, S, n, E, p);
    for (int64_t j = 0; j < n; j++) p[j] = exp_t(p[j] * scale - li);  // the attention weights
    dots(doi, Vt, S, n, Ev, ds);                                      // dP = dO_i . v_j
    double Di = 0;
    for (int64_t d = 0; d < Ev; d++) Di += (double)doi[d] * (double)oi[d];  // sum_j dP_ij P_ij
    const T D = (T)Di;
    for (int64_t j = 0; j < n; j++) ds[j] = p[j] * (ds[j] - D);
    for (int64_t d = 0; d < E; d++) dq[d] = 0;
    for (int64_t j = 0; j < n; j++) {
      const T pj = p[j], dsj = ds[j], c = dsj * scale;
      T* __restrict gv = gV + j * a.v.sT;
      for (int64_t d = 0; d < Ev; d++) gv[d] += pj * doi[d];
      const T* __restrict kj = K + j * a.k.sT;
      for (int64_t d = 0; d < E; d++) dq[d] += dsj * kj[d];
      T* __restrict gk = gK + j * a.k.sT;
      for (int64_t d = 0; d < E; d++) gk[d] += c * qi[d];
    }
    for (int64_t d = 0; d < E; d++) gq[d] = dq[d] * scale;
  }
}

const AttnKernels kTable = {fwd_task<float>, fwd_task<double>, bwd_task<float>, bwd_task<double>};

}  // namespace

namespace DESCENT_ATTN_NS {
const AttnKernels* table() { return &kTable; }
}

}  // namespace descent
