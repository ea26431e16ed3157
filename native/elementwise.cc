// Elementwise kernels: unary ops and their derivatives, broadcasting binary ops, where.
// Formulas follow src/backend/ts/elementwise.ts; float32 uses float libm or vecmath kernels.
#include <math.h>
#include <string.h>

#include "gemm.h"
#include "kernels.h"
#include "rowk.h"
#include "strided.h"
#include "vecmath.h"

namespace descent {

const VecMath* g_vec = vecmath_base::table();

namespace {

const double kTwoOverSqrtPi = 1.1283791670955126;
const double kSqrtHalf = 0.7071067811865476;
const double kInvSqrt2Pi = 0.3989422804014327;
const double kGeluTanhC = 0.7978845608028654;  // sqrt(2/pi)

// Math in the element type: float calls the float libm functions, double the double ones.
inline float m_exp(float x) { return expf(x); }
inline double m_exp(double x) { return exp(x); }
inline float m_log(float x) { return logf(x); }
inline double m_log(double x) { return log(x); }
inline float m_sqrt(float x) { return sqrtf(x); }
inline double m_sqrt(double x) { return sqrt(x); }
inline float m_tanh(float x) { return tanhf(x); }
inline double m_tanh(double x) { return tanh(x); }
inline float m_erf(float x) { return erff(x); }
inline double m_erf(double x) { return erf(x); }
inline float m_sin(float x) { return sinf(x); }
inline double m_sin(double x) { return sin(x); }
inline float m_cos(float x) { return cosf(x); }
inline double m_cos(double x) { return cos(x); }
inline float m_log1p(float x) { return log1pf(x); }
inline double m_log1p(double x) { return log1p(x); }
inline float m_expm1(float x) { return expm1f(x); }
inline double m_expm1(double x) { return expm1(x); }

inline float m_erfc(float x) { return erfcf(x); }
inline double m_erfc(double x) { return erfc(x); }

// float32 GELU: 1 + erf(x/sqrt2) = erfc(-x/sqrt2) and 1 + tanh(z) = 2 sigmoid(2z) avoid the
// cancellation that float arithmetic would suffer for negative x. float64 keeps PyTorch's form.
inline float gelu_f(float x) { return 0.5f * x * erfcf(-x * (float)kSqrtHalf); }
inline float gelu_tanh_f(float x) {
  float z = (float)kGeluTanhC * (x + 0.044715f * x * x * x);
  return x / (1.0f + expf(-2.0f * z));
}
inline float gelu_grad_f(float x) {
  return 0.5f * erfcf(-x * (float)kSqrtHalf) + x * (float)kInvSqrt2Pi * expf(-0.5f * x * x);
}
inline float gelu_tanh_grad_f(float x) {
  float z = (float)kGeluTanhC * (x + 0.044715f * x * x * x);
  float s = 1.0f / (1.0f + expf(-2.0f * z));  // (1 + tanh z) / 2
  return s + 2.0f * x * s * (1.0f - s) * (float)kGeluTanhC * (1.0f + (float)(3 * 0.044715) * x * x);
}

template <class T> inline T sigmoid(T x) {
  if (x >= 0) return (T)1 / ((T)1 + m_exp(-x));
  T e = m_exp(x);
  return e / ((T)1 + e);
}

template <class T, int OP> inline T unary_fn(T x) {
  switch (OP) {
    case U_NEG: return -x;
    case U_EXP: return m_exp(x);
    case U_LOG: return m_log(x);
    case U_SQRT: return m_sqrt(x);
    case U_RSQRT: return (T)1 / m_sqrt(x);
    case U_ABS: return x < 0 ? -x : (x == 0 ? (T)0 : x);  // abs(-0) = +0, NaN passes through
    case U_SIGN: return x > 0 ? (T)1 : x < 0 ? (T)-1 : (T)0;  // PyTorch: sign(NaN) = sign(-0) = +0
    case U_RECIPROCAL: return (T)1 / x;
    case U_SQUARE: return x * x;
    case U_TANH: return m_tanh(x);
    case U_SIGMOID: return sigmoid(x);
    case U_RELU: return x > 0 ? x : (x != x ? x : (T)0);
    case U_GELU:
      if (sizeof(T) == 4) return (T)gelu_f((float)x);
      return (T)0.5 * x * ((T)1 + m_erf(x * (T)kSqrtHalf));
    case U_GELU_TANH:
      if (sizeof(T) == 4) return (T)gelu_tanh_f((float)x);
      return (T)0.5 * x * ((T)1 + m_tanh((T)kGeluTanhC * (x + (T)0.044715 * x * x * x)));
    case U_SIN: return m_sin(x);
    case U_COS: return m_cos(x);
    case U_ERF: return m_erf(x);
    case U_LOG1P: return m_log1p(x);
    case U_EXPM1: return m_expm1(x);
    case U_SILU: return x / ((T)1 + m_exp(-x));  // PyTorch's form (float32 takes silu_f32 below)
  }
  return x;
}

template <class T, int OP> inline T deriv_fn(T x, T y) {
  switch (OP) {
    case U_NEG: return -1;
    case U_EXP: return y;
    case U_LOG: return (T)1 / x;
    case U_SQRT: return (T)0.5 / y;
    case U_RSQRT: return (T)-0.5 * y / x;
    case U_ABS: return x > 0 ? (T)1 : x < 0 ? (T)-1 : (T)0;
    case U_SIGN: return 0;
    case U_RECIPROCAL: return -y * y;
    case U_SQUARE: return (T)2 * x;
    case U_TANH: return (T)1 - y * y;
    case U_SIGMOID: return y * ((T)1 - y);
    case U_RELU: return x > 0 ? (T)1 : (T)0;
    case U_GELU:
      if (sizeof(T) == 4) return (T)gelu_grad_f((float)x);
      return (T)0.5 * ((T)1 + m_erf(x * (T)kSqrtHalf)) + x * (T)kInvSqrt2Pi * m_exp((T)-0.5 * x * x);
    case U_GELU_TANH: {
      if (sizeof(T) == 4) return (T)gelu_tanh_grad_f((float)x);
      T t = m_tanh((T)kGeluTanhC * (x + (T)0.044715 * x * x * x));
      return (T)0.5 * ((T)1 + t) + (T)0.5 * x * ((T)1 - t * t) * (T)kGeluTanhC * ((T)1 + (T)(3 * 0.044715) * x * x);
    }
    case U_SIN: return m_cos(x);
    case U_COS: return -m_sin(x);
    case U_ERF: return (T)kTwoOverSqrtPi * m_exp(-x * x);
    case U_LOG1P: return (T)1 / ((T)1 + x);
    case U_EXPM1: return y + (T)1;
    case U_SILU: {
      T s = sigmoid(x);
      return s * ((T)1 + x * ((T)1 - s));
    }
  }
  return 0;
}

// float32 SiLU on the vectorised sigmoid, a block at a time through a stack buffer (so out may
// alias x): x * sigmoid(x), the same bits as mul(x, sigmoid(x)) on this backend.
const int64_t kSiluBlock = 256;

void silu_f32(const float* x, float* o, int64_t n) {
  float s[kSiluBlock];
  for (int64_t b = 0; b < n; b += kSiluBlock) {
    int64_t m = n - b < kSiluBlock ? n - b : kSiluBlock;
    g_vec->sigmoid(x + b, s, m);
    for (int64_t i = 0; i < m; i++) o[b + i] = x[b + i] * s[i];
  }
}

void silu_grad_f32(const float* x, const float* gy, float* o, int64_t n) {
  float s[kSiluBlock];
  for (int64_t b = 0; b < n; b += kSiluBlock) {
    int64_t m = n - b < kSiluBlock ? n - b : kSiluBlock;
    g_vec->sigmoid(x + b, s, m);
    for (int64_t i = 0; i < m; i++) o[b + i] = gy[b + i] * (s[i] * (1.0f + x[b + i] * (1.0f - s[i])));
  }
}

// Cheap ops split across threads only for large arrays; transcendental ones much earlier.
inline int64_t unary_grain(int op) {
  switch (op) {
    case U_NEG: case U_ABS: case U_SIGN: case U_RECIPROCAL: case U_SQUARE: case U_RELU: case U_SQRT: case U_RSQRT:
      return 1 << 16;
    default: return 1 << 12;
  }
}

template <class T, int OP> void unary_loop(const T* __restrict x, T* __restrict o, int64_t n) {
  if (sizeof(T) == 4 && OP == U_SILU) {
    parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) { silu_f32((const float*)x + b, (float*)o + b, e - b); });
    return;
  }
  if (sizeof(T) == 4 && (OP == U_EXP || OP == U_TANH || OP == U_SIGMOID || OP == U_GELU_TANH || OP == U_GELU)) {
    // float32 exp-family ops: the vectorised kernels of vecmath (picked per ISA at load).
    void (*f)(const float*, float*, int64_t) = OP == U_EXP ? g_vec->exp : OP == U_TANH ? g_vec->tanh
                                             : OP == U_SIGMOID ? g_vec->sigmoid
                                             : OP == U_GELU ? g_vec->gelu : g_vec->gelu_tanh;
    parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) { f((const float*)x + b, (float*)o + b, e - b); });
    return;
  }
  parallel_for(n, unary_grain(OP), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) o[i] = unary_fn<T, OP>(x[i]);
  });
}

