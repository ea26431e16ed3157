// Fused scaled-dot-product attention (flash-attention style): per (batch, head) task and per query
// row, the scores against the keys it may see (j <= i when causal), scale, softmax and the
// weighted sum of values, with only a row of scores in scratch: the (L, S) matrix is never
// materialised. The forward saves the row log-sum-exp; the backward recomputes the probabilities
// from it. Every operand is addressed through a layout (offset + batch/head/row strides, features
// contiguous), so packed (B, T, 3C) qkv and (B, T, C) outputs are read and written in place.
// The per-task bodies are compiled once per ISA (attention_impl.h); attention.cc spreads tasks
// over the thread pool. Each task is computed by one thread in a fixed order, so results do not
// depend on the thread count.
#pragma once
#include <stdint.h>

namespace descent {

/** Element (b, h, row, col) of an operand is at off + b*sB + h*sH + row*sT + col. */
struct AttnLayout { int64_t off, sB, sH, sT; };

struct AttnArgs {
  int64_t B, H, L, S, E, Ev;  // batch, heads, queries, keys, q/k features, v features
  double scale;
  bool causal;  // query i sees keys j <= i (top-left aligned)
  AttnLayout q, k, v, o;  // gradients use the layout of the tensor they belong to
  const void *Q, *K, *V, *O, *gO;
  void *Out, *Lse;          // forward outputs (Lse is (B, H, L) contiguous)
  const void* LseIn;        // backward input
  void *gQ, *gK, *gV;       // backward outputs (overwritten)
};

/** Scratch elements (of the dtype) one task needs. */
inline int64_t attn_scratch(const AttnArgs& a) {
  int64_t f = a.E > a.Ev ? a.E : a.Ev;
  return (a.E + a.Ev) * a.S + 3 * a.S + 2 * f + 64;
}

typedef void (*AttnTask)(const AttnArgs& a, int64_t task, void* scratch);

struct AttnKernels {
  AttnTask fwd_f32, fwd_f64, bwd_f32, bwd_f64;
};

/** The table in use (set by the addon at load time; the baseline one until then). */
extern const AttnKernels* g_attn;

namespace attention_avx512 { const AttnKernels* table(); }
namespace attention_avx2 { const AttnKernels* table(); }
namespace attention_base { const AttnKernels* table(); }

/** Run the forward (backward) over all B*H tasks on the pool. is64 picks float64. */
void attention_forward_kernel(bool is64, const AttnArgs& a);
void attention_backward_kernel(bool is64, const AttnArgs& a);

}  // namespace descent
