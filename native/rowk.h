// Row kernels (layer norm forward/backward, column sums) and optimizer updates, compiled once per ISA from
// rowk_impl.h with -ffp-contract=off and picked at load time like GEMM and VecMath. They compute
// in double like the TypeScript reference; the optimizer updates and every elementwise part are
// bit-identical across ISAs and to the reference (no FMA contraction, same operation order).
#pragma once
#include <stdint.h>

namespace descent {

struct AdamArgs { double lr, beta1, beta2, eps, weightDecay, bc1, bc2Sqrt, gradScale; bool decoupled; };
struct SgdArgs { double lr, momentum, dampening, weightDecay; bool nesterov, firstStep; };

template <class T> struct RowKernelsT {
  /** Layer norm of rows [rb, re) (w, b may be null). */
  void (*layernorm)(const T* x, const T* w, const T* b, int64_t rb, int64_t re, int64_t cols, double eps, T* out,
                    T* mean, T* rstd);
  /** Input gradient of rows [rb, re) (w may be null). */
  void (*layernorm_bw_rows)(const T* x, const T* w, const T* mean, const T* rstd, const T* gy, int64_t rb, int64_t re,
                            int64_t cols, T* gx);
  /**
   * Weight/bias gradient sums (either pw or pb may be null) over rows [rb, re) of columns [cb, ce):
   * pw[c - cb] = sum in row order of gy * xhat, pb[c - cb] = sum of gy, in double, overwritten.
   */
  void (*layernorm_bw_partials)(const T* x, const T* mean, const T* rstd, const T* gy, int64_t rb, int64_t re,
                                int64_t cols, int64_t cb, int64_t ce, double* pw, double* pb);
  /** RMS norm of rows [rb, re) (w may be null): out = x * rstd * w, rstd = 1 / sqrt(mean(x^2) + eps). */
  void (*rmsnorm)(const T* x, const T* w, int64_t rb, int64_t re, int64_t cols, double eps, T* out, T* rstd);
  /** RMS norm input gradient of rows [rb, re) (w may be null). */
  void (*rmsnorm_bw_rows)(const T* x, const T* w, const T* rstd, const T* gy, int64_t rb, int64_t re, int64_t cols,
                          T* gx);
  /** RMS norm weight gradient sums over rows [rb, re) of columns [cb, ce): pw[c - cb] = sum of gy * x * rstd in row order. */
  void (*rmsnorm_bw_partials)(const T* x, const T* rstd, const T* gy, int64_t rb, int64_t re, int64_t cols, int64_t cb,
                              int64_t ce, double* pw);
  /** One Adam/AdamW step of elements [b, e) (vmax may be null: no amsgrad). */
  void (*adam)(T* param, const T* grad, T* m, T* v, T* vmax, int64_t b, int64_t e, const AdamArgs& a);
  /** One SGD step of elements [b, e) (buf may be null: no momentum). */
  void (*sgd)(T* param, const T* grad, T* buf, int64_t b, int64_t e, const SgdArgs& a);
  /** acc[j] += x[r * ld + j] in double for r = 0 .. rows-1 in order, j < w (column sums: bias gradients). */
  void (*col_accumulate)(const T* x, int64_t rows, int64_t w, int64_t ld, double* acc);
};

struct RowKernels {
  RowKernelsT<float> f32;
  RowKernelsT<double> f64;
};

/** The table in use (set by the addon at load time; the baseline one until then). */
extern const RowKernels* g_rowk;

namespace rowk_avx512 { const RowKernels* table(); }
namespace rowk_avx2 { const RowKernels* table(); }
namespace rowk_base { const RowKernels* table(); }

}  // namespace descent
