// Declarations of the non-GEMM kernels (plain pointers and sizes; the addon glue in addon_kernels.cc
// turns JS typed arrays into these). Op codes follow the order of the TypeScript op-name lists.
#pragma once
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"
#include "rowk.h"  // AdamArgs, SgdArgs

namespace descent {

enum DType { kF32 = 0, kF64 = 1, kI32 = 2 };

enum UnaryOp {
  U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_ABS, U_SIGN, U_RECIPROCAL, U_SQUARE, U_TANH, U_SIGMOID,
  U_RELU, U_GELU, U_GELU_TANH, U_SIN, U_COS, U_ERF, U_LOG1P, U_EXPM1,
  U_SILU,  // the "silu" activation (x sigmoid(x)), reached through the backend's activation entry
  U_COUNT
};
enum BinaryOp { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_COUNT };
enum ReduceOp { R_SUM, R_MAX, R_MIN, R_PROD, R_COUNT };

/** Up to this many dims after collapsing; callers collapse first (the TS side does). */
const int kMaxDims = 16;

struct Strided {
  int nd;
  int64_t shape[kMaxDims];
  int64_t strides[3][kMaxDims];  // per operand, in elements; 0 broadcasts
};

// elementwise.cc
void unary_kernel(int op, DType dt, const void* x, void* out, int64_t n);
void unary_backward_kernel(int op, DType dt, const void* x, const void* y, const void* gy, void* out, int64_t n);
/**
 * Backward of act(x W^T + b) down to the pre-activation x (R, C): gx = gy * act'(x) (op U_GELU or
 * U_GELU_TANH), gx = gy * x (op -2: x already holds act'(pre), kept by the GEMM epilogue), or
 * identity (op -1, gx unused); and, when gbias is non-null, gbias = column sums of gx.
 */
void bias_act_backward_kernel(int op, DType dt, const void* x, const void* gy, int64_t rows, int64_t cols, void* gx,
                              void* gbias);
/** Arithmetic needs out dtype == in dtype; comparisons may write any dtype. */
void binary_kernel(int op, DType in, DType out, const void* a, const void* b, void* o, const Strided& s);
void where_kernel(DType cdt, DType dt, const void* c, const void* a, const void* b, void* o, const Strided& s);

// copy.cc
/** s.strides[0] = src, s.strides[1] = dst. */
void strided_copy_kernel(DType dt, const void* src, void* dst, const Strided& s, bool accumulate);
void cast_kernel(DType from, DType to, const void* src, void* dst, int64_t n);
/** dst[0, n) = value (in dst's dtype), split over the threads for large arrays. */
void fill_kernel(DType dt, void* dst, int64_t n, double value);

// reduce.cc
void reduce_kernel(int op, DType in, DType out, const void* x, int64_t outer, int64_t size, int64_t inner, void* o);
void argreduce_kernel(bool isMin, DType in, const void* x, int64_t outer, int64_t size, int64_t inner, int32_t* o);
void softmax_kernel(DType dt, const void* x, int64_t rows, int64_t cols, void* out, bool log);
void softmax_backward_kernel(DType dt, const void* y, const void* gy, int64_t rows, int64_t cols, void* gx, bool log);

// fused.cc
void layernorm_kernel(DType dt, const void* x, const void* w, const void* b, int64_t rows, int64_t cols, double eps,
                      void* out, void* mean, void* rstd);
void layernorm_backward_kernel(DType dt, const void* x, const void* w, const void* mean, const void* rstd,
                               const void* gy, int64_t rows, int64_t cols, void* gx, void* gw, void* gb);
void embedding_kernel(DType dt, const void* table, const int32_t* idx, int64_t n, int64_t cols, void* out);
void embedding_backward_kernel(DType dt, const void* gy, const int32_t* idx, int64_t n, int64_t cols, void* gtable);
void cross_entropy_kernel(DType dt, const void* logits, const int32_t* targets, int64_t rows, int64_t cols,
                          int64_t ignore, double smoothing, void* loss, void* probs);
void cross_entropy_backward_kernel(DType dt, const void* probs, const int32_t* targets, int64_t rows, int64_t cols,
                                   int64_t ignore, double smoothing, const void* rowScale, void* g);

// optim.cc (the per-element math lives in rowk_impl.h, picked per ISA through g_rowk)
void adam_kernel(DType dt, void* param, const void* grad, void* m, void* v, void* vmax, int64_t n, const AdamArgs& a);
/** One tensor of a multi-tensor Adam step (vmax may be null). */
struct AdamTensor { void* param; const void* grad; void* m; void* v; void* vmax; int64_t n; AdamArgs args; };
/** Every tensor's update in one call, split across the pool (same results as adam_kernel per tensor). */
void adam_many_kernel(DType dt, const AdamTensor* tensors, int64_t count);
void sgd_kernel(DType dt, void* param, const void* grad, void* buf, int64_t n, const SgdArgs& a);

// Shared helpers for the generic (baseline-ISA) kernel files.

/** JavaScript's ToInt32: what storing a number into an Int32Array does. */
inline int32_t to_int32(double x) {
  if (x >= -2147483648.0 && x < 2147483648.0) return (int32_t)x;
  if (!(x - x == 0)) return 0;  // NaN or infinity
  double t = __builtin_trunc(x);
  double m = __builtin_fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return (int32_t)(uint32_t)m;
}

template <class T> inline T from_double(double v) { return (T)v; }
template <> inline int32_t from_double<int32_t>(double v) { return to_int32(v); }

/** Run f(begin, end) over [0, n) split statically across threads when n / grain allows. */
template <class F>
void parallel_for(int64_t n, int64_t grain, const F& f) {
  if (n <= 0) return;
  int nt = pool_threads();
  int64_t most = grain > 0 ? n / grain : n;
  if (most < nt) nt = most < 1 ? 1 : (int)most;
  if (nt <= 1) {
    f((int64_t)0, n);
    return;
  }
  struct Ctx { const F* f; int64_t n; } ctx = {&f, n};
  pool_run(nt, [](void* c, int tid, int parts) {
    Ctx* x = static_cast<Ctx*>(c);
    int64_t b, e;
    split_range(x->n, parts, tid, &b, &e);
    if (b < e) (*x->f)(b, e);
  }, &ctx);
}

/**
 * Per-column parameter gradients (a norm's weight and bias): outs[i][c] += the sum over all rows of
 * a per-element term, accumulated in double and rounded once (null outs are skipped).
 * rows_fn(r0, r1) does the rows' other work (the input gradient); sums_fn(r0, r1, c0, c1, parts)
 * writes into parts[i][c - c0] (null where outs[i] is) the sums over rows [r0, r1) in row order.
 * With rows enough, the rows go in blocks fixed by rows and cols alone, each block's rows_fn and
 * sums_fn back to back (its rows read once, from cache) on the pool's threads, and the blocks'
 * sums are added in block order. Else (or without memory for the block sums) rows_fn runs over
 * all rows and then sums_fn over all rows per chunk of columns. Either way the result does not
 * depend on the thread count.
 */
template <class T, int NOUT, class RowsFn, class SumsFn>
void column_grads(int64_t rows, int64_t cols, T* const (&outs)[NOUT], int64_t grain_rows, const RowsFn& rows_fn,
                  const SumsFn& sums_fn) {
  int64_t most = (int64_t)(4 << 20) / (8 * NOUT * (cols < 1 ? 1 : cols));  // block sums: at most 4 MiB
  most = most > 256 ? 256 : (most < 1 ? 1 : most);
  int64_t br = (rows + most - 1) / most;
  if (br < 64) br = 64;
  const int64_t nb = (rows + br - 1) / br;
  double* part = nb >= 4 && cols >= 1 ? (double*)malloc(sizeof(double) * NOUT * cols * nb) : nullptr;
  if (part) {
    parallel_for(nb, (grain_rows + br - 1) / br, [&](int64_t bb, int64_t be) {
      for (int64_t blk = bb; blk < be; blk++) {
        double* parts[NOUT];
        for (int i = 0; i < NOUT; i++) parts[i] = outs[i] ? part + (i * nb + blk) * cols : nullptr;
        int64_t r0 = blk * br, r1 = r0 + br < rows ? r0 + br : rows;
        rows_fn(r0, r1);
        sums_fn(r0, r1, (int64_t)0, cols, parts);
      }
    });
    for (int i = 0; i < NOUT; i++) {
      if (!outs[i]) continue;
      double* p = part + i * nb * cols;
      for (int64_t blk = 1; blk < nb; blk++)
        for (int64_t c = 0; c < cols; c++) p[c] += p[blk * cols + c];
      for (int64_t c = 0; c < cols; c++) outs[i][c] = (T)((double)outs[i][c] + p[c]);
    }
    free(part);
    return;
  }
  parallel_for(rows, grain_rows, [&](int64_t rb, int64_t re) { rows_fn(rb, re); });
  enum { CH = 256 };
  parallel_for(cols, rows * cols >= (1 << 15) ? 64 : cols, [&](int64_t cb, int64_t ce) {
    double acc[NOUT][CH];
    for (int64_t c0 = cb; c0 < ce; c0 += CH) {
      int64_t c1 = c0 + CH < ce ? c0 + CH : ce;
      double* parts[NOUT];
      for (int i = 0; i < NOUT; i++) parts[i] = outs[i] ? acc[i] : nullptr;
      sums_fn((int64_t)0, rows, c0, c1, parts);
      for (int i = 0; i < NOUT; i++)
        if (outs[i]) for (int64_t c = c0; c < c1; c++) outs[i][c] = (T)((double)outs[i][c] + acc[i][c - c0]);
    }
  });
}

}  // namespace descent
