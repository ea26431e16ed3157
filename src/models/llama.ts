// Llama: a LLaMA-style causal language model with HF LlamaForCausalLM's structure and parameter
// names (`model.embed_tokens.weight`, `model.layers.0.self_attn.q_proj.weight`, ...,
// `model.norm.weight`, `lm_head.weight`): token embedding (no position embedding: positions enter
// through rotary q/k), nLayer pre-RMSNorm decoder layers (rotary grouped-query attention, SwiGLU
// MLP, no biases), a final RMSNorm and an untied LM head (tieWeights shares it, as GPT does).
// It shares GPT's base (CausalLMBase: tied-head state dicts, parameter counts, FLOPs/MFU, weight-decay
// groups) and samples with the shared loop of language_model.ts.
// Legend: B batch, T time, C channels (nEmbd), V vocabulary, L layers.

import { markGraphOwned } from "../autograd/saved_memory.js";
import { crossEntropy } from "../nn/functional/cross_entropy.js";
import { normal_ } from "../nn/init.js";
import { ModuleList } from "../nn/layers/container.js";
import { Embedding } from "../nn/layers/embedding.js";
import { Linear } from "../nn/layers/linear.js";
import { RMSNorm } from "../nn/layers/rms_norm.js";
import { Module } from "../nn/module.js";
import type { Parameter } from "../nn/parameter.js";
import { precomputeRotaryCache } from "../ops/nn/rotary.js";
import { reshape } from "../ops/shape/reshape.js";
import { narrow } from "../ops/shape/slice.js";
import { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../util/dtype.js";
import { Generator } from "../util/rng.js";
import { CausalLMBase } from "./causal_lm_base.js";
import type { LanguageModelOutput } from "./language_model.js";
import { LlamaDecoderLayer, type RopeTables, isStockLlamaLayer } from "./llama_blocks.js";
import { type LlamaConfig, type LlamaConfigInput, validateLlamaConfig } from "./llama_config.js";
import { checkTokenInputs } from "./tokens.js";

export interface LlamaOptions {
  /** Parameter dtype: "float32" (default) or "float64" (for exact checks). */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the global one seeded by manualSeed). */
  generator?: Generator;
  /** Generator for attention-dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
}

/** HF's LlamaModel: embed_tokens, layers, norm; holds the rotary cos/sin tables as non-persistent buffers. */
export class LlamaModel extends Module {
  embed_tokens: Embedding;
  layers: ModuleList<LlamaDecoderLayer>;
  norm: RMSNorm;
  declare readonly rotary_cos: Tensor;
  declare readonly rotary_sin: Tensor;

  constructor(config: LlamaConfig, dtype: FloatDType, dropoutGenerator: Generator | undefined, scratch: Generator) {
    super();
    const opts = { dtype, scratch, ...(dropoutGenerator ? { dropoutGenerator } : {}) };
    this.embed_tokens = new Embedding(config.vocabSize, config.nEmbd, { dtype, generator: scratch });
    this.layers = new ModuleList(Array.from({ length: config.nLayer }, () => new LlamaDecoderLayer(config, opts)));
    this.norm = new RMSNorm(config.nEmbd, { eps: config.rmsNormEps, dtype });
    // Derived from the config, so not saved (like HF's non-persistent rotary_emb.inv_freq).
    const { cos, sin } = precomputeRotaryCache(config.nEmbd / config.nHead, config.blockSize, { theta: config.ropeTheta, dtype });
    this.registerBuffer("rotary_cos", cos, { persistent: false });
    this.registerBuffer("rotary_sin", sin, { persistent: false });
  }

  /**
   * x (B, T, C) embedded tokens -> (B, T, C) after the layers and the final norm. `stock` (for
   * Llama.forward, when stockLayers() holds and x is a temporary handed to this call only): the
   * activations between layers are temporaries only graph nodes see, recycled after backward.
   */
  forward(x: Tensor, stock = false): Tensor {
    return this.norm.forward(this.trunk(x, stock));
  }

  /** x (B, T, C) -> (B, T, C) after the decoder layers, before the final norm; `stock` as in forward. */
  trunk(x: Tensor, stock = false): Tensor {
    const rope: RopeTables = { cos: this.rotary_cos, sin: this.rotary_sin };
    let h = x;
    if (stock) markGraphOwned(h);
    for (const layer of this.layers) {
      h = layer.forward(h, rope);
      if (stock) markGraphOwned(h); // the next layer's input or the final norm's, nothing else's
    }
    return h;
  }

  /**
   * Whether the embedding (its output is marked as the first layer's input), the final norm and
   * every layer are this library's own classes (see isStockLlamaLayer).
   */
  stockLayers(): boolean {
    return this.constructor === LlamaModel && this.embed_tokens.constructor === Embedding && this.norm.constructor === RMSNorm &&
      [...this.layers].every((l) => isStockLlamaLayer(l));
  }
}

export class Llama extends CausalLMBase<LlamaConfig> {
  model: LlamaModel;
  lm_head: Linear;

  constructor(config: LlamaConfigInput = {}, opts: LlamaOptions = {}) {
    super("Llama", validateLlamaConfig(config), opts.dtype);
    const cfg = this.config, dtype = this.dtype;
    // The layers' own default init is overwritten by resetParameters: feed it a scratch generator so
    // `manualSeed(s); new Llama(c)` and `new Llama(c, { generator: new Generator(s) })` give the same weights.
    const scratch = new Generator(0);
    this.model = new LlamaModel(cfg, dtype, opts.dropoutGenerator, scratch);
    this.lm_head = new Linear(cfg.nEmbd, cfg.vocabSize, { bias: false, dtype, generator: scratch });
    if (cfg.tieWeights) this.lm_head.weight = this.model.embed_tokens.weight; // one Parameter, two names
    this.resetParameters(opts.generator);
  }

  protected tiedEmbeddingKey(): string {
    return "model.embed_tokens.weight";
  }

  /**
   * numParameters({ nonEmbedding: true }) leaves out the token embedding when the head is untied
   * (a lookup costs no FLOPs); a tied matrix stays counted since it is also the output layer
   * (GPT's rule; LLaMA has no position embedding to subtract).
   */
  protected nonEmbeddingParameter(): Parameter | null {
    return this.config.tieWeights ? null : this.model.embed_tokens.weight;
  }

  /**
   * HF LlamaPreTrainedModel's initialisation: every Linear and Embedding weight N(0, 0.02)
   * (initializer_range), every RMSNorm weight one. Each parameter is drawn once, in
   * namedParameters() order.
   */
  resetParameters(generator?: Generator): void {
    const g = generator ? { generator } : {};
    for (const [name, p] of this.namedParameters()) {
      if (/(^|\.)(input_layernorm|post_attention_layernorm|norm)\.weight$/.test(name)) p.data.fill(1);
      else normal_(p, 0, 0.02, g);
      p.markModified();
    }
  }

  /**
   * idx (B, T) int32 token ids with 1 <= T <= blockSize -> logits (B, T, V); with targets (B, T)
   * int32 (-1 = ignored), also loss = mean cross-entropy over the non-ignored positions (NaN
   * when every target is ignored, as in PyTorch). Same contract and errors as GPT.forward.
   */
  forward(idx: Tensor, targets: Tensor | null = null): LanguageModelOutput {
    checkTokenInputs("Llama.forward", idx, targets, this.config.blockSize, this.config.vocabSize);
    const [B, T] = idx.shape as [number, number];
    // With stock layers the embeddings, the layers' outputs and the final norm's are temporaries
    // only graph nodes see: their storage goes back to the buffer pool after backward.
    const stock = this.lm_head.constructor === Linear && this.model.stockLayers();
    const normed = this.model.forward(this.model.embed_tokens.forward(idx), stock);
    if (stock) markGraphOwned(normed);
    const logits = this.lm_head.forward(normed); // (B, T, V)
    if (targets === null || targets === undefined) return { logits, loss: null };
    const V = this.config.vocabSize;
    const loss = crossEntropy(reshape(logits, [B * T, V]), reshape(targets, [B * T]), { ignoreIndex: -1 });
    return { logits, loss };
  }

  /**
   * Generation's fast path: the logits (B, V) of the token after idx (B, T), equal to
   * forward(idx).logits[:, -1, :], with the final norm and the head applied to the last position only.
   */
  nextTokenLogits(idx: Tensor): Tensor {
    checkTokenInputs("Llama.nextTokenLogits", idx, null, this.config.blockSize, this.config.vocabSize);
    const [B, T] = idx.shape as [number, number];
    const last = narrow(this.model.trunk(this.model.embed_tokens.forward(idx)), 1, T - 1, 1); // (B, 1, C)
    return reshape(this.lm_head.forward(this.model.norm.forward(last)), [B, this.config.vocabSize]);
  }

  protected override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nKvHeads=${c.nKvHeads}, ` +
      `nEmbd=${c.nEmbd}, intermediateSize=${c.intermediateSize}, ropeTheta=${c.ropeTheta}, rmsNormEps=${c.rmsNormEps}, ` +
      `dropout=${c.dropout}, tieWeights=${c.tieWeights}`;
  }
}
