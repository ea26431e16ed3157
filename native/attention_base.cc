// Fused attention compiled for the base instruction set (flags set per file in binding.gyp).
#define DESCENT_ATTN_NS attention_base
#include "attention_impl.h"
