// Fused scaled-dot-product attention (flash-attention style): per (batch, head) task and per block
// of query rows, the scores against the keys the rows may see (j <= i when causal), scale, softmax
// and the weighted sum of values, with only the block's rows of scores in scratch: the (L, S)
// matrix is never materialised. The forward saves the row log-sum-exp; the backward recomputes the probabilities
// from it. Every operand is addressed through a layout (offset + batch/head/row strides, features
// contiguous), so packed (B, T, 3C) qkv and (B, T, C) outputs are read and written in place.
// The per-task bodies are compiled once per ISA (attention_impl.h); attention.cc spreads tasks
// over the thread pool: the forward over (batch, head) x query chunks, the backward over (batch,
// head), whose key/value gradients one thread owns. Each query row and key row is computed in an
// order fixed by the shapes alone, so results do not depend on the thread count.
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

enum { kAttnPad = 64, kAttnMaxRows = 8 };  // key rows padded to a multiple of kAttnPad; query rows per block

/** Scratch elements (of the dtype) one task needs, forward or backward. */
inline int64_t attn_scratch(const AttnArgs& a) {
  const int64_t ld = (a.S + kAttnPad - 1) / kAttnPad * kAttnPad, f = a.E + a.Ev;
  return f * ld + a.S * f + 2 * kAttnMaxRows * ld + kAttnMaxRows * f + a.L + 64;
}

/** Forward of query rows [i_begin, i_end) of task bh = b * H + h. */
typedef void (*AttnFwd)(const AttnArgs& a, int64_t bh, int64_t i_begin, int64_t i_end, void* scratch);
/** Backward of task bh: all its query rows, and the gradients of all its key/value rows. */
typedef void (*AttnBwd)(const AttnArgs& a, int64_t bh, void* scratch);

struct AttnKernels {
  AttnFwd fwd_f32, fwd_f64;
  AttnBwd bwd_f32, bwd_f64;
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
