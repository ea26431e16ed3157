// LLaMA's row kernels and their Node-API glue, kept in one file: RMS norm (+backward) over the
// last axis of (R, C), and rotary embeddings in the rotate_half layout (+backward) over (N, T, D)
// with a (S, D) cos/sin cache. Arithmetic is in double exactly as src/backend/ts/rms_norm.ts and
// src/backend/ts/rotary.ts do it (those are the reference these are tested against).
#include <math.h>

#include "kernels.h"
#include "napi_args.h"

namespace descent {
namespace {

inline int64_t row_grain(int64_t cols) { return cols >= (1 << 14) ? 1 : ((1 << 14) + cols - 1) / (cols < 1 ? 1 : cols); }

template <class T>
void rmsnorm_typed(const T* x, const T* w, int64_t rows, int64_t cols, double eps, T* out, T* rstd) {
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; r++) {
      const T* xr = x + r * cols;
      T* o = out + r * cols;
      double ss = 0;
      for (int64_t c = 0; c < cols; c++) ss += (double)xr[c] * (double)xr[c];
      double rs = 1.0 / sqrt(ss / (double)cols + eps);
      rstd[r] = (T)rs;
      if (w) for (int64_t c = 0; c < cols; c++) o[c] = (T)((double)xr[c] * rs * (double)w[c]);
      else for (int64_t c = 0; c < cols; c++) o[c] = (T)((double)xr[c] * rs);
    }
  });
}

template <class T>
void rmsnorm_bw_typed(const T* x, const T* w, const T* rstd, const T* gy, int64_t rows, int64_t cols, T* gx, T* gw) {
  // gx = rstd * (g - xhat * mean(g * xhat)), xhat = x * rstd, g = gy * w; rows are independent.
  if (gx) {
    parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; r++) {
        const T* xr = x + r * cols; const T* g = gy + r * cols; T* o = gx + r * cols;
        double rs = (double)rstd[r], sumGX = 0;
        for (int64_t c = 0; c < cols; c++) {
          double gg = w ? (double)g[c] * (double)w[c] : (double)g[c];
          sumGX += gg * ((double)xr[c] * rs);
        }
        double mGX = sumGX / (double)cols;
        for (int64_t c = 0; c < cols; c++) {
          double gg = w ? (double)g[c] * (double)w[c] : (double)g[c];
          o[c] = (T)(rs * (gg - ((double)xr[c] * rs) * mGX));
        }
      }
    });
  }
  if (!gw) return;
  // Each column accumulates over rows in row order (as the reference does): split over columns,
  // so the result does not depend on the thread count.
  parallel_for(cols, rows * cols >= (1 << 15) ? 64 : cols, [&](int64_t cb, int64_t ce) {
    for (int64_t r = 0; r < rows; r++) {
      const T* xr = x + r * cols; const T* g = gy + r * cols;
      double rs = (double)rstd[r];
      for (int64_t c = cb; c < ce; c++) gw[c] = (T)((double)gw[c] + (double)g[c] * ((double)xr[c] * rs));
    }
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
    if (x.dt == kF32) rmsnorm_typed<float>((const float*)x.data, (const float*)w.data, rows, cols, eps, (float*)o.data, (float*)rstd.data);
    else rmsnorm_typed<double>((const double*)x.data, (const double*)w.data, rows, cols, eps, (double*)o.data, (double*)rstd.data);
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
      rmsnorm_bw_typed<float>((const float*)x.data, (const float*)w.data, (const float*)rstd.data, (const float*)gy.data,
                              rows, cols, (float*)gx.data, (float*)gw.data);
    else
      rmsnorm_bw_typed<double>((const double*)x.data, (const double*)w.data, (const double*)rstd.data, (const double*)gy.data,
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
