// Vectorised float32 math compiled for the base instruction set (flags set per file in binding.gyp).
#define DESCENT_VEC_NS vecmath_base
#include "vecmath_impl.h"
