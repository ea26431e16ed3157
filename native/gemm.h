// Batched GEMM entry points, one set per instruction set (compiled from gemm_impl.h with
// different target flags); the addon picks one at run time with __builtin_cpu_supports.
#pragma once
#include <stdint.h>

namespace descent {

/**
 * C = alpha op(A) op(B) + beta C for `batch` matrices; pointers already include the offsets.
 * sgemm/dgemm return false, with C untouched, when the packing buffers cannot be allocated.
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
};

#define DESCENT_DECLARE_GEMM(ns)              \
  namespace ns {                              \
  bool sgemm(const GemmCall& call);           \
  bool dgemm(const GemmCall& call);           \
  }

DESCENT_DECLARE_GEMM(gemm_avx512)
DESCENT_DECLARE_GEMM(gemm_avx2)
DESCENT_DECLARE_GEMM(gemm_scalar)

}  // namespace descent
