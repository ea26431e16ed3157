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
// The register-tile building blocks are in attention_tiles.h.
#include <math.h>

#include "attention.h"
#include "attention_tiles.h"

namespace descent {
namespace {

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
  // now, so the stores do not wait on memory at the end; only while they fit in L2 with room to
  // spare (long sequences would evict the task's own scratch instead).
  if ((a.L * E + a.S * (E + Ev)) * (int64_t)sizeof(T) <= (256 << 10)) {
    for (int64_t i = 0; i < a.L; i++)
      for (int64_t d = 0; d < E; d += 64 / (int64_t)sizeof(T)) __builtin_prefetch(gQ + i * a.q.sT + d, 1, 3);
    for (int64_t j = 0; j < a.S; j++) {
      for (int64_t d = 0; d < E; d += 64 / (int64_t)sizeof(T)) __builtin_prefetch(gK + j * a.k.sT + d, 1, 3);
      for (int64_t d = 0; d < Ev; d += 64 / (int64_t)sizeof(T)) __builtin_prefetch(gV + j * a.v.sT + d, 1, 3);
    }
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

constexpr AttnKernels kTable = {fwd_rows<float>, fwd_rows<double>, bwd_task<float>, bwd_task<double>};

}  // namespace

namespace DESCENT_ATTN_NS {
const AttnKernels* table() { return &kTable; }
}

}  // namespace descent
