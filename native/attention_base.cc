// Fused attention compiled for the base instruction set: portable scalar code (any architecture).
#define DESCENT_ISA_SCALAR 1
#define DESCENT_ATTN_NS attention_base
#include "attention_impl.h"
