// Branch-free float32 math written as plain scalar C++ over fixed-size lane blocks so the
// compiler vectorises it for whatever ISA flags the including file was built with. Included by
// vecmath_<isa>.cc with DESCENT_VEC_NS defined; everything else is in an anonymous namespace.
#include <string.h>

#include "vecmath.h"
#include "vecmath_core.h"

namespace descent {
namespace {

void v_gelu(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = gelu_core(x[i]);
}
void v_gelu_grad(const float* __restrict x, const float* __restrict gy, float* __restrict o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = gy[i] * gelu_grad_core(x[i]);
}

// The derivative-saving GEMM epilogue (linearGelu): the forward computes GELU' while x is hot, so
// the backward is a multiply. Each value is the core function's, exactly as the separate passes.
void v_gelu_with_grad(float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = gelu_core(v);
    x[i] = gelu_grad_core(v);
  }
}
void v_gelu_tanh_with_grad(float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = gelu_tanh_core(v);
    x[i] = gelu_tanh_grad_core(v);
  }
}

void v_exp(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = exp_core(x[i]);
}
void v_tanh(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = tanh_core(x[i]);
}
void v_sigmoid(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = sigmoid_core(x[i]);
}
void v_gelu_tanh(const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = gelu_tanh_core(x[i]);
}
void v_gelu_tanh_grad(const float* __restrict x, const float* __restrict gy, float* __restrict o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = gy[i] * gelu_tanh_grad_core(x[i]);
}

enum { LANES = 16, BLOCK = 2048 };

double v_exp_shift_sum(const float* __restrict x, float shift, float* __restrict y, int64_t n) {
  double total = 0;
  for (int64_t b = 0; b < n; b += BLOCK) {
    int64_t e = n - b < BLOCK ? n : b + BLOCK;
    float acc[LANES];
    for (int l = 0; l < LANES; l++) acc[l] = 0;
    int64_t i = b;
    for (; i + LANES <= e; i += LANES) {
      for (int l = 0; l < LANES; l++) {
        float v = exp_core(x[i + l] - shift);
        y[i + l] = v;
        acc[l] += v;
      }
    }
    double s = 0;
    for (; i < e; i++) {
      float v = exp_core(x[i] - shift);
      y[i] = v;
      s += v;
    }
    for (int l = 0; l < LANES; l++) s += acc[l];
    total += s;
  }
  return total;
}

float v_row_max(const float* __restrict x, int64_t n) {
  float acc[LANES];
  for (int l = 0; l < LANES; l++) acc[l] = -__builtin_inff();
  int64_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int l = 0; l < LANES; l++) acc[l] = x[i + l] > acc[l] ? x[i + l] : acc[l];
  float m = -__builtin_inff();
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  for (int l = 0; l < LANES; l++) m = acc[l] > m ? acc[l] : m;
  return m;
}

constexpr VecMath kTable = {v_exp, v_tanh, v_sigmoid, v_gelu_tanh, v_gelu, v_gelu_grad, v_gelu_with_grad,
                            v_gelu_tanh_with_grad, v_gelu_tanh_grad, v_exp_shift_sum, v_row_max};

}  // namespace

namespace DESCENT_VEC_NS {
const VecMath* table() { return &kTable; }
}

}  // namespace descent
