// Node-API argument helpers shared by the addon's glue files: typed arrays with their dtype,
// numbers, flags, strided-layout metadata; each failure throws a JS TypeError once.
#pragma once
#include <node_api.h>
#include <stdio.h>

#include <mutex>

#include "kernels.h"

namespace descent {

/** Kernels share scratch buffers and the pool: one call at a time per process. */
std::mutex& kernel_mutex();

struct Arr {
  void* data = nullptr;
  int64_t len = 0;
  DType dt = kF32;
  bool present = false;
};

// ---- argument helpers: each returns false after throwing a JS exception ----

struct Args {
  napi_env env;
  napi_value argv[20];
  size_t argc = 20;
  const char* fn;
  bool ok = true;

  Args(napi_env e, napi_callback_info info, const char* name) : env(e), fn(name) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  }
  void fail(const char* what) {
    if (!ok) return;
    ok = false;
    char msg[256];
    snprintf(msg, sizeof msg, "descent native %s: %s", fn, what);
    napi_throw_type_error(env, nullptr, msg);
  }
  napi_value at(size_t i) {
    if (i >= argc) { fail("missing argument"); return nullptr; }
    return argv[i];
  }
  double num(size_t i) {
    double v = 0;
    napi_value x = at(i);
    if (ok && napi_get_value_double(env, x, &v) != napi_ok) fail("expected a number");
    return v;
  }
  int64_t i64(size_t i) {
    double v = num(i);
    if (ok && (v != (double)(int64_t)v || v < 0)) fail("expected a non-negative integer");
    return (int64_t)v;
  }
  bool flag(size_t i) {
    bool v = false;
    napi_value x = at(i);
    if (ok && napi_get_value_bool(env, x, &v) != napi_ok) fail("expected a boolean");
    return v;
  }
  Arr arr(size_t i, bool nullable = false) {
    Arr a;
    napi_value x = at(i);
    if (!ok) return a;
    napi_valuetype t;
    napi_typeof(env, x, &t);
    if (nullable && (t == napi_null || t == napi_undefined)) return a;
    bool is = false;
    napi_is_typedarray(env, x, &is);
    if (!is) { fail("expected a typed array"); return a; }
    napi_typedarray_type tt;
    size_t len;
    napi_value ab;
    size_t off;
    // data already points at element 0 of the view (byteOffset applied).
    napi_get_typedarray_info(env, x, &tt, &len, &a.data, &ab, &off);
    if (tt == napi_float32_array) a.dt = kF32;
    else if (tt == napi_float64_array) a.dt = kF64;
    else if (tt == napi_int32_array) a.dt = kI32;
    else { fail("expected a Float32Array, Float64Array or Int32Array"); return a; }
    a.len = (int64_t)len;
    a.present = true;
    return a;
  }
  void need(bool cond, const char* what) { if (ok && !cond) fail(what); }
};

inline bool is_float(const Arr& a) { return a.dt == kF32 || a.dt == kF64; }
inline size_t elem_size(DType dt) { return dt == kF64 ? 8 : 4; }

inline napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// meta = [nd, shape[nd], strides0[nd], strides1[nd], ...]: read, check, and collapse nothing
// (the TS side already collapsed); also checks every operand's reachable range.
inline bool read_strided(Args& A, size_t i, int operands, Strided* s, const int64_t* base, const Arr* arrs) {
  Arr meta = A.arr(i);
  if (!A.ok) return false;
  A.need(meta.dt == kF64, "meta must be a Float64Array");
  const double* m = (const double*)meta.data;
  if (!A.ok || meta.len < 1) { A.fail("bad meta"); return false; }
  int nd = (int)m[0];
  A.need(nd >= 1 && nd <= kMaxDims && meta.len >= 1 + (int64_t)nd * (1 + operands), "bad meta dims");
  if (!A.ok) return false;
  s->nd = nd;
  for (int d = 0; d < nd; d++) s->shape[d] = (int64_t)m[1 + d];
  for (int q = 0; q < 3; q++)
    for (int d = 0; d < nd; d++) s->strides[q][d] = q < operands ? (int64_t)m[1 + nd * (q + 1) + d] : 0;
  int64_t total = 1;
  for (int d = 0; d < nd; d++) total *= s->shape[d];
  if (total == 0) return true;
  for (int q = 0; q < operands; q++) {
    int64_t lo = base[q], hi = base[q];
    for (int d = 0; d < nd; d++) {
      int64_t ext = (s->shape[d] - 1) * s->strides[q][d];
      if (ext < 0) lo += ext; else hi += ext;
    }
    if (lo < 0 || hi >= arrs[q].len) { A.fail("strided access out of bounds"); return false; }
  }
  return true;
}

}  // namespace descent
