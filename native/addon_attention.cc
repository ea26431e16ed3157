// Node-API glue for the fused attention kernels (attention.h): reads the layout meta, checks every
// operand's reachable range against its array before anything runs.
//   attentionForward(q, k, v, out, lse, meta)
//   attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, meta)
// meta = [B, H, L, S, E, Ev, scale, causal, then (off, sB, sH, sT) for q, k, v, out]; gq/gk/gv
// use the q/k/v layouts, gOut the out layout; lse is (B, H, L) contiguous.
#include "attention.h"
#include "napi_args.h"

namespace descent {

namespace {

const int kMeta = 8 + 16;

bool read_meta(Args& A, size_t i, AttnArgs* a) {
  Arr meta = A.arr(i);
  A.need(meta.dt == kF64 && meta.len >= kMeta, "meta must be a Float64Array of 24 numbers");
  if (!A.ok) return false;
  const double* m = (const double*)meta.data;
  int64_t v[kMeta];
  for (int j = 0; j < kMeta; j++) {
    if (j == 6) continue;  // scale
    double x = m[j];
    if (!(x >= 0 && x <= kMaxExact && x == (double)(int64_t)x)) {
      A.fail_range("meta[%d] = %g is not a non-negative integer", j, x);
      return false;
    }
    v[j] = (int64_t)x;
  }
  a->B = v[0]; a->H = v[1]; a->L = v[2]; a->S = v[3]; a->E = v[4]; a->Ev = v[5];
  a->scale = m[6];
  a->causal = v[7] != 0;
  AttnLayout* ls[4] = {&a->q, &a->k, &a->v, &a->o};
  for (int q = 0; q < 4; q++) *ls[q] = {v[8 + 4 * q], v[9 + 4 * q], v[10 + 4 * q], v[11 + 4 * q]};
  return true;
}

/** The last element an operand of `rows` x `cols` per (b, h) reaches lies inside arr. */
void check_layout(Args& A, const AttnArgs& a, const AttnLayout& l, int64_t rows, int64_t cols, const Arr& arr,
                  const char* name) {
  if (!A.ok || a.B == 0 || a.H == 0 || rows == 0 || cols == 0) return;
  int64_t last = add_sat(add_sat(add_sat(l.off, mul_sat(a.B - 1, l.sB)), mul_sat(a.H - 1, l.sH)),
                         add_sat(mul_sat(rows - 1, l.sT), cols - 1));
  if (last >= arr.len) A.fail_range("%s: the layout reaches element %lld of %lld", name, (long long)last, (long long)arr.len);
}

void check_common(Args& A, const AttnArgs& a, const Arr& q, const Arr& k, const Arr& v, const Arr& o, const Arr& lse) {
  A.need(is_float(q) && k.dt == q.dt && v.dt == q.dt && o.dt == q.dt && lse.dt == q.dt,
         "all arrays must share one float dtype");
  check_layout(A, a, a.q, a.L, a.E, q, "q");
  check_layout(A, a, a.k, a.S, a.E, k, "k");
  check_layout(A, a, a.v, a.S, a.Ev, v, "v");
  check_layout(A, a, a.o, a.L, a.Ev, o, "out");
  A.need_len(mul_sat(mul_sat(a.B, a.H), a.L) <= lse.len, "lse must hold B * H * L elements");
}

}  // namespace

napi_value AttentionForward(napi_env env, napi_callback_info info) {
  Args A(env, info, "attentionForward");
  Arr q = A.arr(0), k = A.arr(1), v = A.arr(2), o = A.arr(3), lse = A.arr(4);
  AttnArgs a = {};
  if (!A.ok || !read_meta(A, 5, &a)) return nullptr;
  check_common(A, a, q, k, v, o, lse);
  a.Q = q.data; a.K = k.data; a.V = v.data; a.Out = o.data; a.Lse = lse.data;
  return A.run([&] { if (a.B * a.H > 0) attention_forward_kernel(q.dt == kF64, a); });
}

napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "attentionBackward");
  Arr q = A.arr(0), k = A.arr(1), v = A.arr(2), o = A.arr(3), go = A.arr(4), lse = A.arr(5);
  Arr gq = A.arr(6), gk = A.arr(7), gv = A.arr(8);
  AttnArgs a = {};
  if (!A.ok || !read_meta(A, 9, &a)) return nullptr;
  check_common(A, a, q, k, v, o, lse);
  A.need(go.dt == q.dt && gq.dt == q.dt && gk.dt == q.dt && gv.dt == q.dt, "all arrays must share one float dtype");
  check_layout(A, a, a.o, a.L, a.Ev, go, "gOut");
  check_layout(A, a, a.q, a.L, a.E, gq, "gq");
  check_layout(A, a, a.k, a.S, a.E, gk, "gk");
  check_layout(A, a, a.v, a.S, a.Ev, gv, "gv");
  a.Q = q.data; a.K = k.data; a.V = v.data; a.O = o.data; a.gO = go.data; a.LseIn = lse.data;
  a.gQ = gq.data; a.gK = gk.data; a.gV = gv.data;
  return A.run([&] { if (a.B * a.H > 0) attention_backward_kernel(q.dt == kF64, a); });
}

}  // namespace descent
