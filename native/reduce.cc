// Reductions over the middle axis of (outer, size, inner), arg-reductions, and the row-wise
// softmax family. Sums accumulate in double (like the TS reference); each output element is
// computed by one thread in a fixed order, so results never depend on the thread count.
#include <math.h>

#include "kernels.h"
#include "rowk.h"
#include "vecmath.h"

namespace descent {
namespace {

// Sum of one contiguous row with four double accumulators (latency-bound otherwise).
template <class TI> double row_sum(const TI* x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += (double)x[i]; s1 += (double)x[i + 1]; s2 += (double)x[i + 2]; s3 += (double)x[i + 3];
  }
  for (; i < n; i++) s0 += (double)x[i];
  return (s0 + s1) + (s2 + s3);
}

// acc[i] += x[s * ld + i] over rows s in order: the vectorised per-ISA kernel for floats.
inline void col_sum_into(const float* x, int64_t rows, int64_t w, int64_t ld, double* acc) { g_rowk->f32.col_accumulate(x, rows, w, ld, acc); }
inline void col_sum_into(const double* x, int64_t rows, int64_t w, int64_t ld, double* acc) { g_rowk->f64.col_accumulate(x, rows, w, ld, acc); }
template <class TI> inline void col_sum_into(const TI* x, int64_t rows, int64_t w, int64_t ld, double* acc) {
  for (int64_t s = 0; s < rows; s++)
    for (int64_t i = 0; i < w; i++) acc[i] += (double)x[s * ld + i];
}

template <class TI> inline double reduce_one(int op, const TI* x, int64_t size, int64_t inner) {
  double acc;
  switch (op) {
    case R_SUM:
      if (inner == 1) return row_sum(x, size);
      acc = 0;
      for (int64_t s = 0; s < size; s++) acc += (double)x[s * inner];
      return acc;
    case R_PROD:
      acc = 1;
      for (int64_t s = 0; s < size; s++) acc *= (double)x[s * inner];
      return acc;
    case R_MAX:
      acc = -INFINITY;
      for (int64_t s = 0; s < size; s++) {
        double v = (double)x[s * inner];
        if (v > acc || v != v) acc = v;
        if (acc != acc) break;  // NaN propagates
      }
      return acc;
    default:
      acc = INFINITY;
      for (int64_t s = 0; s < size; s++) {
        double v = (double)x[s * inner];
        if (v < acc || v != v) acc = v;
        if (acc != acc) break;
      }
      return acc;
  }
}

template <class TI, class TO>
void reduce_typed(int op, const TI* x, int64_t outer, int64_t size, int64_t inner, TO* out) {
  int64_t total = outer * inner;
  if (inner > 1 && op == R_SUM) {
    // Column sums: rows of double accumulators, x streamed row by row (vectorises). Tasks are
    // (outer index, 64-column chunk), so one reduction over rows (a bias gradient) still splits
    // across threads; each column still sums its rows in order on one thread.
    const int64_t CH = 64, PASS = 512;
    int64_t chunks = (inner + CH - 1) / CH, tasks = outer * chunks;
    int64_t work = size * (inner < CH ? inner : CH);
    parallel_for(tasks, work >= (1 << 14) ? 1 : (1 << 14) / (work < 1 ? 1 : work) + 1, [&](int64_t b, int64_t e) {
      double acc[PASS];
      for (int64_t t = b; t < e;) {
        int64_t o = t / chunks, c0 = (t % chunks) * CH;
        int64_t tEnd = (o + 1) * chunks < e ? (o + 1) * chunks : e;  // this task run's chunks within row o
        int64_t cend = (tEnd - o * chunks) * CH < inner ? (tEnd - o * chunks) * CH : inner;
        const TI* base = x + o * size * inner;
        for (; c0 < cend; c0 += PASS) {
          int64_t w = cend - c0 < PASS ? cend - c0 : PASS;
          for (int64_t i = 0; i < w; i++) acc[i] = 0;
          col_sum_into(base + c0, size, w, inner, acc);
          for (int64_t i = 0; i < w; i++) out[o * inner + c0 + i] = from_double<TO>(acc[i]);
        }
        t = tEnd;
      }
    });
    return;
  }
  int64_t grain = size >= (1 << 15) ? 1 : ((1 << 15) + size - 1) / (size < 1 ? 1 : size);
  parallel_for(total, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      int64_t o = t / inner, i = t % inner;
      out[t] = from_double<TO>(reduce_one<TI>(op, x + o * size * inner + i, size, inner));
    }
  });
}

template <class TI> void reduce_out(int op, DType out, const TI* x, int64_t outer, int64_t size, int64_t inner, void* o) {
  if (out == kF32) reduce_typed<TI, float>(op, x, outer, size, inner, (float*)o);
  else if (out == kF64) reduce_typed<TI, double>(op, x, outer, size, inner, (double*)o);
  else reduce_typed<TI, int32_t>(op, x, outer, size, inner, (int32_t*)o);
}

