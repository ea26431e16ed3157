// Layer norm and optimizer kernels compiled for the avx512 instruction set (flags set per file in binding.gyp).
#define DESCENT_ROWK_NS rowk_avx512
#include "rowk_impl.h"
