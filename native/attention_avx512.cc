// Fused attention compiled for the avx512 instruction set (flags set per file in binding.gyp).
#define DESCENT_ISA_AVX512 1
#define DESCENT_ATTN_NS attention_avx512
#include "attention_impl.h"
