// Optimizer updates over flat buffers, computed in double exactly like src/backend/ts/optim.ts
// (PyTorch's single-tensor Adam/AdamW and SGD); the bias corrections come from the caller.
#include <math.h>

#include "kernels.h"

namespace descent {
namespace {

// One Adam/AdamW update of elements [b, e); every element depends only on its own values, so any
// split of the work gives the same bits.
template <class T> void adam_range(T* param, const T* grad, T* m, T* v, T* vmax, int64_t b, int64_t e, const AdamArgs& a) {
  const double stepSize = a.lr / a.bc1;
  const double decay = a.decoupled ? 1 - a.lr * a.weightDecay : 1;
  const double w1 = 1 - a.beta1;
  const double b2 = a.beta2, omb2 = 1 - a.beta2;
  for (int64_t i = b; i < e; i++) {
    double g = a.gradScale == 1 ? (double)grad[i] : (double)grad[i] / a.gradScale;
    double w = (double)param[i];
    if (a.weightDecay != 0) {
      if (a.decoupled) w *= decay;
      else g += a.weightDecay * w;
    }
    double mo = (double)m[i];
    // torch lerp: weight < 0.5 uses self + w*(end - self)
    double mi = w1 < 0.5 ? mo + w1 * (g - mo) : g - (g - mo) * (1 - w1);
    double vi = (double)v[i] * b2 + omb2 * g * g;
    m[i] = (T)mi;
    v[i] = (T)vi;
    double vhat = vi;
    if (vmax) {
      double mx = (double)vmax[i];
      if (!(mx >= vi)) mx = vi;  // Math.max: NaN wins
      if (vi != vi || (double)vmax[i] != (double)vmax[i]) mx = NAN;
      vmax[i] = (T)mx;
      vhat = mx;
    }
    double denom = sqrt(vhat) / a.bc2Sqrt + a.eps;
    param[i] = (T)(w - stepSize * (mi / denom));
  }
}

template <class T> void adam_typed(T* param, const T* grad, T* m, T* v, T* vmax, int64_t n, const AdamArgs& a) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) { adam_range<T>(param, grad, m, v, vmax, b, e, a); });
}

// All tensors in one pool job: the concatenated element range [0, sum of lengths) is split into
// equal contiguous parts, each walking the tensors it overlaps.
template <class T> void adam_many_typed(const AdamTensor* ts, int64_t count) {
  int64_t total = 0;
  for (int64_t t = 0; t < count; t++) total += ts[t].n;
  parallel_for(total, 1 << 15, [&](int64_t b, int64_t e) {
    int64_t start = 0;
    for (int64_t t = 0; t < count && start < e; start += ts[t].n, t++) {
      int64_t lo = b > start ? b - start : 0, hi = e - start < ts[t].n ? e - start : ts[t].n;
      if (lo >= hi) continue;
      const AdamTensor& x = ts[t];
      adam_range<T>((T*)x.param, (const T*)x.grad, (T*)x.m, (T*)x.v, (T*)x.vmax, lo, hi, x.args);
    }
  });
}

template <class T> void sgd_typed(T* param, const T* grad, T* buf, int64_t n, const SgdArgs& a) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double g = (double)grad[i];
      if (a.weightDecay != 0) g += a.weightDecay * (double)param[i];
      if (buf && a.momentum != 0) {
        double bb = a.firstStep ? g : (double)buf[i] * a.momentum + (1 - a.dampening) * g;
        buf[i] = (T)bb;
        g = a.nesterov ? g + a.momentum * bb : bb;
      }
      param[i] = (T)((double)param[i] - a.lr * g);
    }
  });
}

}  // namespace

void adam_kernel(DType dt, void* param, const void* grad, void* m, void* v, void* vmax, int64_t n, const AdamArgs& a) {
  if (dt == kF32) adam_typed<float>((float*)param, (const float*)grad, (float*)m, (float*)v, (float*)vmax, n, a);
  else adam_typed<double>((double*)param, (const double*)grad, (double*)m, (double*)v, (double*)vmax, n, a);
}

void adam_many_kernel(DType dt, const AdamTensor* tensors, int64_t count) {
  if (dt == kF32) adam_many_typed<float>(tensors, count);
  else adam_many_typed<double>(tensors, count);
}

void sgd_kernel(DType dt, void* param, const void* grad, void* buf, int64_t n, const SgdArgs& a) {
  if (dt == kF32) sgd_typed<float>((float*)param, (const float*)grad, (float*)buf, n, a);
  else sgd_typed<double>((double*)param, (const double*)grad, (double*)buf, n, a);
}

}  // namespace descent
