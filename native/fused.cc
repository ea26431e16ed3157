// Fused row kernels: layer norm (+backward), embedding gather/scatter-add, cross-entropy
// (+backward). Layer-norm statistics are computed in double like src/backend/ts/fused.ts (the
// row sums use several accumulators, so they can differ from the reference in the last bits).
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "rowk.h"
#include "vecmath.h"

namespace descent {
namespace {

inline int64_t row_grain(int64_t cols) { return cols >= (1 << 14) ? 1 : ((1 << 14) + cols - 1) / (cols < 1 ? 1 : cols); }

// Layer norm: the row math is in rowk_impl.h (compiled per ISA); here only the split over threads.
template <class T>
void layernorm_typed(const RowKernelsT<T>& k, const T* x, const T* w, const T* b, int64_t rows, int64_t cols,
                     double eps, T* out, T* mean, T* rstd) {
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) { k.layernorm(x, w, b, rb, re, cols, eps, out, mean, rstd); });
}

template <class T>
void layernorm_bw_typed(const RowKernelsT<T>& k, const T* x, const T* w, const T* mean, const T* rstd, const T* gy,
                        int64_t rows, int64_t cols, T* gx, T* gw, T* gb) {
  auto rows_fn = [&](int64_t rb, int64_t re) { k.layernorm_bw_rows(x, w, mean, rstd, gy, rb, re, cols, gx); };
  if (!gw && !gb) {  // rows are independent for the input gradient
    parallel_for(rows, row_grain(cols), rows_fn);
    return;
  }
  T* const outs[2] = {gw, gb};
  column_grads<T, 2>(rows, cols, outs, row_grain(cols), rows_fn,
                     [&](int64_t rb, int64_t re, int64_t cb, int64_t ce, double* const* p) {
                       k.layernorm_bw_partials(x, mean, rstd, gy, rb, re, cols, cb, ce, p[0], p[1]);
                     });
}

template <class T>
void cross_entropy_typed(const T* logits, const int32_t* targets, int64_t rows, int64_t cols, int64_t ignore,
                         double ls, T* loss, T* probs) {
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; r++) {
      const T* l = logits + r * cols;
      T* p = probs + r * cols;
      double mx = -INFINITY;
      if (sizeof(T) == 4) mx = (double)g_vec->row_max((const float*)l, cols);
      else for (int64_t c = 0; c < cols; c++) if ((double)l[c] > mx) mx = (double)l[c];
      double s = 0;
      if (sizeof(T) == 4) {
        s = g_vec->exp_shift_sum((const float*)l, (float)mx, (float*)p, cols);
        float inv = (float)(1.0 / s);
        for (int64_t c = 0; c < cols; c++) p[c] = (T)((float)p[c] * inv);
      } else {
        for (int64_t c = 0; c < cols; c++) s += exp((double)l[c] - mx);
      }
      double lse = mx + log(s);
      if (sizeof(T) == 8) for (int64_t c = 0; c < cols; c++) p[c] = (T)exp((double)l[c] - lse);
      int32_t t = targets[r];
      if (t == ignore) { loss[r] = 0; continue; }
      if (t < 0 || t >= cols) { loss[r] = (T)NAN; continue; }  // the caller validates; never read out of bounds
      double v = (1 - ls) * (lse - (double)l[t]);
      if (ls > 0) {
        double sumLogp = 0;  // smoothing term: -(eps/C) * sum_c log p_c
        for (int64_t c = 0; c < cols; c++) sumLogp += (double)l[c] - lse;
        v -= (ls / (double)cols) * sumLogp;
      }
      loss[r] = (T)v;
    }
  });
}

template <class T>
void cross_entropy_bw_typed(const T* probs, const int32_t* targets, int64_t rows, int64_t cols, int64_t ignore,
                            double ls, const T* rowScale, T* g) {
  double off = ls / (double)cols;
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; r++) {
      const T* p = probs + r * cols; T* o = g + r * cols;
      int32_t t = targets[r];
      double sc = t == ignore ? 0 : (double)rowScale[r];
      for (int64_t c = 0; c < cols; c++) o[c] = (T)(sc * ((double)p[c] - off));
      if (t >= 0 && t < cols) o[t] = (T)(sc * ((double)p[t] - ((1 - ls) + off)));
    }
  });
}

}  // namespace

