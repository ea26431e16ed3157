// GEMM compiled for the avx512 instruction set (flags set per file in binding.gyp).
#define DESCENT_ISA_AVX512 1
#define DESCENT_GEMM_NS gemm_avx512
#include "gemm_impl.h"
