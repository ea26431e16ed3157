// GEMM compiled for the avx2 instruction set (flags set per file in binding.gyp).
#define DESCENT_ISA_AVX2 1
#define DESCENT_GEMM_NS gemm_avx2
#include "gemm_impl.h"