// int32 inputs: compute in double (as the TS backend does) and store with ToInt32.
template <int OP> void unary_loop_i32(const int32_t* x, int32_t* o, int64_t n) {
  parallel_for(n, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) o[i] = to_int32(unary_fn<double, OP>((double)x[i]));
  });
}

template <class T, int OP> void unary_bw_loop(const T* x, const T* y, const T* gy, T* o, int64_t n) {
  if (sizeof(T) == 4 && OP == U_SILU) {
    parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
      silu_grad_f32((const float*)x + b, (const float*)gy + b, (float*)o + b, e - b);
    });
    return;
  }
  if (sizeof(T) == 4 && (OP == U_GELU_TANH || OP == U_GELU)) {
    void (*f)(const float*, const float*, float*, int64_t) = OP == U_GELU ? g_vec->gelu_grad : g_vec->gelu_tanh_grad;
    parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
      f((const float*)x + b, (const float*)gy + b, (float*)o + b, e - b);
    });
    return;
  }
  parallel_for(n, unary_grain(OP), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) o[i] = gy[i] * deriv_fn<T, OP>(x[i], y[i]);
  });
}

template <int OP> void unary_dispatch(DType dt, const void* x, void* out, int64_t n) {
  if (dt == kF32) unary_loop<float, OP>((const float*)x, (float*)out, n);
  else if (dt == kF64) unary_loop<double, OP>((const double*)x, (double*)out, n);
  else unary_loop_i32<OP>((const int32_t*)x, (int32_t*)out, n);
}

