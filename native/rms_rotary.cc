// LLaMA's row kernels and their Node-API glue, kept in one file: RMS norm (+backward) over the
// last axis of (R, C), and rotary embeddings in the rotate_half layout (+backward) over (N, T, D)
// with a (S, D) cos/sin cache. Arithmetic is in double as src/backend/ts/rms_norm.ts and
// src/backend/ts/rotary.ts do it (the reference these are tested against); the RMS norm's row sums
// use several accumulators and its weight gradient sums blocks of rows, so those can differ from
// the reference in the last bits (never with the thread count).
#include <math.h>

#include "kernels.h"
#include "napi_args.h"

namespace descent {
namespace {

inline int64_t row_grain(int64_t cols) { return cols >= (1 << 14) ? 1 : ((1 << 14) + cols - 1) / (cols < 1 ? 1 : cols); }

// RMS norm: the row math is in rowk_impl.h (compiled per ISA, vectorised); here only the split.
template <class T>
void rmsnorm_typed(const RowKernelsT<T>& k, const T* x, const T* w, int64_t rows, int64_t cols, double eps, T* out,
                   T* rstd) {
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) { k.rmsnorm(x, w, rb, re, cols, eps, out, rstd); });
}

template <class T>
void rmsnorm_bw_typed(const RowKernelsT<T>& k, const T* x, const T* w, const T* rstd, const T* gy, int64_t rows,
                      int64_t cols, T* gx, T* gw) {
  auto rows_fn = [&](int64_t rb, int64_t re) { if (gx) k.rmsnorm_bw_rows(x, w, rstd, gy, rb, re, cols, gx); };
  if (!gw) {  // rows are independent for the input gradient
    if (gx) parallel_for(rows, row_grain(cols), rows_fn);
    return;
  }
  T* const outs[1] = {gw};
  column_grads<T, 1>(rows, cols, outs, row_grain(cols), rows_fn,
                     [&](int64_t rb, int64_t re, int64_t cb, int64_t ce, double* const* p) {
                       k.rmsnorm_bw_partials(x, rstd, gy, rb, re, cols, cb, ce, p[0]);
                     });
}

/** backward = false: y = x*cos + rotate_half(x)*sin; true: its transpose applied to x (= gy). */
template <class T>
void rotary_typed(const T* x, const T* cs, const T* sn, int64_t n, int64_t t, int64_t d, int64_t offset, T* out,
                  bool backward) {
  int64_t h = d / 2;
  parallel_for(n * t, row_grain(d), [&](int64_t rb, int64_t re) {
    for (int64_t row = rb; row < re; row++) {
      const T* xr = x + row * d;
      T* o = out + row * d;
      const T* c = cs + (offset + row % t) * d;
      const T* s = sn + (offset + row % t) * d;
      for (int64_t i = 0; i < h; i++) {
        double x1 = (double)xr[i], x2 = (double)xr[i + h];
        if (!backward) {
          o[i] = (T)(x1 * (double)c[i] - x2 * (double)s[i]);
          o[i + h] = (T)(x2 * (double)c[i + h] + x1 * (double)s[i + h]);
        } else {
          o[i] = (T)(x1 * (double)c[i] + x2 * (double)s[i + h]);
          o[i + h] = (T)(x2 * (double)c[i + h] - x1 * (double)s[i]);
        }
      }
    }
  });
}

}  // namespace

napi_value RmsNorm(napi_env env, napi_callback_info info) {
  Args A(env, info, "rmsNorm");
  Arr x = A.arr(0), w = A.arr(1, true);
  int64_t rows = A.i64(2), cols = A.i64(3);
  double eps = A.num(4);
  Arr o = A.arr(5), rstd = A.arr(6);
  A.need(is_float(x) && o.dt == x.dt && rstd.dt == x.dt && (!w.present || w.dt == x.dt), "all arrays must share x's float dtype");
  int64_t n = mul_sat(rows, cols);
  A.need_len(!w.present || w.len >= cols, "weight must hold cols elements");
  A.need_len(n <= x.len && n <= o.len && rows <= rstd.len, "x and out must hold rows * cols elements, rstd rows");
  return A.run([&] {
    if (x.dt == kF32) rmsnorm_typed<float>(g_rowk->f32, (const float*)x.data, (const float*)w.data, rows, cols, eps, (float*)o.data, (float*)rstd.data);
    else rmsnorm_typed<double>(g_rowk->f64, (const double*)x.data, (const double*)w.data, rows, cols, eps, (double*)o.data, (double*)rstd.data);
  });
}

napi_value RmsNormBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "rmsNormBackward");
  Arr x = A.arr(0), w = A.arr(1, true), rstd = A.arr(2), gy = A.arr(3);
  int64_t rows = A.i64(4), cols = A.i64(5);
  Arr gx = A.arr(6, true), gw = A.arr(7, true);
  A.need(is_float(x) && rstd.dt == x.dt && gy.dt == x.dt && (!gx.present || gx.dt == x.dt) &&
         (!w.present || w.dt == x.dt) && (!gw.present || gw.dt == x.dt), "all arrays must share x's float dtype");
  int64_t n = mul_sat(rows, cols);
  A.need_len((!w.present || w.len >= cols) && (!gw.present || gw.len >= cols), "weight and gWeight must hold cols elements");
  A.need_len(n <= x.len && n <= gy.len && (!gx.present || n <= gx.len) && rows <= rstd.len,
             "x, gy and gx must hold rows * cols elements, rstd rows");
  return A.run([&] {
    if (x.dt == kF32)
      rmsnorm_bw_typed<float>(g_rowk->f32, (const float*)x.data, (const float*)w.data, (const float*)rstd.data, (const float*)gy.data,
                              rows, cols, (float*)gx.data, (float*)gw.data);
    else
      rmsnorm_bw_typed<double>(g_rowk->f64, (const double*)x.data, (const double*)w.data, (const double*)rstd.data, (const double*)gy.data,
                               rows, cols, (double*)gx.data, (double*)gw.data);
  });
}

static napi_value rotary_glue(napi_env env, napi_callback_info info, const char* name, bool backward) {
  Args A(env, info, name);
  Arr x = A.arr(0), cs = A.arr(1), sn = A.arr(2);
  int64_t n = A.i64(3), t = A.i64(4), d = A.i64(5), offset = A.i64(6);
  Arr o = A.arr(7);
  A.need(is_float(x) && cs.dt == x.dt && sn.dt == x.dt && o.dt == x.dt, "all arrays must share x's float dtype");
  A.need(d % 2 == 0, "the head dim d must be even");
  int64_t total = mul_sat(mul_sat(n, t), d), cache = mul_sat(add_sat(offset, t), d);
  A.need_len(total <= x.len && total <= o.len, "x and out must hold n * t * d elements");
  A.need_len(t == 0 || d == 0 || n == 0 || (cache <= cs.len && cache <= sn.len), "cos and sin must hold (offset + t) * d elements");
  return A.run([&] {
    if (x.dt == kF32)
      rotary_typed<float>((const float*)x.data, (const float*)cs.data, (const float*)sn.data, n, t, d, offset, (float*)o.data, backward);
    else
      rotary_typed<double>((const double*)x.data, (const double*)cs.data, (const double*)sn.data, n, t, d, offset, (double*)o.data, backward);
  });
}

napi_value RotaryEmb(napi_env env, napi_callback_info info) { return rotary_glue(env, info, "rotaryEmb", false); }
napi_value RotaryEmbBackward(napi_env env, napi_callback_info info) { return rotary_glue(env, info, "rotaryEmbBackward", true); }

}  // namespace descent
