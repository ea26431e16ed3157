// Node-API argument helpers shared by the addon's glue files: typed arrays with their dtype,
// numbers, flags, strided-layout metadata, overflow-safe size arithmetic. Each failure throws one
// JS exception (TypeError for a wrong type, RangeError for a bad size) naming the kernel.
#pragma once
#include <node_api.h>
#include <stdarg.h>
#include <stdio.h>

#include <mutex>

#include "kernels.h"

namespace descent {

/** Kernels share the GEMM scratch buffers and the pool: one call at a time per process (JS threads included). */
std::mutex& kernel_mutex();

/** Sizes and offsets must be exact doubles: at most 2^53 (Number.MAX_SAFE_INTEGER + 1). */
const double kMaxExact = 9007199254740992.0;

/** a * b and a + b for non-negative sizes, saturating at INT64_MAX so an overflow fails every length check. */
inline int64_t mul_sat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}
inline int64_t add_sat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

struct Arr {
  void* data = nullptr;  // element 0 of the view (byteOffset already applied)
  int64_t len = 0;
  DType dt = kF32;
  bool present = false;
};

inline napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/**
 * The arguments of one call. Readers never throw in C++: the first failure throws a JS exception
 * and clears `ok`; later reads and checks are no-ops. run() starts the kernel only if all passed,
 * so nothing is written unless every check succeeded.
 */
struct Args {
  napi_env env;
  napi_value argv[20];
  size_t argc = 20;
  const char* fn;
  bool ok = true;

  Args(napi_env e, napi_callback_info info, const char* name) : env(e), fn(name) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  }
  void throw_msg(bool range, const char* fmt, va_list ap) {
    if (!ok) return;
    ok = false;
    char what[200], msg[256];
    vsnprintf(what, sizeof what, fmt, ap);
    snprintf(msg, sizeof msg, "descent native %s: %s", fn, what);
    if (range) napi_throw_range_error(env, nullptr, msg);
    else napi_throw_type_error(env, nullptr, msg);
  }
  /** A wrong type or dtype: TypeError. */
  void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    va_list ap;
    va_start(ap, fmt);
    throw_msg(false, fmt, ap);
    va_end(ap);
  }
  /** A bad size, length, index or offset: RangeError. */
  void fail_range(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    va_list ap;
    va_start(ap, fmt);
    throw_msg(true, fmt, ap);
    va_end(ap);
  }
  void need(bool cond, const char* what) { if (ok && !cond) fail("%s", what); }
  void need_len(bool cond, const char* what) { if (ok && !cond) fail_range("%s", what); }

  napi_value at(size_t i) {
    if (ok && i >= argc) fail("argument %zu is missing", i);
    return ok ? argv[i] : nullptr;
  }
  double num(size_t i) {
    double v = 0;
    napi_value x = at(i);
    if (ok && napi_get_value_double(env, x, &v) != napi_ok) fail("argument %zu: expected a number", i);
    return v;
  }
  /** A non-negative integer size or offset (at most 2^53). */
  int64_t i64(size_t i) {
    double v = num(i);
    if (ok && !(v >= 0 && v <= kMaxExact && v == (double)(int64_t)v))
      fail_range("argument %zu: expected a non-negative integer, got %g", i, v);
    return ok ? (int64_t)v : 0;
  }
  bool flag(size_t i) {
    bool v = false;
    napi_value x = at(i);
    if (ok && napi_get_value_bool(env, x, &v) != napi_ok) fail("argument %zu: expected a boolean", i);
    return v;
  }
  /** A Float32Array, Float64Array or Int32Array (or, when nullable, null/undefined: present = false). */
  Arr arr(size_t i, bool nullable = false) {
    Arr a;
    napi_value x = at(i);
    if (!ok) return a;
    napi_valuetype t;
    napi_typeof(env, x, &t);
    if (nullable && (t == napi_null || t == napi_undefined)) return a;
    bool is = false;
    napi_is_typedarray(env, x, &is);
    if (!is) { fail("argument %zu: expected a typed array", i); return a; }
    napi_typedarray_type tt;
    size_t len;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, x, &tt, &len, &a.data, &ab, &off);  // data includes byteOffset
    if (tt == napi_float32_array) a.dt = kF32;
    else if (tt == napi_float64_array) a.dt = kF64;
    else if (tt == napi_int32_array) a.dt = kI32;
    else { fail("argument %zu: expected a Float32Array, Float64Array or Int32Array", i); return a; }
    a.len = (int64_t)len;
    a.present = true;
    return a;
  }

  /** If every read and check passed: run the kernel under the kernel lock and return undefined. */
  template <class F> napi_value run(const F& kernel) {
    if (!ok) return nullptr;
    std::lock_guard<std::mutex> lk(kernel_mutex());
    kernel();
    return undef(env);
  }
};

inline bool is_float(const Arr& a) { return a.dt == kF32 || a.dt == kF64; }
inline size_t elem_size(DType dt) { return dt == kF64 ? 8 : 4; }

/**
 * meta = [nd, shape[nd], strides0[nd], strides1[nd], ...] (the TS side already collapsed it):
 * reads it into s and checks that every operand's reachable range [base + min, base + max]
 * lies inside its array. *total gets the element count.
 */
inline bool read_strided(Args& A, size_t i, int operands, Strided* s, const int64_t* base, const Arr* arrs,
                         int64_t* total) {
  Arr meta = A.arr(i);
  A.need(meta.dt == kF64 && meta.len >= 1, "meta must be a non-empty Float64Array");
  if (!A.ok) return false;
  const double* m = (const double*)meta.data;
  double ndv = m[0];
  if (!(ndv >= 1 && ndv <= kMaxDims && ndv == (int)ndv && meta.len >= 1 + (int64_t)ndv * (1 + operands))) {
    A.fail_range("meta: nd = %g must be 1..%d, with nd sizes and nd strides per operand after it", ndv, kMaxDims);
    return false;
  }
  int nd = (int)ndv;
  s->nd = nd;
  int64_t n = 1;
  for (int d = 0; d < nd; d++) {
    double v = m[1 + d];
    if (!(v >= 0 && v <= kMaxExact && v == (double)(int64_t)v)) {
      A.fail_range("meta: shape[%d] = %g is not a non-negative integer", d, v);
      return false;
    }
    s->shape[d] = (int64_t)v;
    n = mul_sat(n, s->shape[d]);
  }
  for (int q = 0; q < 3; q++) {
    for (int d = 0; d < nd; d++) {
      double v = q < operands ? m[1 + nd * (q + 1) + d] : 0;
      if (!(v >= -kMaxExact && v <= kMaxExact && v == (double)(int64_t)v)) {
        A.fail_range("meta: stride %d of operand %d = %g is not an integer", d, q, v);
        return false;
      }
      s->strides[q][d] = (int64_t)v;
    }
  }
  *total = n;
  if (n == 0) return true;
  for (int q = 0; q < operands; q++) {
    int64_t lo = base[q], hi = base[q];
    bool overflow = false;
    for (int d = 0; d < nd; d++) {
      int64_t ext;
      overflow |= __builtin_mul_overflow(s->shape[d] - 1, s->strides[q][d], &ext);
      overflow |= ext < 0 ? __builtin_add_overflow(lo, ext, &lo) : __builtin_add_overflow(hi, ext, &hi);
    }
    if (overflow || lo < 0 || hi >= arrs[q].len) {
      A.fail_range("operand %d: strided access outside its %lld elements", q, (long long)arrs[q].len);
      return false;
    }
  }
  return true;
}

}  // namespace descent