template <int OP> void unary_bw_dispatch(DType dt, const void* x, const void* y, const void* gy, void* out, int64_t n) {
  if (dt == kF32) unary_bw_loop<float, OP>((const float*)x, (const float*)y, (const float*)gy, (float*)out, n);
  else unary_bw_loop<double, OP>((const double*)x, (const double*)y, (const double*)gy, (double*)out, n);
}

typedef void (*UnaryFn)(DType, const void*, void*, int64_t);
typedef void (*UnaryBwFn)(DType, const void*, const void*, const void*, void*, int64_t);

template <int... OPS> struct UnaryTable {
  static constexpr UnaryFn fwd[sizeof...(OPS)] = {&unary_dispatch<OPS>...};
  static constexpr UnaryBwFn bwd[sizeof...(OPS)] = {&unary_bw_dispatch<OPS>...};
};
typedef UnaryTable<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19> AllUnary;

// ---- binary ----

template <class T, int OP> inline T arith(T a, T b) {
  switch (OP) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return (T)pow((double)a, (double)b);
    case B_MAXIMUM: return (a != a || b != b) ? (T)NAN : (a > b ? a : b);
    case B_MINIMUM: return (a != a || b != b) ? (T)NAN : (a < b ? a : b);
  }
  return 0;
}

template <class T, int OP> inline bool compare(T a, T b) {
  switch (OP) {
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
  }
  return false;
}

template <class TI, class TO, int OP> inline TO bin_elem(TI a, TI b) {
  if (OP >= B_EQ) return compare<TI, OP>(a, b) ? (TO)1 : (TO)0;
  return (TO)arith<TI, OP>(a, b);
}

template <int OP> inline int32_t bin_elem_i32(int32_t a, int32_t b) {
  switch (OP) {  // exact in int arithmetic where the double result would be exact, then ToInt32
    case B_ADD: return (int32_t)((uint32_t)a + (uint32_t)b);
    case B_SUB: return (int32_t)((uint32_t)a - (uint32_t)b);
    case B_MAXIMUM: return a > b ? a : b;
    case B_MINIMUM: return a < b ? a : b;
  }
  return to_int32(arith<double, OP>((double)a, (double)b));
}

