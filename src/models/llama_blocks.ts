// The pieces of a LLaMA decoder layer, as in HF's modeling_llama.py: rotary grouped-query
// self-attention, the SwiGLU MLP, and the pre-RMSNorm residual layer. Property names are HF's
// (snake_case on purpose) so parameter names match HF LLaMA checkpoints without renaming.
// Legend: B batch, T time, C channels (nEmbd), H query heads, Hkv key/value heads, D head dim
// (C / H), R = H / Hkv query heads per kv head, F intermediate size.

import { markGraphOwned, recycleUnsaved } from "../autograd/saved_memory.js";
import { silu } from "../nn/functional/activations.js";
import { scaledDotProductAttention } from "../nn/functional/attention.js";
import { Linear } from "../nn/layers/linear.js";
import { RMSNorm } from "../nn/layers/rms_norm.js";
import { Module } from "../nn/module.js";
import { mul } from "../ops/binary.js";
import { applyRotaryEmb } from "../ops/nn/rotary.js";
import { reshape } from "../ops/shape/reshape.js";
import { transpose } from "../ops/shape/permute.js";
import { unsqueeze } from "../ops/shape/squeeze.js";
import type { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../util/dtype.js";
import type { Generator } from "../util/rng.js";
import type { LlamaConfig } from "./llama_config.js";
import { preNormResidualPair } from "./pre_norm_residual.js";

/** Construction options shared by the layers (parameter dtype, dropout mask source, init scratch). */
export interface LlamaLayerOptions {
  dtype: FloatDType;
  /** Generator for attention-dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
  /** Feeds the layers' default init, which Llama.resetParameters overwrites (keeps the global one untouched). */
  scratch: Generator;
}

/** The rotary cos/sin tables (blockSize, D) every attention layer reads. */
export interface RopeTables {
  cos: Tensor;
  sin: Tensor;
}

/**
 * Causal self-attention with rotary q/k and grouped-query heads: q_proj C -> H·D, k_proj and
 * v_proj C -> Hkv·D, o_proj H·D -> C, no biases. Query head h uses kv head floor(h / R), as HF's
 * repeat_kv; done by broadcasting k/v over R instead of copying them R times.
 */
export class LlamaAttention extends Module {
  q_proj: Linear;
  k_proj: Linear;
  v_proj: Linear;
  o_proj: Linear;
  readonly nHead: number;
  readonly nKvHeads: number;
  readonly headDim: number;
  readonly dropoutP: number;
  private readonly dropoutGenerator: Generator | undefined;

  constructor(config: LlamaConfig, opts: LlamaLayerOptions) {
    super();
    const C = config.nEmbd, D = C / config.nHead;
    const lin = (i: number, o: number): Linear => new Linear(i, o, { bias: false, dtype: opts.dtype, generator: opts.scratch });
    this.q_proj = lin(C, config.nHead * D);
    this.k_proj = lin(C, config.nKvHeads * D);
    this.v_proj = lin(C, config.nKvHeads * D);
    this.o_proj = lin(config.nHead * D, C);
    this.nHead = config.nHead;
    this.nKvHeads = config.nKvHeads;
    this.headDim = D;
    this.dropoutP = config.dropout;
    this.dropoutGenerator = opts.dropoutGenerator;
  }

  /** x (B, T, C) -> (B, T, C); rope holds positions 0..T-1 at least. */
  forward(x: Tensor, rope: RopeTables): Tensor {
    const [B, T] = x.shape as [number, number, number];
    const H = this.nHead, Hkv = this.nKvHeads, D = this.headDim, R = H / Hkv;
    const heads = (t: Tensor, n: number): Tensor => transpose(reshape(t, [B, T, n, D]), 1, 2); // (B, n, T, D)
    // With stock projections every tensor below is a temporary only ops see. The ones no node
    // saves (the projections, their head-split copies that rotary consumed: it saves only the
    // tables) go back to the buffer pool as soon as their consumer ran, the ones attention and
    // o_proj save once backward has freed them.
    const stock = [this.q_proj, this.k_proj, this.v_proj, this.o_proj].every((l) => l.constructor === Linear);
    const consumed = (t: Tensor, by: Tensor): void => {
      if (stock && by.data.buffer !== t.data.buffer) recycleUnsaved(t); // a view of t must keep it
    };
    const split = (proj: Tensor, n: number): Tensor => {
      const t = heads(proj, n);
      consumed(proj, t);
      return t;
    };
    const rotate = (t: Tensor): Tensor => {
      const r = applyRotaryEmb(t, rope.cos, rope.sin);
      consumed(t, r);
      return stock ? markGraphOwned(r) : r;
    };
    const q = rotate(split(this.q_proj.forward(x), H)); // (B, H, T, D)
    const k = rotate(split(this.k_proj.forward(x), Hkv)); // (B, Hkv, T, D)
    const v = split(this.v_proj.forward(x), Hkv); // (B, Hkv, T, D)
    if (stock) markGraphOwned(v);
    // Group the query heads by their kv head: (B, Hkv, R, T, D) against k, v (B, Hkv, 1, T, D).
    const y = scaledDotProductAttention(reshape(q, [B, Hkv, R, T, D]), unsqueeze(k, 2), unsqueeze(v, 2), {
      isCausal: true,
      dropoutP: this.training ? this.dropoutP : 0,
      ...(this.dropoutGenerator ? { generator: this.dropoutGenerator } : {}),
    }); // (B, Hkv, R, T, D)
    if (stock) markGraphOwned(y);
    const merged = reshape(transpose(reshape(y, [B, H, T, D]), 1, 2), [B, T, H * D]); // heads side by side
    consumed(y, merged); // with one head or one position the merge is a view of y
    if (stock) markGraphOwned(merged);
    return this.o_proj.forward(merged);
  }
}

/**
 * SwiGLU MLP (Shazeer 2020): down_proj(silu(gate_proj(x)) * up_proj(x)), no biases. silu is one
 * fused activation op (PyTorch's x / (1 + exp(-x))), one graph node instead of sigmoid and mul.
 */
export class LlamaMLP extends Module {
  gate_proj: Linear;
  up_proj: Linear;
  down_proj: Linear;

  constructor(config: LlamaConfig, opts: LlamaLayerOptions) {
    super();
    const C = config.nEmbd, F = config.intermediateSize;
    const lin = (i: number, o: number): Linear => new Linear(i, o, { bias: false, dtype: opts.dtype, generator: opts.scratch });
    this.gate_proj = lin(C, F);
    this.up_proj = lin(C, F);
    this.down_proj = lin(F, C);
  }

  /** x (..., C) -> (..., C). */
  forward(x: Tensor): Tensor {
    // With stock projections the gate, its silu, the up projection and their product are
    // temporaries only the ops that save them see: recycled once backward has freed those.
    const stock = [this.gate_proj, this.up_proj, this.down_proj].every((l) => l.constructor === Linear);
    const own = (t: Tensor): Tensor => (stock ? markGraphOwned(t) : t);
    const gate = own(this.gate_proj.forward(x)); // (..., F)
    return this.down_proj.forward(own(mul(own(silu(gate)), own(this.up_proj.forward(x)))));
  }
}

/** Pre-RMSNorm residual layer: x + self_attn(input_layernorm(x)), then + mlp(post_attention_layernorm(x)). */
export class LlamaDecoderLayer extends Module {
  self_attn: LlamaAttention;
  mlp: LlamaMLP;
  input_layernorm: RMSNorm;
  post_attention_layernorm: RMSNorm;

  constructor(config: LlamaConfig, opts: LlamaLayerOptions) {
    super();
    // HF's registration order, so namedParameters() lists q/k/v/o, gate/up/down, then the two norms.
    this.self_attn = new LlamaAttention(config, opts);
    this.mlp = new LlamaMLP(config, opts);
    this.input_layernorm = new RMSNorm(config.nEmbd, { eps: config.rmsNormEps, dtype: opts.dtype });
    this.post_attention_layernorm = new RMSNorm(config.nEmbd, { eps: config.rmsNormEps, dtype: opts.dtype });
  }

  /** x (B, T, C) -> (B, T, C). */
  forward(x: Tensor, rope: RopeTables): Tensor {
    return preNormResidualPair(x, (t) => this.input_layernorm.forward(t), (t) => this.self_attn.forward(t, rope),
      (t) => this.post_attention_layernorm.forward(t), (t) => this.mlp.forward(t), isStockLlamaLayer(this));
  }
}

/**
 * Whether `m` is a LlamaDecoderLayer built only from this file's layer classes (none swapped or
 * subclassed): then no layer keeps a reference to a tensor it is given or returns, which
 * markGraphOwned needs.
 */
export function isStockLlamaLayer(m: unknown): boolean {
  if (!(m instanceof LlamaDecoderLayer) || m.constructor !== LlamaDecoderLayer) return false;
  const { self_attn: a, mlp, input_layernorm: n1, post_attention_layernorm: n2 } = m;
  return n1.constructor === RMSNorm && n2.constructor === RMSNorm && a.constructor === LlamaAttention &&
    mlp.constructor === LlamaMLP &&
    [a.q_proj, a.k_proj, a.v_proj, a.o_proj, mlp.gate_proj, mlp.up_proj, mlp.down_proj].every((l) => l.constructor === Linear);
}
