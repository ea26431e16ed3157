// Optimizer updates over flat buffers, computed in double exactly like src/backend/ts/optim.ts
// (PyTorch's single-tensor Adam/AdamW and SGD); the bias corrections come from the caller. The
// per-element math is in rowk_impl.h (compiled per ISA, picked through g_rowk); here only the
// split over threads. Every element depends only on its own values, so any split gives the same bits.
#include "kernels.h"
#include "rowk.h"

namespace descent {

const RowKernels* g_rowk = rowk_base::table();

namespace {

template <class T> void adam_typed(const RowKernelsT<T>& k, T* param, const T* grad, T* m, T* v, T* vmax, int64_t n,
                                   const AdamArgs& a) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) { k.adam(param, grad, m, v, vmax, b, e, a); });
}

// All tensors in one pool job: the concatenated element range [0, sum of lengths) is split into
// equal contiguous parts, each walking the tensors it overlaps.
template <class T> void adam_many_typed(const RowKernelsT<T>& k, const AdamTensor* ts, int64_t count) {
  int64_t total = 0;
  for (int64_t t = 0; t < count; t++) total += ts[t].n;
  parallel_for(total, 1 << 15, [&](int64_t b, int64_t e) {
    int64_t start = 0;
    for (int64_t t = 0; t < count && start < e; start += ts[t].n, t++) {
      int64_t lo = b > start ? b - start : 0, hi = e - start < ts[t].n ? e - start : ts[t].n;
      if (lo >= hi) continue;
      const AdamTensor& x = ts[t];
      k.adam((T*)x.param, (const T*)x.grad, (T*)x.m, (T*)x.v, (T*)x.vmax, lo, hi, x.args);
    }
  });
}

template <class T> void sgd_typed(const RowKernelsT<T>& k, T* param, const T* grad, T* buf, int64_t n, const SgdArgs& a) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) { k.sgd(param, grad, buf, b, e, a); });
}

}  // namespace

void adam_kernel(DType dt, void* param, const void* grad, void* m, void* v, void* vmax, int64_t n, const AdamArgs& a) {
  if (dt == kF32) adam_typed<float>(g_rowk->f32, (float*)param, (const float*)grad, (float*)m, (float*)v, (float*)vmax, n, a);
  else adam_typed<double>(g_rowk->f64, (double*)param, (const double*)grad, (double*)m, (double*)v, (double*)vmax, n, a);
}

void adam_many_kernel(DType dt, const AdamTensor* tensors, int64_t count) {
  if (dt == kF32) adam_many_typed<float>(g_rowk->f32, tensors, count);
  else adam_many_typed<double>(g_rowk->f64, tensors, count);
}

void sgd_kernel(DType dt, void* param, const void* grad, void* buf, int64_t n, const SgdArgs& a) {
  if (dt == kF32) sgd_typed<float>(g_rowk->f32, (float*)param, (const float*)grad, (float*)buf, n, a);
  else sgd_typed<double>(g_rowk->f64, (double*)param, (const double*)grad, (double*)buf, n, a);
}

}  // namespace descent
