// Node-API glue for the non-GEMM kernels: checks dtypes and bounds (with overflow-safe size
// products), then calls the kernels of elementwise.cc, copy.cc, reduce.cc, fused.cc and optim.cc.
#include <vector>

#include "napi_args.h"

namespace descent {

napi_value Unary(napi_env env, napi_callback_info info) {
  Args A(env, info, "unary");
  int64_t op = A.i64(0);
  Arr x = A.arr(1), o = A.arr(2);
  A.need_len(op < U_COUNT, "unknown op code");
  A.need(x.dt == o.dt, "x and out must have the same dtype");
  A.need_len(x.len == o.len, "x and out must have the same length");
  return A.run([&] { unary_kernel((int)op, x.dt, x.data, o.data, x.len); });
}

napi_value UnaryBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "unaryBackward");
  int64_t op = A.i64(0);
  Arr x = A.arr(1), y = A.arr(2), gy = A.arr(3), o = A.arr(4);
  A.need_len(op < U_COUNT, "unknown op code");
  A.need(is_float(x) && x.dt == y.dt && x.dt == gy.dt && x.dt == o.dt, "x, y, gy and out must share one float dtype");
  A.need_len(x.len == y.len && x.len == gy.len && x.len == o.len, "x, y, gy and out must have the same length");
  return A.run([&] { unary_backward_kernel((int)op, x.dt, x.data, y.data, gy.data, o.data, x.len); });
}

napi_value BiasActBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "biasActBackward");
  double code = A.num(0);
  bool act = code >= 0 || code == -2;  // -2: x holds the saved derivative (gx = gy * x)
  A.need_len(code == -1 || code == -2 || code == U_GELU || code == U_GELU_TANH || code == U_RELU,
             "op must be -1 (identity), -2 (multiply by the saved derivative x) or a GELU or ReLU code");
  Arr x = A.arr(1, !act), gy = A.arr(2);
  int64_t rows = A.i64(3), cols = A.i64(4);
  Arr gx = A.arr(5, !act), gb = A.arr(6, true);
  A.need(is_float(gy) && (!x.present || x.dt == gy.dt) && (!gx.present || gx.dt == gy.dt) &&
             (!gb.present || gb.dt == gy.dt), "x, gy, gx and gBias must share one float dtype");
  int64_t n = mul_sat(rows, cols);
  A.need_len(n <= gy.len && (!act || (n <= x.len && n <= gx.len)) && (!gb.present || cols <= gb.len),
             "x, gy and gx must hold rows * cols elements, gBias cols");
  return A.run([&] {
    bias_act_backward_kernel((int)code, gy.dt, x.data, gy.data, rows, cols, gx.data, gb.data);
  });
}

napi_value Binary(napi_env env, napi_callback_info info) {
  Args A(env, info, "binary");
  int64_t op = A.i64(0);
  Arr a = A.arr(1), b = A.arr(2), o = A.arr(3);
  A.need_len(op < B_COUNT, "unknown op code");
  A.need(a.dt == b.dt, "a and b must share a dtype");
  A.need(op >= B_EQ || o.dt == a.dt, "arithmetic output must have the input dtype");
  Strided s;
  int64_t base[3] = {0, 0, 0}, total = 0;
  Arr arrs[2] = {a, b};
  if (!A.ok || !read_strided(A, 4, 2, &s, base, arrs, &total)) return nullptr;
  A.need_len(total == o.len, "out length does not match the shape in meta");
  return A.run([&] { if (total > 0) binary_kernel((int)op, a.dt, o.dt, a.data, b.data, o.data, s); });
}

napi_value Where(napi_env env, napi_callback_info info) {
  Args A(env, info, "where");
  Arr c = A.arr(0), a = A.arr(1), b = A.arr(2), o = A.arr(3);
  A.need(a.dt == b.dt && a.dt == o.dt, "a, b and out must share a dtype");
  Strided s;
  int64_t base[3] = {0, 0, 0}, total = 0;
  Arr arrs[3] = {c, a, b};
  if (!A.ok || !read_strided(A, 4, 3, &s, base, arrs, &total)) return nullptr;
  A.need_len(total == o.len, "out length does not match the shape in meta");
  return A.run([&] { if (total > 0) where_kernel(c.dt, a.dt, c.data, a.data, b.data, o.data, s); });
}

