// GPT: the nanoGPT / GPT-2 language model. Token + learned position embeddings, nLayer pre-LN
// blocks (causal self-attention, 4x GELU MLP), a final LayerNorm and an LM head that shares the
// token-embedding matrix unless tieWeights is false. Parameter names are nanoGPT's exactly
// (`transformer.h.0.attn.c_attn.weight`, ...), so checkpoints map onto PyTorch without renaming.
// Legend: B batch, T time, C channels (nEmbd), V vocabulary, L layers.
//
// Tied head and state dicts: `lm_head.weight` IS `transformer.wte.weight` (one Parameter), so
// parameters()/namedParameters() list it once (as transformer.wte.weight) and AdamW updates it
// once. stateDict() lists it once too (what model.safetensors stores, like Hugging Face's
// safetensors files); stateDict({ withTiedHead: true }) adds `lm_head.weight` sharing storage,
// exactly like PyTorch's state_dict(). loadStateDict accepts either form: with a tied head,
// `lm_head.weight` may be absent, or present and equal to `transformer.wte.weight`. These rules,
// the parameter counts, FLOPs/MFU and the weight-decay groups are CausalLMBase's (shared with Llama).

import { checkpoint } from "../autograd/checkpoint.js";
import { markGraphOwned } from "../autograd/saved_memory.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { Module } from "../nn/module.js";
import { crossEntropy } from "../nn/functional/cross_entropy.js";
import { Dropout } from "../nn/layers/activation.js";
import { ModuleList } from "../nn/layers/container.js";
import { Embedding } from "../nn/layers/embedding.js";
import { LayerNorm } from "../nn/layers/layer_norm.js";
import { Linear } from "../nn/layers/linear.js";
import { normal_, zeros_ } from "../nn/init.js";
import type { Parameter } from "../nn/parameter.js";
import { add } from "../ops/binary.js";
import { reshape } from "../ops/shape/reshape.js";
import { narrow } from "../ops/shape/slice.js";
import { Tensor } from "../tensor/tensor.js";
import { checkTokenInputs } from "./tokens.js";
import type { FloatDType } from "../util/dtype.js";
import { ValueError } from "../util/errors.js";
import { Generator } from "../util/rng.js";
import { Block, isStockBlock } from "./gpt_blocks.js";
import { type GPTConfig, validateGPTConfig } from "./gpt_config.js";
import { CausalLMBase } from "./causal_lm_base.js";
import type { LanguageModelOutput } from "./language_model.js";

export interface GPTOptions {
  /** Parameter dtype: "float32" (default) or "float64" (for exact checks). */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the global one seeded by manualSeed). */
  generator?: Generator;
  /** Generator for dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
}

export type { WeightDecayGroup } from "./causal_lm_base.js";

/** nanoGPT's `transformer` ModuleDict: wte, wpe, drop, h (the blocks), ln_f. */
export class GPTTransformer extends Module {
  wte: Embedding;
  wpe: Embedding;
  drop: Dropout;
  h: ModuleList<Block>;
  ln_f: LayerNorm;

  constructor(config: GPTConfig, dtype: FloatDType, dropoutGenerator: Generator | undefined, scratch: Generator) {
    super();
    const opts = { dtype, scratch, ...(dropoutGenerator ? { dropoutGenerator } : {}) };
    this.wte = new Embedding(config.vocabSize, config.nEmbd, { dtype, generator: scratch });
    this.wpe = new Embedding(config.blockSize, config.nEmbd, { dtype, generator: scratch });
    this.drop = new Dropout(config.dropout, dropoutGenerator ? { generator: dropoutGenerator } : {});
    this.h = new ModuleList(Array.from({ length: config.nLayer }, () => new Block(config, opts)));
    this.ln_f = new LayerNorm(config.nEmbd, { bias: config.bias, dtype });
  }

  /** The GPT is the entry point; this container has no forward of its own. */
  forward(): never {
    throw new ValueError("GPTTransformer.forward: call GPT.forward(idx, targets) instead");
  }
}

export class GPT extends CausalLMBase<GPTConfig> {
  transformer: GPTTransformer;
  private readonly dropoutGenerator: Generator | undefined;
  lm_head: Linear;

  constructor(config: Partial<GPTConfig> = {}, opts: GPTOptions = {}) {
    super("GPT", validateGPTConfig(config), opts.dtype);
    const cfg = this.config, dtype = this.dtype;
    this.dropoutGenerator = opts.dropoutGenerator;
    // The layers' own default init is overwritten by resetParameters: feed it a scratch generator so
    // `manualSeed(s); new GPT(c)` and `new GPT(c, { generator: new Generator(s) })` give the same weights.
    const scratch = new Generator(0);
    this.transformer = new GPTTransformer(cfg, dtype, opts.dropoutGenerator, scratch);
    this.lm_head = new Linear(cfg.nEmbd, cfg.vocabSize, { bias: false, dtype, generator: scratch });
    if (cfg.tieWeights) this.lm_head.weight = this.transformer.wte.weight; // one Parameter, two names
    this.resetParameters(opts.generator);
  }

