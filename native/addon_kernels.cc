// Node-API glue for the non-GEMM kernels: checks dtypes and bounds, then calls the kernels of
// elementwise.cc, copy.cc, reduce.cc, fused.cc and optim.cc.
#include "napi_args.h"

namespace descent {

napi_value Unary(napi_env env, napi_callback_info info) {
  Args A(env, info, "unary");
  int64_t op = A.i64(0);
  Arr x = A.arr(1), o = A.arr(2);
  A.need(op < U_COUNT, "unknown op");
  A.need(x.dt == o.dt && x.len == o.len, "x and out must have the same dtype and length");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  unary_kernel((int)op, x.dt, x.data, o.data, x.len);
  return undef(env);
}

napi_value UnaryBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "unaryBackward");
  int64_t op = A.i64(0);
  Arr x = A.arr(1), y = A.arr(2), gy = A.arr(3), o = A.arr(4);
  A.need(op < U_COUNT, "unknown op");
  A.need(is_float(x) && x.dt == y.dt && x.dt == gy.dt && x.dt == o.dt, "all arrays must share one float dtype");
  A.need(x.len == y.len && x.len == gy.len && x.len == o.len, "all arrays must have the same length");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  unary_backward_kernel((int)op, x.dt, x.data, y.data, gy.data, o.data, x.len);
  return undef(env);
}

napi_value Binary(napi_env env, napi_callback_info info) {
  Args A(env, info, "binary");
  int64_t op = A.i64(0);
  Arr a = A.arr(1), b = A.arr(2), o = A.arr(3);
  A.need(op < B_COUNT, "unknown op");
  A.need(a.dt == b.dt, "a and b must share a dtype");
  A.need(op >= B_EQ || o.dt == a.dt, "arithmetic output must have the input dtype");
  if (!A.ok) return nullptr;
  Strided s;
  int64_t base[3] = {0, 0, 0};
  Arr arrs[2] = {a, b};
  if (!read_strided(A, 4, 2, &s, base, arrs)) return nullptr;
  int64_t total = 1;
  for (int d = 0; d < s.nd; d++) total *= s.shape[d];
  A.need(total == o.len, "out length does not match the shape");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  if (total > 0) binary_kernel((int)op, a.dt, o.dt, a.data, b.data, o.data, s);
  return undef(env);
}

napi_value Where(napi_env env, napi_callback_info info) {
  Args A(env, info, "where");
  Arr c = A.arr(0), a = A.arr(1), b = A.arr(2), o = A.arr(3);
  A.need(a.dt == b.dt && a.dt == o.dt, "a, b and out must share a dtype");
  if (!A.ok) return nullptr;
  Strided s;
  int64_t base[3] = {0, 0, 0};
  Arr arrs[3] = {c, a, b};
  if (!read_strided(A, 4, 3, &s, base, arrs)) return nullptr;
  int64_t total = 1;
  for (int d = 0; d < s.nd; d++) total *= s.shape[d];
  A.need(total == o.len, "out length does not match the shape");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  if (total > 0) where_kernel(c.dt, a.dt, c.data, a.data, b.data, o.data, s);
  return undef(env);
}

napi_value StridedCopy(napi_env env, napi_callback_info info) {
  Args A(env, info, "stridedCopy");
  Arr src = A.arr(0), dst = A.arr(1);
  int64_t so = A.i64(3), dof = A.i64(4);
  bool acc = A.flag(5);
  A.need(src.dt == dst.dt, "src and dst must share a dtype");
  if (!A.ok) return nullptr;
  Strided s;
  int64_t base[3] = {so, dof, 0};
  Arr arrs[2] = {src, dst};
  if (!read_strided(A, 2, 2, &s, base, arrs)) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  // The runs below address from the offsets, so shift the base pointers first.
  size_t es = elem_size(src.dt);
  strided_copy_kernel(src.dt, (const char*)src.data + so * es, (char*)dst.data + dof * es, s, acc);
  return undef(env);
}

napi_value Cast(napi_env env, napi_callback_info info) {
  Args A(env, info, "cast");
  Arr s = A.arr(0), d = A.arr(1);
  A.need(s.len == d.len, "src and dst must have the same length");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  cast_kernel(s.dt, d.dt, s.data, d.data, s.len);
  return undef(env);
}

napi_value Fill(napi_env env, napi_callback_info info) {
  Args A(env, info, "fill");
  Arr o = A.arr(0);
  double v = A.num(1);
  if (!A.ok) return nullptr;
  fill_kernel(o.dt, o.data, o.len, v);
  return undef(env);
}

