// The scalar cores of the vectorised float32 math (exp, tanh, sigmoid, GELU), branch-free so that
// loops calling them vectorise for the ISA flags of the including file. Included only by the
// per-ISA files (vecmath_impl.h, attention_impl.h); everything is in an anonymous namespace.
#pragma once
#include <stdint.h>
#include <string.h>

namespace descent {
namespace {

inline int32_t f2i(float f) { int32_t i; memcpy(&i, &f, 4); return i; }
inline float i2f(int32_t i) { float f; memcpy(&f, &i, 4); return f; }

// e^x: x = n ln2 + g, |g| <= ln2/2, e^g by the Cephes expf polynomial, 2^n applied as two
// exact power-of-two factors so overflow gives inf and underflow gives denormals/0 naturally.
// exp_split_core(hi, lo) = e^(hi + lo) for an exactly known hi and a small correction lo: n ln2
// comes off hi first (exact by Sterbenz, as hi and n ln2 are within a factor 2) and lo joins the
// reduced argument, so a large |hi| (x^2/2 in GELU) loses no relative accuracy to rounding.
inline float exp_split_core(float hi, float lo) {
  float xc = hi > 89.0f ? 89.0f : hi;
  xc = xc < -104.0f ? -104.0f : xc;
  float r = xc * 1.44269504088896341f + 12582912.0f;  // round to nearest integer via 1.5*2^23
  float fn = r - 12582912.0f;
  int32_t n = f2i(r) - 0x4B400000;
  float g = xc - fn * 0.693359375f;
  g = g - fn * -2.12194440e-4f;
  g = g + lo;
  float z = g * g;
  float p = 1.9875691500E-4f;
  p = p * g + 1.3981999507E-3f;
  p = p * g + 8.3334519073E-3f;
  p = p * g + 4.1665795894E-2f;
  p = p * g + 1.6666665459E-1f;
  p = p * g + 5.0000001201E-1f;
  p = p * z + g + 1.0f;
  int32_t n1 = n >> 1, n2 = n - n1;
  return p * i2f((n1 + 127) << 23) * i2f((n2 + 127) << 23);
}

// g + 0 is g (a -0 becomes +0, which the polynomial maps to the same 1), so these are the bits of
// the plain reduction.
inline float exp_core(float x) { return x != x ? x : exp_split_core(x, 0.0f); }

inline float tanh_core(float x) {
  float ax = i2f(f2i(x) & 0x7FFFFFFF);
  float s = x * x;
  float p = ((((-5.70498872745E-3f * s + 2.06390887954E-2f) * s - 5.37397155531E-2f) * s + 1.33314422036E-1f) * s -
             3.33332819422E-1f) * s * x + x;
  float q = 1.0f - 2.0f / (exp_core(ax + ax) + 1.0f);
  q = i2f(f2i(q) | (f2i(x) & (int32_t)0x80000000));  // q >= 0 gets x's sign
  p = x == 0 ? x : p;  // keep the sign of -0
  return ax < 0.625f ? p : q;
}

inline float sigmoid_core(float x) {
  float e = exp_core(i2f(f2i(x) | (int32_t)0x80000000));  // exp(-|x|) never overflows
  float s = 1.0f / (1.0f + e);
  return x >= 0 ? s : (x != x ? x : e * s);
}

const float kC = 0.7978845608028654f;  // sqrt(2/pi)

inline float gelu_tanh_core(float x) {
  float z = kC * (x + 0.044715f * x * x * x);
  return x / (1.0f + exp_core(-2.0f * z));  // 0.5 x (1 + tanh z) = x sigmoid(2z)
}

inline float gelu_tanh_grad_core(float x) {
  float z = kC * (x + 0.044715f * x * x * x);
  float s = 1.0f / (1.0f + exp_core(-2.0f * z));
  return s + 2.0f * x * s * (1.0f - s) * kC * (1.0f + 3.0f * 0.044715f * x * x);
}

// erfc(-x/sqrt2) and exp(-x^2/2) for GELU with one exp: erfc(z) = t Q(t) exp(-z^2), t = 1/(1 + z/2),
// where Q = erfcx(z)/t is smooth on t in [0.086, 1] (z up to 30/sqrt2) and fitted by a degree-10
// polynomial (relative error 6e-9; tools/fit_gelu_erfc.py). z^2 = x^2/2 is split into an exact
// head (x's top 12 bits squared) and a small tail, so large |x| keeps its relative accuracy.
struct GeluParts { float erfc_neg; float gauss; };  // erfc(-x/sqrt2), exp(-x^2/2)

inline GeluParts gelu_parts(float x) {
  // |x| by clearing the sign bit: as a ternary GCC evaluates everything below once per sign.
  float z = i2f(f2i(x) & 0x7FFFFFFF) * 0.70710678118654752f;
  float t = 1.0f / (1.0f + 0.5f * z);
  float q = 4.336597955e-02f;
  q = q * t + -2.350801707e-01f;
  q = q * t + 4.929756420e-01f;
  q = q * t + -4.517071969e-01f;
  q = q * t + 1.272858238e-01f;
  q = q * t + -5.524828076e-02f;
  q = q * t + 9.154605983e-02f;
  q = q * t + 1.758759856e-01f;
  q = q * t + 2.467894749e-01f;
  q = q * t + 2.821021877e-01f;
  q = q * t + 2.820945013e-01f;
  float xh = i2f(f2i(x) & (int32_t)0xFFFFF000), xl = x - xh;
  float gauss = exp_split_core(-0.5f * xh * xh, -0.5f * (2.0f * xh * xl + xl * xl));
  float ans = t * q * gauss;  // erfc(|x|/sqrt2)
  GeluParts r;
  r.erfc_neg = x <= 0 ? ans : 2.0f - ans;
  r.gauss = gauss;
  return r;
}

// Caps x at 10 (erfc(-x/sqrt2) is 2 in float there and gelu_core overrides larger x; the cap keeps
// exp(-x^2/2) from going denormal on the way). A signed minimum of the bit patterns (vpminsd),
// which leaves every negative x alone: as a float select, GCC carried the capped case through
// every later operation as extra blends (19 a vector on AVX2; 10 now, 25 % faster). No lower
// clamp: x < -30 is overridden and costs the same as x in [-30, -14], where the results are
// already denormal. Same bits as the two-sided clamp for every float (all 2^32 checked).
inline float gelu_clamp(float x) {
  const int32_t b = f2i(x), ten = f2i(10.0f);
  return i2f(b < ten ? b : ten);
}

inline float gelu_core(float x) {
  float xc = gelu_clamp(x);
  float r = 0.5f * xc * gelu_parts(xc).erfc_neg;
  r = x > 10.0f ? x : r;         // erfc(-x/sqrt2) rounds to 2
  r = x < -30.0f ? x * 0.0f : r;  // -0, or NaN for -inf (like 0.5 x (1 + erf))
  return x != x ? x : r;
}

inline float gelu_grad_core(float x) {
  float xc = gelu_clamp(x);
  GeluParts g = gelu_parts(xc);
  float r = 0.5f * g.erfc_neg + xc * 0.3989422804014327f * g.gauss;
  r = x > 10.0f ? 1.0f + x * 0.0f : r;
  r = x < -30.0f ? x * 0.0f : r;
  return x != x ? x : r;
}

}  // namespace
}  // namespace descent