napi_value StridedCopy(napi_env env, napi_callback_info info) {
  Args A(env, info, "stridedCopy");
  Arr src = A.arr(0), dst = A.arr(1);
  int64_t so = A.i64(3), dof = A.i64(4);
  bool acc = A.flag(5);
  A.need(src.dt == dst.dt, "src and dst must share a dtype");
  Strided s;
  int64_t base[3] = {so, dof, 0}, total = 0;
  Arr arrs[2] = {src, dst};
  if (!A.ok || !read_strided(A, 2, 2, &s, base, arrs, &total)) return nullptr;
  // The kernel addresses from the offsets, so the base pointers are shifted by them.
  size_t es = elem_size(src.dt);
  return A.run([&] {
    if (total > 0) strided_copy_kernel(src.dt, (const char*)src.data + so * es, (char*)dst.data + dof * es, s, acc);
  });
}

napi_value Cast(napi_env env, napi_callback_info info) {
  Args A(env, info, "cast");
  Arr s = A.arr(0), d = A.arr(1);
  A.need_len(s.len == d.len, "src and dst must have the same length");
  return A.run([&] { cast_kernel(s.dt, d.dt, s.data, d.data, s.len); });
}

napi_value Fill(napi_env env, napi_callback_info info) {
  Args A(env, info, "fill");
  Arr d = A.arr(0);
  double value = A.num(1);
  return A.run([&] { fill_kernel(d.dt, d.data, d.len, value); });
}

napi_value Reduce(napi_env env, napi_callback_info info) {
  Args A(env, info, "reduce");
  int64_t op = A.i64(0);
  Arr x = A.arr(1);
  int64_t outer = A.i64(2), size = A.i64(3), inner = A.i64(4);
  Arr o = A.arr(5);
  A.need_len(op < R_COUNT, "unknown op code");
  A.need_len(mul_sat(mul_sat(outer, size), inner) <= x.len, "x is shorter than outer * size * inner");
  A.need_len(mul_sat(outer, inner) <= o.len, "out is shorter than outer * inner");
  return A.run([&] { if (mul_sat(outer, inner) > 0) reduce_kernel((int)op, x.dt, o.dt, x.data, outer, size, inner, o.data); });
}

napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Args A(env, info, "argReduce");
  bool isMin = A.flag(0);
  Arr x = A.arr(1);
  int64_t outer = A.i64(2), size = A.i64(3), inner = A.i64(4);
  Arr o = A.arr(5);
  A.need(o.dt == kI32, "out must be an Int32Array");
  A.need_len(size >= 1 && size <= INT32_MAX, "size must be in 1..2^31-1");
  A.need_len(mul_sat(mul_sat(outer, size), inner) <= x.len, "x is shorter than outer * size * inner");
  A.need_len(mul_sat(outer, inner) <= o.len, "out is shorter than outer * inner");
  return A.run([&] { if (mul_sat(outer, inner) > 0) argreduce_kernel(isMin, x.dt, x.data, outer, size, inner, (int32_t*)o.data); });
}

napi_value Softmax(napi_env env, napi_callback_info info) {
  Args A(env, info, "softmax");
  Arr x = A.arr(0);
  int64_t rows = A.i64(1), cols = A.i64(2);
  Arr o = A.arr(3);
  bool lg = A.flag(4);
  A.need(is_float(x) && x.dt == o.dt, "x and out must share a float dtype");
  int64_t n = mul_sat(rows, cols);
  A.need_len(n <= x.len && n <= o.len, "x and out must hold rows * cols elements");
  return A.run([&] { if (n > 0) softmax_kernel(x.dt, x.data, rows, cols, o.data, lg); });  // rows alone may be huge
}

napi_value SoftmaxBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "softmaxBackward");
  Arr y = A.arr(0), gy = A.arr(1);
  int64_t rows = A.i64(2), cols = A.i64(3);
  Arr gx = A.arr(4);
  bool lg = A.flag(5);
  A.need(is_float(y) && y.dt == gy.dt && y.dt == gx.dt, "y, gy and gx must share a float dtype");
  int64_t n = mul_sat(rows, cols);
  A.need_len(n <= y.len && n <= gy.len && n <= gx.len, "y, gy and gx must hold rows * cols elements");
  return A.run([&] { if (n > 0) softmax_backward_kernel(y.dt, y.data, gy.data, rows, cols, gx.data, lg); });
}

napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args A(env, info, "layerNorm");
  Arr x = A.arr(0), w = A.arr(1, true), b = A.arr(2, true);
  int64_t rows = A.i64(3), cols = A.i64(4);
  double eps = A.num(5);
  Arr o = A.arr(6), mean = A.arr(7), rstd = A.arr(8);
  A.need(is_float(x) && o.dt == x.dt && mean.dt == x.dt && rstd.dt == x.dt &&
         (!w.present || w.dt == x.dt) && (!b.present || b.dt == x.dt), "all arrays must share x's float dtype");
  int64_t n = mul_sat(rows, cols);
  A.need_len((!w.present || w.len >= cols) && (!b.present || b.len >= cols), "weight and bias must hold cols elements");
  A.need_len(n <= x.len && n <= o.len && rows <= mean.len && rows <= rstd.len,
             "x and out must hold rows * cols elements, mean and rstd rows");
  return A.run([&] { layernorm_kernel(x.dt, x.data, w.data, b.data, rows, cols, eps, o.data, mean.data, rstd.data); });
}

napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "layerNormBackward");
  Arr x = A.arr(0), w = A.arr(1, true), mean = A.arr(2), rstd = A.arr(3), gy = A.arr(4);
  int64_t rows = A.i64(5), cols = A.i64(6);
  Arr gx = A.arr(7), gw = A.arr(8, true), gb = A.arr(9, true);
  A.need(is_float(x) && mean.dt == x.dt && rstd.dt == x.dt && gy.dt == x.dt && gx.dt == x.dt &&
         (!w.present || w.dt == x.dt) && (!gw.present || gw.dt == x.dt) && (!gb.present || gb.dt == x.dt),
         "all arrays must share x's float dtype");
  A.need_len((!w.present || w.len >= cols) && (!gw.present || gw.len >= cols) && (!gb.present || gb.len >= cols),
             "weight, gWeight and gBias must hold cols elements");
  int64_t n = mul_sat(rows, cols);
  A.need_len(n <= x.len && n <= gy.len && n <= gx.len && rows <= mean.len && rows <= rstd.len,
             "x, gy and gx must hold rows * cols elements, mean and rstd rows");
  return A.run([&] {
    layernorm_backward_kernel(x.dt, x.data, w.data, mean.data, rstd.data, gy.data, rows, cols, gx.data, gw.data, gb.data);
  });
}

/** Every index in [0, rowsInTable): checked before any row is touched. */
static void check_indices(Args& A, const Arr& idx, int64_t rowsInTable) {
  A.need(idx.dt == kI32, "indices must be an Int32Array");
  if (!A.ok) return;
  const int32_t* p = (const int32_t*)idx.data;
  for (int64_t i = 0; i < idx.len; i++) {
    if (p[i] < 0 || p[i] >= rowsInTable) {
      A.fail_range("index %d at position %lld is out of range for a table of %lld rows", p[i], (long long)i,
                   (long long)rowsInTable);
      return;
    }
  }
}

napi_value Embedding(napi_env env, napi_callback_info info) {
  Args A(env, info, "embedding");
  Arr t = A.arr(0), idx = A.arr(1);
  int64_t cols = A.i64(2);
  Arr o = A.arr(3);
  A.need(t.dt == o.dt, "out must have the table's dtype");
  A.need_len(mul_sat(idx.len, cols) <= o.len, "out must hold idx.length * cols elements");
  check_indices(A, idx, cols > 0 ? t.len / cols : 0);
  return A.run([&] { if (cols > 0) embedding_kernel(t.dt, t.data, (const int32_t*)idx.data, idx.len, cols, o.data); });
}

napi_value EmbeddingBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "embeddingBackward");
  Arr gy = A.arr(0), idx = A.arr(1);
  int64_t cols = A.i64(2);
  Arr gt = A.arr(3);
  A.need(is_float(gy) && gy.dt == gt.dt, "gy and gTable must share a float dtype");
  A.need_len(mul_sat(idx.len, cols) <= gy.len, "gy must hold idx.length * cols elements");
  check_indices(A, idx, cols > 0 ? gt.len / cols : 0);
  return A.run([&] {
    if (cols > 0) embedding_backward_kernel(gy.dt, gy.data, (const int32_t*)idx.data, idx.len, cols, gt.data);
  });
}

