// float16 / bfloat16 conversion kernels, bit-identical to src/util/half.ts (the reference):
// float32 -> 16 bits rounds to nearest even, keeps subnormals, overflows to ±Inf and turns every
// NaN into the canonical quiet NaN with its sign (float16 sign|0x7E00, bfloat16 sign|0x7FC0);
// 16 bits -> float32 is exact (a float16 NaN comes back quiet: payload kept, quiet bit set).
// Three paths picked at load time (DESCENT_ISA=scalar|avx2|avx512 forces one): portable C++,
// F16C + AVX2 (vcvtps2ph/vcvtph2ps; bfloat16 by integer rounding), and AVX-512 BF16
// (vcvtneps2bf16, with float32-subnormal inputs, which it flushes to zero, redone exactly).
// The ISA-specific functions use target attributes, so no file is compiled with -march flags.
#include <stdlib.h>
#include <string.h>

#include "napi_args.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_HALF_X86 1
#endif

namespace descent {
namespace {

inline uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// ---- portable reference (the algorithm of src/util/half.ts) ----

inline uint16_t f32_to_f16(uint32_t f) {
  uint32_t sign = (f >> 16) & 0x8000u, fexp = f & 0x7f800000u;
  if (fexp >= 0x47800000u) {
    if (fexp == 0x7f800000u && (f & 0x007fffffu) != 0) return (uint16_t)(sign | 0x7e00u);
    return (uint16_t)(sign | 0x7c00u);
  }
  if (fexp <= 0x38000000u) {
    if (fexp < 0x33000000u) return (uint16_t)sign;
    uint32_t e = fexp >> 23;
    uint32_t sig = (0x00800000u + (f & 0x007fffffu)) >> (113 - e);
    if ((sig & 0x3fffu) != 0x1000u || (f & 0x7ffu) != 0) sig += 0x1000u;
    return (uint16_t)(sign | (sig >> 13));
  }
  uint32_t hexp = (fexp - 0x38000000u) >> 13, sig = f & 0x007fffffu;
  if ((sig & 0x3fffu) != 0x1000u) sig += 0x1000u;
  return (uint16_t)(sign | ((hexp + (sig >> 13)) & 0x7fffu));
}

inline uint32_t f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0x1f) return sign | 0x7f800000u | ((mant ? (mant | 0x200u) : 0) << 13);
  if (exp == 0) {
    if (mant == 0) return sign;
    int e = -1;
    do { e++; mant <<= 1; } while ((mant & 0x400u) == 0);
    return sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
  }
  return sign | ((exp + 112) << 23) | (mant << 13);
}

