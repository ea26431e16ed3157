// Fused row kernels: layer norm (+backward), embedding gather/scatter-add, cross-entropy
// (+backward). Statistics are computed in double like src/backend/ts/fused.ts (the forward sums
// with four accumulators, so it can differ from the reference in the last bits).
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "vecmath.h"

namespace descent {
namespace {

// Row reductions with four independent double accumulators, combined as (s0 + s1) + (s2 + s3):
// one chain of dependent adds made the layer-norm forward latency-bound (measured ~2x). The
// order depends only on the column count, never on the thread count.
template <class T> inline double row_sum(const T* x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t c = 0;
  for (; c + 4 <= n; c += 4) {
    s0 += (double)x[c]; s1 += (double)x[c + 1]; s2 += (double)x[c + 2]; s3 += (double)x[c + 3];
  }
  for (; c < n; c++) s0 += (double)x[c];
  return (s0 + s1) + (s2 + s3);
}

template <class T> inline double row_sq_dev(const T* x, int64_t n, double mu) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t c = 0;
  for (; c + 4 <= n; c += 4) {
    double d0 = (double)x[c] - mu, d1 = (double)x[c + 1] - mu, d2 = (double)x[c + 2] - mu, d3 = (double)x[c + 3] - mu;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; c < n; c++) { double d = (double)x[c] - mu; s0 += d * d; }
  return (s0 + s1) + (s2 + s3);
}

inline int64_t row_grain(int64_t cols) { return cols >= (1 << 14) ? 1 : ((1 << 14) + cols - 1) / (cols < 1 ? 1 : cols); }

template <class T>
void layernorm_typed(const T* x, const T* w, const T* b, int64_t rows, int64_t cols, double eps, T* out, T* mean, T* rstd) {
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; r++) {
      const T* xr = x + r * cols;
      T* o = out + r * cols;
      double mu = row_sum(xr, cols) / (double)cols;
      double v = row_sq_dev(xr, cols, mu);
      double rs = 1.0 / sqrt(v / (double)cols + eps);  // biased variance, like PyTorch
      mean[r] = (T)mu;
      rstd[r] = (T)rs;
      for (int64_t c = 0; c < cols; c++) {
        double y = ((double)xr[c] - mu) * rs;
        if (w) y *= (double)w[c];
        if (b) y += (double)b[c];
        o[c] = (T)y;
      }
    }
  });
}

template <class T>
void layernorm_bw_typed(const T* x, const T* w, const T* mean, const T* rstd, const T* gy, int64_t rows, int64_t cols,
                        T* gx, T* gw, T* gb) {
  // gx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = gy * w; rows are independent.
  parallel_for(rows, row_grain(cols), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; r++) {
      const T* xr = x + r * cols; const T* g = gy + r * cols; T* o = gx + r * cols;
      double mu = (double)mean[r], rs = (double)rstd[r];
      double sumG = 0, sumGX = 0;
      for (int64_t c = 0; c < cols; c++) {
        double xhat = ((double)xr[c] - mu) * rs;
        double gg = w ? (double)g[c] * (double)w[c] : (double)g[c];
        sumG += gg;
        sumGX += gg * xhat;
      }
      double mG = sumG / (double)cols, mGX = sumGX / (double)cols;
      for (int64_t c = 0; c < cols; c++) {
        double xhat = ((double)xr[c] - mu) * rs;
        double gg = w ? (double)g[c] * (double)w[c] : (double)g[c];
        o[c] = (T)(rs * (gg - mG - xhat * mGX));
      }
    }
  });
  if (!gw && !gb) return;
  // Weight/bias gradients: each column accumulates over rows in row order (as the reference
  // does), so the split is over columns and the result is independent of the thread count.
  parallel_for(cols, rows * cols >= (1 << 15) ? 64 : cols, [&](int64_t cb, int64_t ce) {
    for (int64_t r = 0; r < rows; r++) {
      const T* xr = x + r * cols; const T* g = gy + r * cols;
      double mu = (double)mean[r], rs = (double)rstd[r];
      for (int64_t c = cb; c < ce; c++) {
        if (gw) gw[c] = (T)((double)gw[c] + (double)g[c] * (((double)xr[c] - mu) * rs));
        if (gb) gb[c] = (T)((double)gb[c] + (double)g[c]);
      }
    }
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
    layernorm_typed<float>((const float*)x, (const float*)w, (const float*)b, rows, cols, eps, (float*)out,
                           (float*)mean, (float*)rstd);
  else
    layernorm_typed<double>((const double*)x, (const double*)w, (const double*)b, rows, cols, eps, (double*)out,
                            (double*)mean, (double*)rstd);
}

void layernorm_backward_kernel(DType dt, const void* x, const void* w, const void* mean, const void* rstd,
                               const void* gy, int64_t rows, int64_t cols, void* gx, void* gw, void* gb) {
  if (dt == kF32)
    layernorm_bw_typed<float>((const float*)x, (const float*)w, (const float*)mean, (const float*)rstd,
                              (const float*)gy, rows, cols, (float*)gx, (float*)gw, (float*)gb);
  else
    layernorm_bw_typed<double>((const double*)x, (const double*)w, (const double*)mean, (const double*)rstd,
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