// One contiguous run of the innermost dim: specialised on the two inner strides.
template <class TI, class TO, int OP>
void bin_run(const TI* __restrict a, int64_t sa, const TI* __restrict b, int64_t sb, TO* __restrict o, int64_t n) {
  if (sa == 1 && sb == 1) for (int64_t i = 0; i < n; i++) o[i] = bin_elem<TI, TO, OP>(a[i], b[i]);
  else if (sa == 1 && sb == 0) { TI bv = b[0]; for (int64_t i = 0; i < n; i++) o[i] = bin_elem<TI, TO, OP>(a[i], bv); }
  else if (sa == 0 && sb == 1) { TI av = a[0]; for (int64_t i = 0; i < n; i++) o[i] = bin_elem<TI, TO, OP>(av, b[i]); }
  else for (int64_t i = 0; i < n; i++) o[i] = bin_elem<TI, TO, OP>(a[i * sa], b[i * sb]);
}

template <int OP>
void bin_run_i32(const int32_t* a, int64_t sa, const int32_t* b, int64_t sb, int32_t* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = bin_elem_i32<OP>(a[i * sa], b[i * sb]);
}

template <class TI, class TO, int OP> void binary_typed(const TI* a, const TI* b, TO* o, const Strided& s) {
  int64_t total = total_of(s);
  int64_t sa = s.strides[0][s.nd - 1], sb = s.strides[1][s.nd - 1];
  parallel_for(total, OP == B_POW ? 1 << 12 : 1 << 16, [&](int64_t beg, int64_t end) {
    for_runs(s, beg, end, [&](int64_t oa, int64_t ob, int64_t, int64_t pos, int64_t len) {
      bin_run<TI, TO, OP>(a + oa, sa, b + ob, sb, o + pos, len);
    });
  });
}

template <int OP> void binary_i32(const int32_t* a, const int32_t* b, int32_t* o, const Strided& s) {
  int64_t total = total_of(s);
  int64_t sa = s.strides[0][s.nd - 1], sb = s.strides[1][s.nd - 1];
  parallel_for(total, 1 << 16, [&](int64_t beg, int64_t end) {
    for_runs(s, beg, end, [&](int64_t oa, int64_t ob, int64_t, int64_t pos, int64_t len) {
      bin_run_i32<OP>(a + oa, sa, b + ob, sb, o + pos, len);
    });
  });
}

template <class TI, int OP> void binary_out(DType out, const TI* a, const TI* b, void* o, const Strided& s) {
  if (out == kF32) binary_typed<TI, float, OP>(a, b, (float*)o, s);
  else if (out == kF64) binary_typed<TI, double, OP>(a, b, (double*)o, s);
  else binary_typed<TI, int32_t, OP>(a, b, (int32_t*)o, s);
}

template <int OP> void binary_dispatch(DType in, DType out, const void* a, const void* b, void* o, const Strided& s) {
  if (OP >= B_EQ) {  // comparisons: any output dtype
    if (in == kF32) binary_out<float, OP>(out, (const float*)a, (const float*)b, o, s);
    else if (in == kF64) binary_out<double, OP>(out, (const double*)a, (const double*)b, o, s);
    else binary_out<int32_t, OP>(out, (const int32_t*)a, (const int32_t*)b, o, s);
    return;
  }
  if (in == kF32) binary_typed<float, float, OP>((const float*)a, (const float*)b, (float*)o, s);
  else if (in == kF64) binary_typed<double, double, OP>((const double*)a, (const double*)b, (double*)o, s);
  else binary_i32<OP>((const int32_t*)a, (const int32_t*)b, (int32_t*)o, s);
}

typedef void (*BinaryFn)(DType, DType, const void*, const void*, void*, const Strided&);
const BinaryFn kBinary[B_COUNT] = {
  &binary_dispatch<0>, &binary_dispatch<1>, &binary_dispatch<2>, &binary_dispatch<3>, &binary_dispatch<4>,
  &binary_dispatch<5>, &binary_dispatch<6>, &binary_dispatch<7>, &binary_dispatch<8>, &binary_dispatch<9>,
  &binary_dispatch<10>, &binary_dispatch<11>, &binary_dispatch<12>,
};