inline uint16_t f32_to_bf16(uint32_t f) {
  if ((f & 0x7f800000u) == 0x7f800000u && (f & 0x007fffffu) != 0) return (uint16_t)(((f >> 16) & 0x8000u) | 0x7fc0u);
  return (uint16_t)((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
}

void narrow_portable(bool bf16, const float* src, uint16_t* dst, int64_t b, int64_t e) {
  if (bf16) for (int64_t i = b; i < e; i++) dst[i] = f32_to_bf16(bits_of(src[i]));
  else for (int64_t i = b; i < e; i++) dst[i] = f32_to_f16(bits_of(src[i]));
}

void widen_portable(bool bf16, const uint16_t* src, float* dst, int64_t b, int64_t e) {
  uint32_t* d = (uint32_t*)dst;
  if (bf16) for (int64_t i = b; i < e; i++) d[i] = (uint32_t)src[i] << 16;
  else for (int64_t i = b; i < e; i++) d[i] = f16_to_f32(src[i]);
}

#ifdef DESCENT_HALF_X86
// ---- F16C + AVX2 ----

/** Canonical NaNs in 8 converted halves: sign|quiet where |h| > inf. */
__attribute__((target("avx2"))) inline __m128i fix_nan16(__m128i h, uint16_t inf, uint16_t quiet) {
  __m128i mag = _mm_and_si128(h, _mm_set1_epi16(0x7fff));
  __m128i nan = _mm_cmpgt_epi16(mag, _mm_set1_epi16((short)inf));  // signed compare is fine: mag <= 0x7fff
  __m128i canon = _mm_or_si128(_mm_and_si128(h, _mm_set1_epi16((short)0x8000)), _mm_set1_epi16((short)quiet));
  return _mm_blendv_epi8(h, canon, nan);
}

__attribute__((target("avx2,f16c"))) void narrow_f16c(bool bf16, const float* src, uint16_t* dst, int64_t b, int64_t e) {
  int64_t i = b;
  if (!bf16) {
    for (; i + 8 <= e; i += 8) {
      __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      _mm_storeu_si128((__m128i*)(dst + i), fix_nan16(h, 0x7c00, 0x7e00));
    }
  } else {
    // Integer round to nearest even: (f + 0x7fff + ((f >> 16) & 1)) >> 16, then NaNs made canonical.
    const __m256i one = _mm256_set1_epi32(1), bias = _mm256_set1_epi32(0x7fff);
    for (; i + 8 <= e; i += 8) {
      __m256i f = _mm256_loadu_si256((const __m256i*)(src + i));
      __m256i r = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(f, bias), _mm256_and_si256(_mm256_srli_epi32(f, 16), one)), 16);
      __m128i h = _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
      // A NaN input can round into the Inf pattern or keep a NaN one: decide from the input instead.
      __m256i mag = _mm256_and_si256(f, _mm256_set1_epi32(0x7fffffff));
      __m256i nan32 = _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(0x7f800000));
      __m128i nan = _mm_packs_epi32(_mm256_castsi256_si128(nan32), _mm256_extracti128_si256(nan32, 1));
      __m128i canon = _mm_or_si128(_mm_and_si128(_mm_packus_epi32(_mm256_castsi256_si128(_mm256_srli_epi32(f, 16)),
                                                                     _mm256_extracti128_si256(_mm256_srli_epi32(f, 16), 1)),
                                                  _mm_set1_epi16((short)0x8000)),
                                    _mm_set1_epi16(0x7fc0));
      _mm_storeu_si128((__m128i*)(dst + i), _mm_blendv_epi8(h, canon, nan));
    }
  }
  narrow_portable(bf16, src, dst, i, e);
}

__attribute__((target("avx2,f16c"))) void widen_f16c(bool bf16, const uint16_t* src, float* dst, int64_t b, int64_t e) {
  int64_t i = b;
  if (!bf16) {
    // vcvtph2ps is exact and quiets NaNs (payload kept), like the reference.
    for (; i + 8 <= e; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(src + i))));
  } else {
    for (; i + 8 <= e; i += 8) {
      __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)(src + i)));
      _mm256_storeu_si256((__m256i*)(dst + i), _mm256_slli_epi32(w, 16));
    }
  }
  widen_portable(bf16, src, dst, i, e);
}

// ---- AVX-512 BF16 (float32 -> bfloat16 only; the other directions are exact shifts/F16C) ----

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) void narrow_avx512bf16(const float* src, uint16_t* dst, int64_t b, int64_t e) {
  int64_t i = b;
  const __m512i expMask = _mm512_set1_epi32(0x7f800000), mantMask = _mm512_set1_epi32(0x007fffff);
  for (; i + 16 <= e; i += 16) {
    __m512 x = _mm512_loadu_ps(src + i);
    __m512i f = _mm512_castps_si512(x);
    __m512i exp = _mm512_and_si512(f, expMask);
    // vcvtneps2bf16 flushes float32 subnormal inputs to zero and keeps NaN payloads: those
    // lanes (exponent all zeros or all ones with a mantissa) take the exact reference instead.
    __mmask16 sub = _mm512_cmpeq_epi32_mask(exp, _mm512_setzero_si512()) & _mm512_test_epi32_mask(f, mantMask);
    __mmask16 nan = _mm512_cmpeq_epi32_mask(exp, expMask) & _mm512_test_epi32_mask(f, mantMask);
    __m256bh h = _mm512_cvtneps_pbh(x);
    _mm256_storeu_si256((__m256i*)(dst + i), (__m256i)h);
    if (sub | nan) for (int j = 0; j < 16; j++) if ((sub | nan) >> j & 1) dst[i + j] = f32_to_bf16(bits_of(src[i + j]));
  }
  narrow_portable(true, src, dst, i, e);
}
#endif

