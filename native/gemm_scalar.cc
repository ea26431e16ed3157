// GEMM compiled for the scalar instruction set (flags set per file in binding.gyp).
#define DESCENT_ISA_SCALAR 1
#define DESCENT_GEMM_NS gemm_scalar
#include "gemm_impl.h"
