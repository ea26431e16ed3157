// Walking a (collapsed) strided index space in runs along the last dim; shared by the
// broadcasting elementwise kernels and the strided copy.
#pragma once
#include "kernels.h"

namespace descent {

/**
 * Visit [begin, end) of the row-major index space of s.shape in runs along the last dim:
 * f(offset0, offset1, offset2, run_start_linear, run_length) with per-operand element offsets.
 */
template <class F> inline void for_runs(const Strided& s, int64_t begin, int64_t end, const F& f) {
  int nd = s.nd;
  int64_t inner = s.shape[nd - 1];
  int64_t idx[kMaxDims];
  int64_t off[3] = {0, 0, 0};
  int64_t rem = begin / inner;
  for (int d = nd - 2; d >= 0; d--) {
    idx[d] = rem % s.shape[d];
    rem /= s.shape[d];
    for (int q = 0; q < 3; q++) off[q] += idx[d] * s.strides[q][d];
  }
  int64_t j = begin % inner;
  int64_t pos = begin;
  while (pos < end) {
    int64_t len = inner - j;
    if (len > end - pos) len = end - pos;
    f(off[0] + j * s.strides[0][nd - 1], off[1] + j * s.strides[1][nd - 1], off[2] + j * s.strides[2][nd - 1], pos, len);
    pos += len;
    j = 0;
    for (int d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (int q = 0; q < 3; q++) off[q] += s.strides[q][d];
      if (idx[d] < s.shape[d]) break;
      for (int q = 0; q < 3; q++) off[q] -= s.strides[q][d] * s.shape[d];
      idx[d] = 0;
    }
  }
}

inline int64_t total_of(const Strided& s) {
  int64_t t = 1;
  for (int d = 0; d < s.nd; d++) t *= s.shape[d];
  return t;
}

}  // namespace descent
