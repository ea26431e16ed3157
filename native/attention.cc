// Fused attention: spreads the (batch, head) tasks of attention.h over the thread pool, one
// scratch buffer per thread chunk, and calls the per-ISA task bodies picked at load time.
#include "attention.h"

#include <stdlib.h>

#include "kernels.h"

namespace descent {

const AttnKernels* g_attn = attention_base::table();

namespace {

void run_tasks(const AttnArgs& a, AttnTask task, size_t elem) {
  const int64_t tasks = a.B * a.H;
  const size_t bytes = (size_t)attn_scratch(a) * elem;
  parallel_for(tasks, 1, [&](int64_t tb, int64_t te) {
    void* scratch = malloc(bytes);
    if (!scratch) abort();  // a few hundred KiB at most for realistic sizes
    for (int64_t t = tb; t < te; t++) task(a, t, scratch);
    free(scratch);
  });
}

}  // namespace

void attention_forward_kernel(bool is64, const AttnArgs& a) {
  run_tasks(a, is64 ? g_attn->fwd_f64 : g_attn->fwd_f32, is64 ? 8 : 4);
}

void attention_backward_kernel(bool is64, const AttnArgs& a) {
  run_tasks(a, is64 ? g_attn->bwd_f64 : g_attn->bwd_f32, is64 ? 8 : 4);
}

}  // namespace descent