napi_value Reduce(napi_env env, napi_callback_info info) {
  Args A(env, info, "reduce");
  int64_t op = A.i64(0);
  Arr x = A.arr(1);
  int64_t outer = A.i64(2), size = A.i64(3), inner = A.i64(4);
  Arr o = A.arr(5);
  A.need(op < R_COUNT, "unknown op");
  A.need(outer * size * inner <= x.len && outer * inner <= o.len, "arrays too short for the sizes");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  reduce_kernel((int)op, x.dt, o.dt, x.data, outer, size, inner, o.data);
  return undef(env);
}

napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Args A(env, info, "argReduce");
  bool isMin = A.flag(0);
  Arr x = A.arr(1);
  int64_t outer = A.i64(2), size = A.i64(3), inner = A.i64(4);
  Arr o = A.arr(5);
  A.need(o.dt == kI32, "out must be an Int32Array");
  A.need(size >= 1 && outer * size * inner <= x.len && outer * inner <= o.len, "arrays too short for the sizes");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  argreduce_kernel(isMin, x.dt, x.data, outer, size, inner, (int32_t*)o.data);
  return undef(env);
}

napi_value Softmax(napi_env env, napi_callback_info info) {
  Args A(env, info, "softmax");
  Arr x = A.arr(0);
  int64_t rows = A.i64(1), cols = A.i64(2);
  Arr o = A.arr(3);
  bool lg = A.flag(4);
  A.need(is_float(x) && x.dt == o.dt, "x and out must share a float dtype");
  A.need(rows * cols <= x.len && rows * cols <= o.len, "arrays too short for the sizes");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  softmax_kernel(x.dt, x.data, rows, cols, o.data, lg);
  return undef(env);
}

napi_value SoftmaxBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "softmaxBackward");
  Arr y = A.arr(0), gy = A.arr(1);
  int64_t rows = A.i64(2), cols = A.i64(3);
  Arr gx = A.arr(4);
  bool lg = A.flag(5);
  A.need(is_float(y) && y.dt == gy.dt && y.dt == gx.dt, "arrays must share a float dtype");
  A.need(rows * cols <= y.len && rows * cols <= gy.len && rows * cols <= gx.len, "arrays too short for the sizes");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  softmax_backward_kernel(y.dt, y.data, gy.data, rows, cols, gx.data, lg);
  return undef(env);
}

napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args A(env, info, "layerNorm");
  Arr x = A.arr(0), w = A.arr(1, true), b = A.arr(2, true);
  int64_t rows = A.i64(3), cols = A.i64(4);
  double eps = A.num(5);
  Arr o = A.arr(6), mean = A.arr(7), rstd = A.arr(8);
  A.need(is_float(x) && o.dt == x.dt && mean.dt == x.dt && rstd.dt == x.dt, "arrays must share a float dtype");
  A.need((!w.present || (w.dt == x.dt && w.len >= cols)) && (!b.present || (b.dt == x.dt && b.len >= cols)),
         "weight/bias must match x's dtype and have cols elements");
  A.need(rows * cols <= x.len && rows * cols <= o.len && rows <= mean.len && rows <= rstd.len, "arrays too short");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  layernorm_kernel(x.dt, x.data, w.data, b.data, rows, cols, eps, o.data, mean.data, rstd.data);
  return undef(env);
}

napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "layerNormBackward");
  Arr x = A.arr(0), w = A.arr(1, true), mean = A.arr(2), rstd = A.arr(3), gy = A.arr(4);
  int64_t rows = A.i64(5), cols = A.i64(6);
  Arr gx = A.arr(7), gw = A.arr(8, true), gb = A.arr(9, true);
  A.need(is_float(x) && mean.dt == x.dt && rstd.dt == x.dt && gy.dt == x.dt && gx.dt == x.dt,
         "arrays must share a float dtype");
  A.need((!w.present || (w.dt == x.dt && w.len >= cols)) && (!gw.present || (gw.dt == x.dt && gw.len >= cols)) &&
         (!gb.present || (gb.dt == x.dt && gb.len >= cols)), "weight/gWeight/gBias must match x and have cols elements");
  A.need(rows * cols <= x.len && rows * cols <= gy.len && rows * cols <= gx.len && rows <= mean.len && rows <= rstd.len,
         "arrays too short");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  layernorm_backward_kernel(x.dt, x.data, w.data, mean.data, rstd.data, gy.data, rows, cols, gx.data, gw.data, gb.data);
  return undef(env);
}

static bool check_indices(Args& A, const Arr& idx, int64_t rowsInTable) {
  A.need(idx.dt == kI32, "indices must be an Int32Array");
  if (!A.ok) return false;
  const int32_t* p = (const int32_t*)idx.data;
  for (int64_t i = 0; i < idx.len; i++)
    if (p[i] < 0 || p[i] >= rowsInTable) { A.fail("index out of range"); return false; }
  return true;
}