typedef void (*NarrowFn)(bool, const float*, uint16_t*, int64_t, int64_t);
typedef void (*WidenFn)(bool, const uint16_t*, float*, int64_t, int64_t);
NarrowFn g_narrow = narrow_portable;
WidenFn g_widen = widen_portable;
bool g_bf16_native = false;
const char* g_half_isa = "portable";

void pick_half_isa() {
#ifdef DESCENT_HALF_X86
  __builtin_cpu_init();
  const char* force = getenv("DESCENT_ISA");
  bool allowAvx2 = !force || strcmp(force, "avx512") == 0 || strcmp(force, "avx2") == 0;
  bool allow512 = !force || strcmp(force, "avx512") == 0;
  if (allowAvx2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c")) {
    g_narrow = narrow_f16c; g_widen = widen_f16c; g_half_isa = "f16c";
  }
  if (allow512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16")) {
    g_bf16_native = true;
    g_half_isa = g_narrow == narrow_f16c ? "f16c+avx512bf16" : "avx512bf16";
  }
#endif
}

/** A Uint16Array argument (the bit patterns of a float16/bfloat16 tensor). */
bool read_u16(Args& A, size_t i, uint16_t** data, int64_t* len) {
  if (!A.ok) return false;
  napi_value x = A.at(i);
  bool is = false;
  napi_is_typedarray(A.env, x, &is);
  napi_typedarray_type tt;
  size_t n = 0, off;
  napi_value ab;
  void* p = nullptr;
  if (is) napi_get_typedarray_info(A.env, x, &tt, &n, &p, &ab, &off);
  if (!is || tt != napi_uint16_array) { A.fail("argument %zu: expected a Uint16Array of float16/bfloat16 bits", i); return false; }
  *data = (uint16_t*)p;
  *len = (int64_t)n;
  return true;
}

}  // namespace

/** halfFromFloat32(src: Float32Array, dst: Uint16Array, bfloat16: boolean) */
napi_value HalfFromFloat32(napi_env env, napi_callback_info info) {
  Args A(env, info, "halfFromFloat32");
  Arr s = A.arr(0);
  uint16_t* d = nullptr;
  int64_t n = 0;
  read_u16(A, 1, &d, &n);
  bool bf16 = A.flag(2);
  A.need(s.dt == kF32, "src must be a Float32Array");
  A.need_len(s.len == n, "src and dst must have the same length");
  const float* src = (const float*)s.data;
  return A.run([&] {
    parallel_for(n, 1 << 16, [&](int64_t b, int64_t e) {
#ifdef DESCENT_HALF_X86
      if (bf16 && g_bf16_native) return narrow_avx512bf16(src, d, b, e);
#endif
      g_narrow(bf16, src, d, b, e);
    });
  });
}

/** halfToFloat32(src: Uint16Array, dst: Float32Array, bfloat16: boolean) */
napi_value HalfToFloat32(napi_env env, napi_callback_info info) {
  Args A(env, info, "halfToFloat32");
  uint16_t* s = nullptr;
  int64_t n = 0;
  read_u16(A, 0, &s, &n);
  Arr d = A.arr(1);
  bool bf16 = A.flag(2);
  A.need(d.dt == kF32, "dst must be a Float32Array");
  A.need_len(d.len == n, "src and dst must have the same length");
  float* dst = (float*)d.data;
  return A.run([&] { parallel_for(n, 1 << 16, [&](int64_t b, int64_t e) { g_widen(bf16, s, dst, b, e); }); });
}

/** The conversion path in use: "portable", "f16c", "f16c+avx512bf16". */
napi_value HalfIsa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, g_half_isa, NAPI_AUTO_LENGTH, &v);
  return v;
}

/** Called once when the addon loads. */
void init_half() { pick_half_isa(); }

}  // namespace descent