template <class TC, class T> void where_typed(const TC* c, const T* a, const T* b, T* o, const Strided& s) {
  int64_t total = total_of(s);
  int64_t sc = s.strides[0][s.nd - 1], sa = s.strides[1][s.nd - 1], sb = s.strides[2][s.nd - 1];
  parallel_for(total, 1 << 16, [&](int64_t beg, int64_t end) {
    for_runs(s, beg, end, [&](int64_t oc, int64_t oa, int64_t ob, int64_t pos, int64_t len) {
      const TC* cc = c + oc; const T* aa = a + oa; const T* bb = b + ob; T* oo = o + pos;
      for (int64_t i = 0; i < len; i++) oo[i] = cc[i * sc] != 0 ? aa[i * sa] : bb[i * sb];
    });
  });
}

template <class T> void where_cond(DType cdt, const void* c, const T* a, const T* b, T* o, const Strided& s) {
  if (cdt == kF32) where_typed<float, T>((const float*)c, a, b, o, s);
  else if (cdt == kF64) where_typed<double, T>((const double*)c, a, b, o, s);
  else where_typed<int32_t, T>((const int32_t*)c, a, b, o, s);
}

// ---- epilogues of fused linear layers ----

// The GEMM's activation epilogue: the same per-element results as unary_loop (float32 through the
// vecmath kernel, float64 through unary_fn), serial because it runs inside a GEMM thread.
void gelu_f32(void* x, void* y, int64_t n) { g_vec->gelu((const float*)x, (float*)y, n); }
void gelu_tanh_f32(void* x, void* y, int64_t n) { g_vec->gelu_tanh((const float*)x, (float*)y, n); }
void gelu_grad_f32(void* x, void* y, int64_t n) { g_vec->gelu_with_grad((float*)x, (float*)y, n); }
void gelu_tanh_grad_f32(void* x, void* y, int64_t n) { g_vec->gelu_tanh_with_grad((float*)x, (float*)y, n); }
template <int OP> void act_f64(void* x, void* y, int64_t n) {
  const double* xs = (const double*)x;
  double* ys = (double*)y;
  for (int64_t i = 0; i < n; i++) ys[i] = unary_fn<double, OP>(xs[i]);
}
// y = act(x), then x = act'(x) (times 1, as the backward would with gy = 1: the same bits).
template <int OP> void act_grad_f64(void* x, void* y, int64_t n) {
  double* xs = (double*)x;
  double* ys = (double*)y;
  for (int64_t i = 0; i < n; i++) {
    const double v = xs[i];
    ys[i] = unary_fn<double, OP>(v);
    xs[i] = 1.0 * deriv_fn<double, OP>(v, 0);
  }
}

// Column sums split over column chunks (kColChunk wide), each thread taking whole chunks and
// making one pass over the rows per kColPass columns. Every column sums its rows in row order on
// one thread, so the result does not depend on the thread count.
const int64_t kColChunk = 64, kColPass = 512;

// OP: a GELU or ReLU code (x is the pre-activation), -1 (identity: only the bias sums), or kMulSaved
// (x already holds act'(pre-activation), saved by the forward epilogue: gx = gy * x).
enum { kMulSaved = -2 };

template <class T, int OP> inline void act_bw_elems(const T* x, const T* gy, T* gx, int64_t n) {
  if (OP == kMulSaved) {
    for (int64_t i = 0; i < n; i++) gx[i] = gy[i] * x[i];
  } else if (OP == U_RELU) {
    for (int64_t i = 0; i < n; i++) gx[i] = gy[i] * deriv_fn<T, U_RELU>(x[i], 0);
  } else if (sizeof(T) == 4) {
    (OP == U_GELU ? g_vec->gelu_grad : g_vec->gelu_tanh_grad)((const float*)x, (const float*)gy, (float*)gx, n);
  } else {
    for (int64_t i = 0; i < n; i++) gx[i] = gy[i] * deriv_fn<T, OP < 0 ? U_GELU : OP>(x[i], 0);
  }
}