napi_value Embedding(napi_env env, napi_callback_info info) {
  Args A(env, info, "embedding");
  Arr t = A.arr(0), idx = A.arr(1);
  int64_t cols = A.i64(2);
  Arr o = A.arr(3);
  A.need(t.dt == o.dt && idx.len * cols <= o.len, "out must match the table dtype and hold idx.length * cols");
  if (!A.ok || !check_indices(A, idx, cols > 0 ? t.len / cols : 0)) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  if (cols > 0) embedding_kernel(t.dt, t.data, (const int32_t*)idx.data, idx.len, cols, o.data);
  return undef(env);
}

napi_value EmbeddingBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "embeddingBackward");
  Arr gy = A.arr(0), idx = A.arr(1);
  int64_t cols = A.i64(2);
  Arr gt = A.arr(3);
  A.need(is_float(gy) && gy.dt == gt.dt && idx.len * cols <= gy.len, "gy/gTable must share a float dtype");
  if (!A.ok || !check_indices(A, idx, cols > 0 ? gt.len / cols : 0)) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  if (cols > 0) embedding_backward_kernel(gy.dt, gy.data, (const int32_t*)idx.data, idx.len, cols, gt.data);
  return undef(env);
}

napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  Args A(env, info, "crossEntropy");
  Arr l = A.arr(0), t = A.arr(1);
  int64_t rows = A.i64(2), cols = A.i64(3);
  double ignore = A.num(4), ls = A.num(5);
  Arr loss = A.arr(6), probs = A.arr(7);
  A.need(is_float(l) && loss.dt == l.dt && probs.dt == l.dt && t.dt == kI32, "bad dtypes");
  A.need(rows * cols <= l.len && rows * cols <= probs.len && rows <= t.len && rows <= loss.len, "arrays too short");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  cross_entropy_kernel(l.dt, l.data, (const int32_t*)t.data, rows, cols, (int32_t)ignore, ls, loss.data, probs.data);
  return undef(env);
}

napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  Args A(env, info, "crossEntropyBackward");
  Arr p = A.arr(0), t = A.arr(1);
  int64_t rows = A.i64(2), cols = A.i64(3);
  double ignore = A.num(4), ls = A.num(5);
  Arr sc = A.arr(6), g = A.arr(7);
  A.need(is_float(p) && sc.dt == p.dt && g.dt == p.dt && t.dt == kI32, "bad dtypes");
  A.need(rows * cols <= p.len && rows * cols <= g.len && rows <= t.len && rows <= sc.len, "arrays too short");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  cross_entropy_backward_kernel(p.dt, p.data, (const int32_t*)t.data, rows, cols, (int32_t)ignore, ls, sc.data, g.data);
  return undef(env);
}

napi_value Adam(napi_env env, napi_callback_info info) {
  Args A(env, info, "adamUpdate");
  Arr p = A.arr(0), g = A.arr(1), m = A.arr(2), v = A.arr(3), vmax = A.arr(4, true);
  AdamArgs a;
  a.lr = A.num(5); a.beta1 = A.num(6); a.beta2 = A.num(7); a.eps = A.num(8); a.weightDecay = A.num(9);
  a.decoupled = A.flag(10); a.bc1 = A.num(11); a.bc2Sqrt = A.num(12); a.gradScale = A.num(13);
  A.need(is_float(p) && g.dt == p.dt && m.dt == p.dt && v.dt == p.dt && (!vmax.present || vmax.dt == p.dt),
         "buffers must share a float dtype");
  A.need(g.len >= p.len && m.len >= p.len && v.len >= p.len && (!vmax.present || vmax.len >= p.len), "buffers too short");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  adam_kernel(p.dt, p.data, g.data, m.data, v.data, vmax.data, p.len, a);
  return undef(env);
}

napi_value Sgd(napi_env env, napi_callback_info info) {
  Args A(env, info, "sgdUpdate");
  Arr p = A.arr(0), g = A.arr(1), buf = A.arr(2, true);
  SgdArgs a;
  a.lr = A.num(3); a.momentum = A.num(4); a.dampening = A.num(5); a.nesterov = A.flag(6); a.weightDecay = A.num(7);
  a.firstStep = A.flag(8);
  A.need(is_float(p) && g.dt == p.dt && (!buf.present || buf.dt == p.dt), "buffers must share a float dtype");
  A.need(g.len >= p.len && (!buf.present || buf.len >= p.len), "buffers too short");
  if (!A.ok) return nullptr;
  std::lock_guard<std::mutex> lk(kernel_mutex());
  sgd_kernel(p.dt, p.data, g.data, buf.data, p.len, a);
  return undef(env);
}

}  // namespace descent