void layernorm_kernel(DType dt, const void* x, const void* w, const void* b, int64_t rows, int64_t cols, double eps,
                      void* out, void* mean, void* rstd) {
  if (dt == kF32)
    layernorm_typed<float>(g_rowk->f32, (const float*)x, (const float*)w, (const float*)b, rows, cols, eps, (float*)out,
                           (float*)mean, (float*)rstd);
  else
    layernorm_typed<double>(g_rowk->f64, (const double*)x, (const double*)w, (const double*)b, rows, cols, eps, (double*)out,
                            (double*)mean, (double*)rstd);
}

void layernorm_backward_kernel(DType dt, const void* x, const void* w, const void* mean, const void* rstd,
                               const void* gy, int64_t rows, int64_t cols, void* gx, void* gw, void* gb) {
  if (dt == kF32)
    layernorm_bw_typed<float>(g_rowk->f32, (const float*)x, (const float*)w, (const float*)mean, (const float*)rstd,
                              (const float*)gy, rows, cols, (float*)gx, (float*)gw, (float*)gb);
  else
    layernorm_bw_typed<double>(g_rowk->f64, (const double*)x, (const double*)w, (const double*)mean, (const double*)rstd,
                               (const double*)gy, rows, cols, (double*)gx, (double*)gw, (double*)gb);
}

void embedding_kernel(DType dt, const void* table, const int32_t* idx, int64_t n, int64_t cols, void* out) {
  size_t es = dt == kF64 ? 8 : 4;
  const char* t = (const char*)table;
  char* o = (char*)out;
  parallel_for(n, row_grain(cols), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) memcpy(o + i * cols * es, t + (int64_t)idx[i] * cols * es, cols * es);
  });
}

template <class T> void embedding_bw_typed(const T* gy, const int32_t* idx, int64_t n, int64_t cols, T* gt) {
  // Split over columns: repeated indices then sum in index order on one thread (deterministic).
  parallel_for(cols, n * cols >= (1 << 15) ? 64 : cols, [&](int64_t cb, int64_t ce) {
    for (int64_t i = 0; i < n; i++) {
      T* d = gt + (int64_t)idx[i] * cols;
      const T* s = gy + i * cols;
      for (int64_t c = cb; c < ce; c++) d[c] += s[c];
    }
  });
}

void embedding_backward_kernel(DType dt, const void* gy, const int32_t* idx, int64_t n, int64_t cols, void* gtable) {
  if (dt == kF32) embedding_bw_typed<float>((const float*)gy, idx, n, cols, (float*)gtable);
  else embedding_bw_typed<double>((const double*)gy, idx, n, cols, (double*)gtable);
}

void cross_entropy_kernel(DType dt, const void* logits, const int32_t* targets, int64_t rows, int64_t cols,
                          int64_t ignore, double smoothing, void* loss, void* probs) {
  if (dt == kF32)
    cross_entropy_typed<float>((const float*)logits, targets, rows, cols, ignore, smoothing, (float*)loss, (float*)probs);
  else
    cross_entropy_typed<double>((const double*)logits, targets, rows, cols, ignore, smoothing, (double*)loss,
                                (double*)probs);
}

void cross_entropy_backward_kernel(DType dt, const void* probs, const int32_t* targets, int64_t rows, int64_t cols,
                                   int64_t ignore, double smoothing, const void* rowScale, void* g) {
  if (dt == kF32)
    cross_entropy_bw_typed<float>((const float*)probs, targets, rows, cols, ignore, smoothing, (const float*)rowScale,
                                  (float*)g);
  else
    cross_entropy_bw_typed<double>((const double*)probs, targets, rows, cols, ignore, smoothing,
                                   (const double*)rowScale, (double*)g);
}

}  // namespace descent
