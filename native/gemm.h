// Batched GEMM entry points, one set per instruction set (compiled from gemm_impl.h with
// different target flags); the addon picks one at run time with __builtin_cpu_supports.
#pragma once
#include <stdint.h>

namespace descent {

/**
 * Elementwise activation over n contiguous elements of the GEMM's dtype (y may alias nothing): y =
 * act(x); the derivative-saving forms also overwrite x with act'(x).
 */
typedef void (*GemmActFn)(void* x, void* y, int64_t n);

/** Added to an activation code: the epilogue leaves act'(pre-activation) in C instead of the pre-activation. */
enum { kActSaveDerivative = 256 };

/**
 * C = alpha op(A) op(B) + beta C (+ bias) for `batch` matrices; pointers already include the
 * offsets. Epilogue, applied while each tile is in registers/L1: bias (n values, the same for
 * every matrix) is added to every row; then, with act, D (C's layout) = act(C), so C keeps the
 * pre-activation the backward needs (or act'(pre-activation), with the derivative-saving forms). sgemm/dgemm return false, with C untouched, when the
 * packing buffers cannot be allocated.
 */
struct GemmCall {
  const void* a;
  const void* b;
  void* c;
  int64_t batch, m, n, k;
  bool transA, transB;
  double alpha, beta;
  int64_t strideA, strideB, strideC;  // 0 broadcasts one matrix over the batch
  int nthreads;
  const void* bias;  // null: none
  void* d;           // with act: act(C) goes here (same offset and strides as C)
  GemmActFn act;     // null: none
};

/**
 * The activation for a GEMM epilogue (op: a U_* code of kernels.h, plus kActSaveDerivative),
 * computing exactly what the unary kernel (and its backward, for the derivative) computes for each
 * element; null when op has no epilogue form. elementwise.cc.
 */
GemmActFn gemm_activation(bool f64, int op);

/**
 * fma_loop: the micro-kernel's instruction alone, float32 FMAs on 12 independent register chains
 * (enough to cover FMA latency x pipes on current x86 cores) for `iters` iterations, no memory
 * traffic. Returns the FLOPs it did: timed, it gives the core's float32 FMA peak (for MFU figures).
 */
#define DESCENT_DECLARE_GEMM(ns)              \
  namespace ns {                              \
  bool sgemm(const GemmCall& call);           \
  bool dgemm(const GemmCall& call);           \
  double fma_loop(int64_t iters);             \
  }

DESCENT_DECLARE_GEMM(gemm_avx512)
DESCENT_DECLARE_GEMM(gemm_avx2)
DESCENT_DECLARE_GEMM(gemm_scalar)

}  // namespace descent
