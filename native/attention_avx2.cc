// Fused attention compiled for the avx2 instruction set (flags set per file in binding.gyp).
#define DESCENT_ISA_AVX2 1
#define DESCENT_ATTN_NS attention_avx2
#include "attention_impl.h"