/** ignoreIndex: any integer (one outside int32 range matches no target, as in the TS reference). */
static int64_t read_ignore(Args& A, size_t i) {
  double v = A.num(i);
  if (A.ok && !(v == __builtin_trunc(v) && v - v == 0)) A.fail_range("argument %zu: ignoreIndex must be an integer, got %g", i, v);
  if (!A.ok) return 0;
  return (int64_t)(v < -kMaxExact ? -kMaxExact : v > kMaxExact ? kMaxExact : v);
}

napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  Args A(env, info, "crossEntropy");
  Arr l = A.arr(0), t = A.arr(1);
  int64_t rows = A.i64(2), cols = A.i64(3);
  int64_t ignore = read_ignore(A, 4);
  double ls = A.num(5);
  Arr loss = A.arr(6), probs = A.arr(7);
  A.need(is_float(l) && loss.dt == l.dt && probs.dt == l.dt, "logits, loss and probs must share a float dtype");
  A.need(t.dt == kI32, "targets must be an Int32Array");
  int64_t n = mul_sat(rows, cols);
  A.need_len(n <= l.len && n <= probs.len && rows <= t.len && rows <= loss.len,
             "logits and probs must hold rows * cols elements, targets and loss rows");
  return A.run([&] {
    cross_entropy_kernel(l.dt, l.data, (const int32_t*)t.data, rows, cols, ignore, ls, loss.data, probs.data);
  });
}

napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "crossEntropyBackward");
  Arr p = A.arr(0), t = A.arr(1);
  int64_t rows = A.i64(2), cols = A.i64(3);
  int64_t ignore = read_ignore(A, 4);
  double ls = A.num(5);
  Arr sc = A.arr(6), g = A.arr(7);
  A.need(is_float(p) && sc.dt == p.dt && g.dt == p.dt, "probs, rowScale and g must share a float dtype");
  A.need(t.dt == kI32, "targets must be an Int32Array");
  int64_t n = mul_sat(rows, cols);
  A.need_len(n <= p.len && n <= g.len && rows <= t.len && rows <= sc.len,
             "probs and g must hold rows * cols elements, targets and rowScale rows");
  return A.run([&] {
    cross_entropy_backward_kernel(p.dt, p.data, (const int32_t*)t.data, rows, cols, ignore, ls, sc.data, g.data);
  });
}

napi_value Adam(napi_env env, napi_callback_info info) {
  Args A(env, info, "adamUpdate");
  Arr p = A.arr(0), g = A.arr(1), m = A.arr(2), v = A.arr(3), vmax = A.arr(4, true);
  AdamArgs a;
  a.lr = A.num(5); a.beta1 = A.num(6); a.beta2 = A.num(7); a.eps = A.num(8); a.weightDecay = A.num(9);
  a.decoupled = A.flag(10); a.bc1 = A.num(11); a.bc2Sqrt = A.num(12); a.gradScale = A.num(13);
  A.need(is_float(p) && g.dt == p.dt && m.dt == p.dt && v.dt == p.dt && (!vmax.present || vmax.dt == p.dt),
         "param, grad, m, v and vmax must share a float dtype");
  A.need_len(g.len >= p.len && m.len >= p.len && v.len >= p.len && (!vmax.present || vmax.len >= p.len),
             "grad, m, v and vmax must be at least as long as param");
  return A.run([&] { adam_kernel(p.dt, p.data, g.data, m.data, v.data, vmax.data, p.len, a); });
}

