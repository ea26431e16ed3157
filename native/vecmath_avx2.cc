// Vectorised float32 math compiled for the avx2 instruction set (flags set per file in binding.gyp).
#define DESCENT_VEC_NS vecmath_avx2
#include "vecmath_impl.h"