  protected tiedEmbeddingKey(): string {
    return "transformer.wte.weight";
  }

  /**
   * numParameters({ nonEmbedding: true }) leaves out the position embeddings (nanoGPT's
   * get_num_params, whose default is non_embedding=True; ours is false). The token embedding
   * stays counted: with a tied head it is also the output layer.
   */
  protected nonEmbeddingParameter(): Parameter {
    return this.transformer.wpe.weight;
  }

  /**
   * GPT-2 initialisation (nanoGPT's _init_weights): Linear and Embedding weights N(0, 0.02),
   * residual projections (every `c_proj.weight`) N(0, 0.02 / sqrt(2 nLayer)), biases zero,
   * LayerNorm weight one and bias zero. Each parameter is drawn once, in namedParameters() order.
   */
  resetParameters(generator?: Generator): void {
    const g = generator ? { generator } : {};
    const residualStd = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, p] of this.namedParameters()) {
      if (/(^|\.)ln_(1|2|f)\.weight$/.test(name)) p.data.fill(1);
      else if (name.endsWith(".bias")) zeros_(p);
      else normal_(p, 0, name.endsWith("c_proj.weight") ? residualStd : 0.02, g);
      p.markModified();
    }
  }

  /**
   * idx (B, T) int32 token ids with 1 <= T <= blockSize -> logits (B, T, V); with targets (B, T)
   * int32 (-1 = ignored, nanoGPT's ignore_index), also loss = mean cross-entropy over the
   * non-ignored positions (NaN when every target is ignored, as in PyTorch).
   */
  forward(idx: Tensor, targets: Tensor | null = null): LanguageModelOutput {
    this.checkTokens(idx, targets);
    const [B, T] = idx.shape as [number, number];
    const stock = this.config.checkpointing !== "blocks" && this.stockLayers();
    // With stock layers the trunk's output and the final normalization are temporaries only
    // graph nodes see: their storage goes back to the buffer pool after backward.
    let x = this.trunk(idx, stock);
    if (stock) markGraphOwned(x);
    x = this.transformer.ln_f.forward(x);
    if (stock) markGraphOwned(x);
    const logits = this.lm_head.forward(x); // (B, T, V)
    if (targets === null) return { logits, loss: null };
    const V = this.config.vocabSize;
    const loss = crossEntropy(reshape(logits, [B * T, V]), reshape(targets, [B * T]), { ignoreIndex: -1 });
    return { logits, loss };
  }

  /**
   * Logits of the token after idx (B, T): (B, V) from the last position only, the head applied
   * to one position instead of T (what generation needs; nanoGPT's inference path does the same).
   */
  nextTokenLogits(idx: Tensor): Tensor {
    this.checkTokens(idx, null, "GPT.nextTokenLogits");
    const [B, T] = idx.shape as [number, number];
    const last = narrow(this.trunk(idx), 1, T - 1, 1); // (B, 1, C)
    return reshape(this.lm_head.forward(this.transformer.ln_f.forward(last)), [B, this.config.vocabSize]);
  }

  /**
   * Whether every layer is this library's own class (none swapped or subclassed): then none keeps
   * a reference to a tensor it is given, and the activations between them may be marked graph-owned.
   */
  private stockLayers(): boolean {
    const { drop, h, ln_f } = this.transformer;
    return drop.constructor === Dropout && ln_f.constructor === LayerNorm && this.lm_head.constructor === Linear &&
      [...h].every((b) => isStockBlock(b));
  }

  /** Embeddings and the blocks: idx (B, T) -> (B, T, C), before ln_f; `stock`: from stockLayers(). */
  private trunk(idx: Tensor, stock = false): Tensor {
    const T = idx.shape[1]!;
    const { wte, wpe, drop, h } = this.transformer;
    const pos = new Tensor(Int32Array.from({ length: T }, (_, i) => i), [T]);
    let x = drop.forward(add(wte.forward(idx), wpe.forward(pos))); // (B, T, C) + (T, C)
    if (this.config.checkpointing === "blocks" && isGradEnabled()) {
      // Keep only each block's input; its activations are recomputed (same dropout masks) in backward.
      const generators = this.dropoutGenerator ? [this.dropoutGenerator] : [];
      for (const block of h) x = checkpoint((t: Tensor) => block.forward(t), x, { generators });
    } else {
      const blocks = [...h];
      if (stock) markGraphOwned(x);
      blocks.forEach((block, i) => {
        x = block.forward(x);
        if (stock && i < blocks.length - 1) markGraphOwned(x); // the next block's input, nothing else's
      });
    }
    return x;
  }

  /** Typed errors for forward's inputs, naming the method (before any work). */
  private checkTokens(idx: Tensor, targets: Tensor | null, op = "GPT.forward"): void {
    checkTokenInputs(op, idx, targets, this.config.blockSize, this.config.vocabSize);
  }

  protected override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nEmbd=${c.nEmbd}, dropout=${c.dropout}, bias=${c.bias}, tieWeights=${c.tieWeights}`;
  }
}