namespace {

// Element i of the JS array argument `arg` as a float typed array (null allowed when nullable).
Arr element_arr(Args& A, napi_value list, uint32_t i, bool nullable, const char* what) {
  Arr a;
  napi_value x;
  if (!A.ok) return a;
  if (napi_get_element(A.env, list, i, &x) != napi_ok) { A.fail("%s[%u] is missing", what, i); return a; }
  napi_valuetype t;
  napi_typeof(A.env, x, &t);
  if (nullable && (t == napi_null || t == napi_undefined)) return a;
  bool is = false;
  napi_is_typedarray(A.env, x, &is);
  if (!is) { A.fail("%s[%u]: expected a Float32Array or Float64Array", what, i); return a; }
  napi_typedarray_type tt;
  size_t len, off;
  napi_value ab;
  napi_get_typedarray_info(A.env, x, &tt, &len, &a.data, &ab, &off);
  if (tt != napi_float32_array && tt != napi_float64_array) { A.fail("%s[%u]: expected a Float32Array or Float64Array", what, i); return a; }
  a.dt = tt == napi_float32_array ? kF32 : kF64;
  a.len = (int64_t)len;
  a.present = true;
  return a;
}

uint32_t list_length(Args& A, size_t arg, const char* what) {
  napi_value x = A.at(arg);
  bool is = false;
  uint32_t n = 0;
  if (A.ok) napi_is_array(A.env, x, &is);
  if (A.ok && !is) A.fail("%s must be an array", what);
  if (A.ok) napi_get_array_length(A.env, x, &n);
  return n;
}

}  // namespace

// adamUpdateMany(params[], grads[], ms[], vs[], vmaxs[] (null entries), meta): meta holds 9
// numbers per tensor: lr, beta1, beta2, eps, weightDecay, bc1, bc2Sqrt, gradScale, decoupled (0/1).
// Every array is checked before any is written.
napi_value AdamMany(napi_env env, napi_callback_info info) {
  Args A(env, info, "adamUpdateMany");
  const char* names[5] = {"params", "grads", "m", "v", "vmax"};
  uint32_t n = list_length(A, 0, names[0]);
  for (size_t k = 1; k < 5; k++) A.need_len(list_length(A, k, names[k]) == n, "params, grads, m, v and vmax must have equal lengths");
  Arr meta = A.arr(5);
  A.need(meta.dt == kF64, "meta must be a Float64Array");
  A.need_len(meta.len >= 9 * (int64_t)n, "meta must hold 9 numbers per tensor");
  std::vector<AdamTensor> ts(A.ok ? n : 0);
  DType dt = kF32;
  for (uint32_t i = 0; i < n && A.ok; i++) {
    Arr x[5];
    for (int k = 0; k < 5; k++) x[k] = element_arr(A, A.argv[k], i, k == 4, names[k]);
    if (!A.ok) break;
    if (i == 0) dt = x[0].dt;
    A.need(x[0].dt == dt && x[1].dt == dt && x[2].dt == dt && x[3].dt == dt && (!x[4].present || x[4].dt == dt),
           "every array must share one float dtype");
    A.need_len(x[1].len >= x[0].len && x[2].len >= x[0].len && x[3].len >= x[0].len && (!x[4].present || x[4].len >= x[0].len),
               "grad, m, v and vmax must be at least as long as their param");
    const double* q = (const double*)meta.data + 9 * (int64_t)i;
    AdamArgs& a = ts[i].args;
    a.lr = q[0]; a.beta1 = q[1]; a.beta2 = q[2]; a.eps = q[3]; a.weightDecay = q[4]; a.bc1 = q[5]; a.bc2Sqrt = q[6];
    a.gradScale = q[7]; a.decoupled = q[8] != 0;
    ts[i].param = x[0].data; ts[i].grad = x[1].data; ts[i].m = x[2].data; ts[i].v = x[3].data;
    ts[i].vmax = x[4].present ? x[4].data : nullptr; ts[i].n = x[0].len;
  }
  return A.run([&] { adam_many_kernel(dt, ts.data(), (int64_t)ts.size()); });
}

napi_value Sgd(napi_env env, napi_callback_info info) {
  Args A(env, info, "sgdUpdate");
  Arr p = A.arr(0), g = A.arr(1), buf = A.arr(2, true);
  SgdArgs a;
  a.lr = A.num(3); a.momentum = A.num(4); a.dampening = A.num(5); a.nesterov = A.flag(6); a.weightDecay = A.num(7);
  a.firstStep = A.flag(8);
  A.need(is_float(p) && g.dt == p.dt && (!buf.present || buf.dt == p.dt), "param, grad and buf must share a float dtype");
  A.need_len(g.len >= p.len && (!buf.present || buf.len >= p.len), "grad and buf must be at least as long as param");
  return A.run([&] { sgd_kernel(p.dt, p.data, g.data, buf.data, p.len, a); });
}

}  // namespace descent
