// The pieces of a GPT-2 transformer block, as in nanoGPT's model.py: causal multi-head
// self-attention, the 4x GELU MLP, and the pre-LayerNorm residual Block. Property names are
// nanoGPT's (snake_case on purpose) so parameter names match PyTorch checkpoints without renaming.
// Legend: B batch, T time, C channels (nEmbd), H heads, D head size (C / H).

import { markGraphOwned, recycleUnsaved } from "../autograd/saved_memory.js";
import { packedCausalAttention, scaledDotProductAttention } from "../nn/functional/attention.js";
import { Dropout, GELU } from "../nn/layers/activation.js";
import { LayerNorm } from "../nn/layers/layer_norm.js";
import { Linear } from "../nn/layers/linear.js";
import { Module } from "../nn/module.js";
import { linearGelu } from "../ops/linear_activation.js";
import { reshape } from "../ops/shape/reshape.js";
import { transpose } from "../ops/shape/permute.js";
import { split } from "../ops/shape/split.js";
import type { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../util/dtype.js";
import type { Generator } from "../util/rng.js";
import type { GPTConfig } from "./gpt_config.js";
import { preNormResidualPair } from "./pre_norm_residual.js";

/** Construction options shared by the blocks (parameter dtype, dropout mask source). */
export interface BlockOptions {
  dtype: FloatDType;
  /** Generator for dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
  /** Feeds the layers' default init, which GPT.resetParameters overwrites (keeps the global one untouched). */
  scratch: Generator;
}

/** Causal self-attention: one c_attn projection to q, k, v (3C), H heads, c_proj back to C. */
export class CausalSelfAttention extends Module {
  c_attn: Linear;
  c_proj: Linear;
  resid_dropout: Dropout;
  readonly nHead: number;
  readonly dropoutP: number;
  private readonly dropoutGenerator: Generator | undefined;

  constructor(config: GPTConfig, opts: BlockOptions) {
    super();
    const C = config.nEmbd;
    this.c_attn = new Linear(C, 3 * C, { bias: config.bias, dtype: opts.dtype, generator: opts.scratch });
    this.c_proj = new Linear(C, C, { bias: config.bias, dtype: opts.dtype, generator: opts.scratch });
    const g = opts.dropoutGenerator ? { generator: opts.dropoutGenerator } : {};
    this.resid_dropout = new Dropout(config.dropout, g);
    this.nHead = config.nHead;
    this.dropoutP = config.dropout;
    this.dropoutGenerator = opts.dropoutGenerator;
  }

  /** x (B, T, C) -> (B, T, C). */
  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const H = this.nHead;
    const D = C / H;
    if (!(this.training && this.dropoutP > 0)) {
      // Without attention dropout the fused kernel reads q, k, v from c_attn's (B, T, 3C) output
      // and writes the merged heads (B, T, C) in place: no split, transpose or merge copies.
      // With stock layers the projection and the attention output are temporaries only graph
      // nodes see: their storage goes back to the buffer pool after backward (markGraphOwned).
      const qkv = this.c_attn.forward(x);
      if (this.c_attn.constructor === Linear) markGraphOwned(qkv);
      const y = packedCausalAttention(qkv, H);
      if (this.c_proj.constructor !== Linear || this.resid_dropout.constructor !== Dropout) {
        return this.resid_dropout.forward(this.c_proj.forward(y));
      }
      markGraphOwned(y);
      // Dropout saves only its mask: the projection it consumed is garbage once it has run.
      const proj = this.c_proj.forward(y);
      const out = this.resid_dropout.forward(proj);
      if (out !== proj) recycleUnsaved(proj);
      return out;
    }
    const [q, k, v] = split(this.c_attn.forward(x), C, 2) as [Tensor, Tensor, Tensor]; // 3 x (B, T, C)
    const heads = (t: Tensor): Tensor => transpose(reshape(t, [B, T, H, D]), 1, 2); // (B, H, T, D)
    const y = scaledDotProductAttention(heads(q), heads(k), heads(v), {
      isCausal: true,
      dropoutP: this.training ? this.dropoutP : 0,
      ...(this.dropoutGenerator ? { generator: this.dropoutGenerator } : {}),
    }); // (B, H, T, D)
    const merged = reshape(transpose(y, 1, 2), [B, T, C]); // re-assemble the heads side by side
    return this.resid_dropout.forward(this.c_proj.forward(merged));
  }
}

