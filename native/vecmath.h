// Vectorised float32 math (exp, tanh, sigmoid, tanh-GELU, softmax row helpers), compiled once per
// ISA from vecmath_impl.h and picked at load time like GEMM. Accuracy ~1-2 ulp (Cephes-style
// polynomials); NaN and infinities behave like the libm functions.
#pragma once
#include <stdint.h>

namespace descent {

struct VecMath {
  void (*exp)(const float* x, float* y, int64_t n);
  void (*tanh)(const float* x, float* y, int64_t n);
  void (*sigmoid)(const float* x, float* y, int64_t n);
  void (*gelu_tanh)(const float* x, float* y, int64_t n);
  /** Exact (erf) GELU and out = gy * GELU'(x), via a relatively accurate erfc. */
  void (*gelu)(const float* x, float* y, int64_t n);
  void (*gelu_grad)(const float* x, const float* gy, float* out, int64_t n);
  /** y = GELU(x) and x = GELU'(x) in one pass (the same bits as gelu and gelu_grad with gy = 1). */
  void (*gelu_with_grad)(float* x, float* y, int64_t n);
  void (*gelu_tanh_with_grad)(float* x, float* y, int64_t n);
  /** out = gy * d/dx geluTanh(x) */
  void (*gelu_tanh_grad)(const float* x, const float* gy, float* out, int64_t n);
  /** y = exp(x - shift); returns the sum of y (accumulated in double across blocks). */
  double (*exp_shift_sum)(const float* x, float shift, float* y, int64_t n);
  /** max over x ignoring NaN (like `if (v > m) m = v`); -inf for n = 0. */
  float (*row_max)(const float* x, int64_t n);
};

/** The table in use (set by the addon at load time; the baseline one until then). */
extern const VecMath* g_vec;

namespace vecmath_avx512 { const VecMath* table(); }
namespace vecmath_avx2 { const VecMath* table(); }
namespace vecmath_base { const VecMath* table(); }

}  // namespace descent
