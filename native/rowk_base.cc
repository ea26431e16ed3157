// Layer norm and optimizer kernels compiled for the base instruction set (flags set per file in binding.gyp).
#define DESCENT_ROWK_NS rowk_base
#include "rowk_impl.h"