template <class T, int OP>
void act_bw_colsum(const T* x, const T* gy, int64_t rows, int64_t cols, T* gx, T* gbias) {
  if (OP != -1 && gbias && pool_threads() > 1 && rows * cols >= (1 << 15)) {
    // With threads, the elementwise part splits by rows (contiguous streams) and the sums by
    // columns, as two passes (a single column-split pass measured slower on 2 threads). Same bits.
    parallel_for(rows * cols, 1 << 15, [&](int64_t b, int64_t e) { act_bw_elems<T, OP>(x + b, gy + b, gx + b, e - b); });
    act_bw_colsum<T, -1>(nullptr, gx, rows, cols, nullptr, gbias);
    return;
  }
  int64_t chunks = (cols + kColChunk - 1) / kColChunk;
  int64_t work = rows * (cols < kColChunk ? cols : kColChunk);
  parallel_for(chunks, work >= (1 << 14) ? 1 : chunks, [&](int64_t cb, int64_t ce) {
    double acc[kColPass];
    int64_t cend = ce * kColChunk < cols ? ce * kColChunk : cols;
    for (int64_t c0 = cb * kColChunk; c0 < cend; c0 += kColPass) {
      int64_t w = cend - c0 < kColPass ? cend - c0 : kColPass;
      for (int64_t j = 0; j < w; j++) acc[j] = 0;
      for (int64_t r = 0; r < rows; r++) {
        const int64_t o = r * cols + c0;
        if (OP != -1) act_bw_elems<T, OP>(x + o, gy + o, gx + o, w);
        if (gbias && OP != -1) {  // this row of the gradient just computed, while in L1
          if (sizeof(T) == 4) g_rowk->f32.col_accumulate((const float*)gx + o, 1, w, cols, acc);
          else g_rowk->f64.col_accumulate((const double*)gx + o, 1, w, cols, acc);
        }
      }
      if (gbias && OP == -1) {  // a plain column sum: the vectorised per-ISA kernel, same order
        if (sizeof(T) == 4) g_rowk->f32.col_accumulate((const float*)gy + c0, rows, w, cols, acc);
        else g_rowk->f64.col_accumulate((const double*)gy + c0, rows, w, cols, acc);
      }
      if (gbias) for (int64_t j = 0; j < w; j++) gbias[c0 + j] = (T)acc[j];
    }
  });
}

template <class T> void act_bw_dispatch(int op, const T* x, const T* gy, int64_t rows, int64_t cols, T* gx, T* gb) {
  if (op == U_GELU) act_bw_colsum<T, U_GELU>(x, gy, rows, cols, gx, gb);
  else if (op == U_RELU) act_bw_colsum<T, U_RELU>(x, gy, rows, cols, gx, gb);
  else if (op == U_GELU_TANH) act_bw_colsum<T, U_GELU_TANH>(x, gy, rows, cols, gx, gb);
  else if (op == kMulSaved) act_bw_colsum<T, kMulSaved>(x, gy, rows, cols, gx, gb);
  else act_bw_colsum<T, -1>(x, gy, rows, cols, gx, gb);
}

}  // namespace

void unary_kernel(int op, DType dt, const void* x, void* out, int64_t n) { AllUnary::fwd[op](dt, x, out, n); }

void unary_backward_kernel(int op, DType dt, const void* x, const void* y, const void* gy, void* out, int64_t n) {
  AllUnary::bwd[op](dt, x, y, gy, out, n);
}

GemmActFn gemm_activation(bool f64, int op) {
  if (op == U_GELU) return f64 ? &act_f64<U_GELU> : &gelu_f32;
  if (op == U_GELU_TANH) return f64 ? &act_f64<U_GELU_TANH> : &gelu_tanh_f32;
  if (op == (U_GELU | kActSaveDerivative)) return f64 ? &act_grad_f64<U_GELU> : &gelu_grad_f32;
  if (op == (U_GELU_TANH | kActSaveDerivative)) return f64 ? &act_grad_f64<U_GELU_TANH> : &gelu_tanh_grad_f32;
  return nullptr;
}

void bias_act_backward_kernel(int op, DType dt, const void* x, const void* gy, int64_t rows, int64_t cols, void* gx,
                              void* gbias) {
  if (dt == kF32)
    act_bw_dispatch<float>(op, (const float*)x, (const float*)gy, rows, cols, (float*)gx, (float*)gbias);
  else
    act_bw_dispatch<double>(op, (const double*)x, (const double*)gy, rows, cols, (double*)gx, (double*)gbias);
}

void binary_kernel(int op, DType in, DType out, const void* a, const void* b, void* o, const Strided& s) {
  kBinary[op](in, out, a, b, o, s);
}

void where_kernel(DType cdt, DType dt, const void* c, const void* a, const void* b, void* o, const Strided& s) {
  if (dt == kF32) where_cond<float>(cdt, c, (const float*)a, (const float*)b, (float*)o, s);
  else if (dt == kF64) where_cond<double>(cdt, c, (const double*)a, (const double*)b, (double*)o, s);
  else where_cond<int32_t>(cdt, c, (const int32_t*)a, (const int32_t*)b, (int32_t*)o, s);
}

}  // namespace descent
