// Fused attention: spreads the tasks of attention.h over the thread pool, one scratch buffer per
// thread chunk, and calls the per-ISA task bodies picked at load time.
#include "attention.h"

#include <stdlib.h>

#include "kernels.h"

namespace descent {

const AttnKernels* g_attn = attention_base::table();

namespace {

enum { kMinTasks = 16 };  // forward tasks wanted, so a few (batch, head) pairs still fill the threads

void* scratch_for(const AttnArgs& a, size_t elem) {
  void* p = aligned_alloc(64, ((size_t)attn_scratch(a) * elem + 63) / 64 * 64);
  if (!p) abort();  // a few hundred KiB for realistic sizes
  return p;
}

}  // namespace

void attention_forward_kernel(bool is64, const AttnArgs& a) {
  const AttnFwd fwd = is64 ? g_attn->fwd_f64 : g_attn->fwd_f32;
  const int64_t bh = a.B * a.H;
  // Query rows per task: all of them, or (few pairs) chunks of whole kAttnMaxRows blocks. The split
  // depends on the shapes only; every row's arithmetic is the same in any chunk.
  int64_t chunks = bh >= kMinTasks ? 1 : (kMinTasks + bh - 1) / bh;
  const int64_t most = (a.L + 63) / 64;
  if (chunks > most) chunks = most < 1 ? 1 : most;
  const int64_t rows = ((a.L + chunks - 1) / chunks + kAttnMaxRows - 1) / kAttnMaxRows * kAttnMaxRows;
  chunks = rows > 0 ? (a.L + rows - 1) / rows : 1;
  parallel_for(bh * chunks, 1, [&](int64_t tb, int64_t te) {
    void* scratch = scratch_for(a, is64 ? 8 : 4);
    for (int64_t t = tb; t < te; t++) {
      const int64_t i0 = (t % chunks) * rows, i1 = i0 + rows < a.L ? i0 + rows : a.L;
      if (i0 < i1) fwd(a, t / chunks, i0, i1, scratch);
    }
    free(scratch);
  });
}

void attention_backward_kernel(bool is64, const AttnArgs& a) {
  const AttnBwd bwd = is64 ? g_attn->bwd_f64 : g_attn->bwd_f32;
  parallel_for(a.B * a.H, 1, [&](int64_t tb, int64_t te) {
    void* scratch = scratch_for(a, is64 ? 8 : 4);
    for (int64_t t = tb; t < te; t++) bwd(a, t, scratch);
    free(scratch);
  });
}

}  // namespace descent
