// The SIMD register wrappers the per-ISA kernels are written against (gemm_impl.h, attention_impl.h):
// VF/VD hold W floats/doubles, with the few operations the micro-kernels use. Compiled once per
// ISA by whichever DESCENT_ISA_* the including file defines (none: the portable scalar build, W = 1).
// In an anonymous namespace, like its includers, so code built with AVX-512 flags is never picked
// by the linker for another translation unit.
#pragma once

#if defined(DESCENT_ISA_AVX512) || defined(DESCENT_ISA_AVX2)
#include <immintrin.h>
#endif

namespace descent {
namespace {

#if defined(DESCENT_ISA_AVX512)
struct VF {
  typedef float T; typedef __m512 R; enum { W = 16 };
  static R zero() { return _mm512_setzero_ps(); }
  static R load(const T* p) { return _mm512_loadu_ps(p); }
  static void store(T* p, R v) { _mm512_storeu_ps(p, v); }
  static R set1(T v) { return _mm512_set1_ps(v); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R mul(R a, R b) { return _mm512_mul_ps(a, b); }
  static R add(R a, R b) { return _mm512_add_ps(a, b); }
};
struct VD {
  typedef double T; typedef __m512d R; enum { W = 8 };
  static R zero() { return _mm512_setzero_pd(); }
  static R load(const T* p) { return _mm512_loadu_pd(p); }
  static void store(T* p, R v) { _mm512_storeu_pd(p, v); }
  static R set1(T v) { return _mm512_set1_pd(v); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  static R mul(R a, R b) { return _mm512_mul_pd(a, b); }
  static R add(R a, R b) { return _mm512_add_pd(a, b); }
};
#elif defined(DESCENT_ISA_AVX2)
struct VF {
  typedef float T; typedef __m256 R; enum { W = 8 };
  static R zero() { return _mm256_setzero_ps(); }
  static R load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, R v) { _mm256_storeu_ps(p, v); }
  static R set1(T v) { return _mm256_set1_ps(v); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R mul(R a, R b) { return _mm256_mul_ps(a, b); }
  static R add(R a, R b) { return _mm256_add_ps(a, b); }
};
struct VD {
  typedef double T; typedef __m256d R; enum { W = 4 };
  static R zero() { return _mm256_setzero_pd(); }
  static R load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, R v) { _mm256_storeu_pd(p, v); }
  static R set1(T v) { return _mm256_set1_pd(v); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  static R mul(R a, R b) { return _mm256_mul_pd(a, b); }
  static R add(R a, R b) { return _mm256_add_pd(a, b); }
};
#else
template <class TT> struct VS {
  typedef TT T; typedef TT R; enum { W = 1 };
  static R zero() { return 0; }
  static R load(const T* p) { return *p; }
  static void store(T* p, R v) { *p = v; }
  static R set1(T v) { return v; }
  static R fma(R a, R b, R c) { return a * b + c; }
  static R mul(R a, R b) { return a * b; }
  static R add(R a, R b) { return a + b; }
};
typedef VS<float> VF;
typedef VS<double> VD;
#endif

}  // namespace
}  // namespace descent