template <class TI>
void argreduce_typed(bool isMin, const TI* x, int64_t outer, int64_t size, int64_t inner, int32_t* out) {
  int64_t grain = size >= (1 << 15) ? 1 : ((1 << 15) + size - 1) / (size < 1 ? 1 : size);
  parallel_for(outer * inner, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      int64_t o = t / inner, i = t % inner;
      const TI* p = x + o * size * inner + i;
      TI best = p[0];
      int32_t bi = 0;
      if (best == best) {  // a NaN counts as the extreme value: the first NaN wins
        for (int64_t s = 1; s < size; s++) {
          TI v = p[s * inner];
          if (v != v) { bi = (int32_t)s; break; }
          if (isMin ? v < best : v > best) { best = v; bi = (int32_t)s; }
        }
      }
      out[t] = bi;
    }
  });
}

inline int64_t row_grain(int64_t cols) { return cols >= (1 << 14) ? 1 : ((1 << 14) + cols - 1) / (cols < 1 ? 1 : cols); }

template <class T> inline double row_max(const T* x, int64_t cols) {
  double mx = -INFINITY;
  for (int64_t c = 0; c < cols; c++) if ((double)x[c] > mx) mx = (double)x[c];  // NaN ignored here, like TS
  return mx;
}

// float32 rows: exponentials in float (expf), sums in double; float64 rows: all double.
template <class T> void softmax_typed(const T* x, int64_t rows, int64_t cols, T* out, bool log_) {
  parallel_for(rows, row_grain(cols), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; r++) {
      const T* xr = x + r * cols;
      T* o = out + r * cols;
      double mx = sizeof(T) == 4 ? (double)g_vec->row_max((const float*)xr, cols) : row_max(xr, cols);
      if (mx == -INFINITY) mx = 0;  // an all -inf row gives NaN below, like PyTorch
      double s = 0;
      if (sizeof(T) == 4) {
        // exp(x - max) into out (overwritten below for logSoftmax), sum in double.
        s = g_vec->exp_shift_sum((const float*)xr, (float)mx, (float*)o, cols);
      } else {
        for (int64_t c = 0; c < cols; c++) { double v = exp((double)xr[c] - mx); if (!log_) o[c] = (T)v; s += v; }
      }
      if (log_) {
        double lse = mx + log(s);
        for (int64_t c = 0; c < cols; c++) o[c] = (T)((double)xr[c] - lse);
      } else {
        T inv = (T)(1.0 / s);
        if (sizeof(T) == 8) for (int64_t c = 0; c < cols; c++) o[c] = (T)((double)o[c] / s);
        else for (int64_t c = 0; c < cols; c++) o[c] *= inv;
      }
    }
  });
}

template <class T> void softmax_bw_typed(const T* y, const T* gy, int64_t rows, int64_t cols, T* gx, bool log_) {
  parallel_for(rows, row_grain(cols), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; r++) {
      const T* yr = y + r * cols; const T* g = gy + r * cols; T* o = gx + r * cols;
      if (!log_) {
        double dot = 0;
        for (int64_t c = 0; c < cols; c++) dot += (double)g[c] * (double)yr[c];
        if (sizeof(T) == 8) for (int64_t c = 0; c < cols; c++) o[c] = (T)((double)yr[c] * ((double)g[c] - dot));
        else { T d = (T)dot; for (int64_t c = 0; c < cols; c++) o[c] = yr[c] * (g[c] - d); }
      } else {
        double s = row_sum(g, cols);
        if (sizeof(T) == 8) for (int64_t c = 0; c < cols; c++) o[c] = (T)((double)g[c] - exp((double)yr[c]) * s);
        else {
          float sf = (float)s;
          g_vec->exp((const float*)yr, (float*)o, cols);
          for (int64_t c = 0; c < cols; c++) o[c] = g[c] - o[c] * sf;
        }
      }
    }
  });
}

}  // namespace

void reduce_kernel(int op, DType in, DType out, const void* x, int64_t outer, int64_t size, int64_t inner, void* o) {
  if (in == kF32) reduce_out<float>(op, out, (const float*)x, outer, size, inner, o);
  else if (in == kF64) reduce_out<double>(op, out, (const double*)x, outer, size, inner, o);
  else reduce_out<int32_t>(op, out, (const int32_t*)x, outer, size, inner, o);
}

void argreduce_kernel(bool isMin, DType in, const void* x, int64_t outer, int64_t size, int64_t inner, int32_t* o) {
  if (in == kF32) argreduce_typed<float>(isMin, (const float*)x, outer, size, inner, o);
  else if (in == kF64) argreduce_typed<double>(isMin, (const double*)x, outer, size, inner, o);
  else argreduce_typed<int32_t>(isMin, (const int32_t*)x, outer, size, inner, o);
}

void softmax_kernel(DType dt, const void* x, int64_t rows, int64_t cols, void* out, bool log_) {
  if (dt == kF32) softmax_typed<float>((const float*)x, rows, cols, (float*)out, log_);
  else softmax_typed<double>((const double*)x, rows, cols, (double*)out, log_);
}

void softmax_backward_kernel(DType dt, const void* y, const void* gy, int64_t rows, int64_t cols, void* gx, bool log_) {
  if (dt == kF32) softmax_bw_typed<float>((const float*)y, (const float*)gy, rows, cols, (float*)gx, log_);
  else softmax_bw_typed<double>((const double*)y, (const double*)gy, rows, cols, (double*)gx, log_);
}

}  // namespace descent
