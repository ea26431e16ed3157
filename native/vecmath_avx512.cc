// Vectorised float32 math compiled for the avx512 instruction set (flags set per file in binding.gyp).
#define DESCENT_VEC_NS vecmath_avx512
#include "vecmath_impl.h"