/** The position-wise MLP: C -> 4C, exact (erf) GELU as nanoGPT's nn.GELU(), 4C -> C, dropout. */
export class MLP extends Module {
  c_fc: Linear;
  gelu: GELU;
  c_proj: Linear;
  dropout: Dropout;

  constructor(config: GPTConfig, opts: BlockOptions) {
    super();
    const C = config.nEmbd;
    this.c_fc = new Linear(C, 4 * C, { bias: config.bias, dtype: opts.dtype, generator: opts.scratch });
    this.gelu = new GELU();
    this.c_proj = new Linear(4 * C, C, { bias: config.bias, dtype: opts.dtype, generator: opts.scratch });
    this.dropout = new Dropout(config.dropout, opts.dropoutGenerator ? { generator: opts.dropoutGenerator } : {});
  }

  forward(x: Tensor): Tensor {
    // c_fc and GELU as one fused op (bias and GELU in the GEMM epilogue), unless a layer was swapped.
    const fused = this.c_fc.constructor === Linear && this.gelu.constructor === GELU;
    const h = fused
      ? linearGelu(x, this.c_fc.weight, this.c_fc.bias, { approximate: this.gelu.approximate })
      : this.gelu.forward(this.c_fc.forward(x));
    if (!fused || this.c_proj.constructor !== Linear || this.dropout.constructor !== Dropout) {
      return this.dropout.forward(this.c_proj.forward(h));
    }
    markGraphOwned(h); // a temporary only graph nodes see
    const proj = this.c_proj.forward(h);
    const out = this.dropout.forward(proj);
    if (out !== proj) recycleUnsaved(proj); // dropout kept only its mask
    return out;
  }
}

/** Pre-LN residual block: x + attn(ln_1(x)), then + mlp(ln_2(x)). */
export class Block extends Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;

  constructor(config: GPTConfig, opts: BlockOptions) {
    super();
    this.ln_1 = new LayerNorm(config.nEmbd, { bias: config.bias, dtype: opts.dtype });
    this.attn = new CausalSelfAttention(config, opts);
    this.ln_2 = new LayerNorm(config.nEmbd, { bias: config.bias, dtype: opts.dtype });
    this.mlp = new MLP(config, opts);
  }

  forward(x: Tensor): Tensor {
    return preNormResidualPair(x, (t) => this.ln_1.forward(t), (t) => this.attn.forward(t),
      (t) => this.ln_2.forward(t), (t) => this.mlp.forward(t), isStockBlock(this));
  }
}

/**
 * Whether `m` is a Block built only from this file's layer classes (none swapped or subclassed):
 * then no layer keeps a reference to a tensor it is given or returns, which markGraphOwned needs.
 */
export function isStockBlock(m: unknown): boolean {
  if (!(m instanceof Block) || m.constructor !== Block) return false;
  const { ln_1, attn, ln_2, mlp } = m;
  return ln_1.constructor === LayerNorm && ln_2.constructor === LayerNorm &&
    attn.constructor === CausalSelfAttention && attn.c_attn.constructor === Linear && attn.c_proj.constructor === Linear &&
    attn.resid_dropout.constructor === Dropout &&
    mlp.constructor === MLP && mlp.c_fc.constructor === Linear && mlp.gelu.constructor === GELU && mlp.c_proj.constructor === Linear &&
    mlp.dropout.constructor === Dropout;
}
