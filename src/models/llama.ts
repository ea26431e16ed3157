// Llama: a LLaMA-style causal language model with HF LlamaForCausalLM's structure and parameter
// names (`model.embed_tokens.weight`, `model.layers.0.self_attn.q_proj.weight`, ...,
// `model.norm.weight`, `lm_head.weight`): token embedding (no position embedding: positions enter
// through rotary q/k), nLayer pre-RMSNorm decoder layers (rotary grouped-query attention, SwiGLU
// MLP, no biases), a final RMSNorm and an untied LM head (tieWeights shares it, as GPT does).
// It meets the same CausalLM contract as GPT and samples with the shared loop of language_model.ts.
// Legend: B batch, T time, C channels (nEmbd), V vocabulary, L layers.

import { crossEntropy } from "../nn/functional/cross_entropy.js";
import { normal_ } from "../nn/init.js";
import { ModuleList } from "../nn/layers/container.js";
import { Embedding } from "../nn/layers/embedding.js";
import { Linear } from "../nn/layers/linear.js";
import { RMSNorm } from "../nn/layers/rms_norm.js";
import { type LoadStateDictResult, Module, type StateDict, StateDictError } from "../nn/module.js";
import { precomputeRotaryCache } from "../ops/nn/rotary.js";
import { reshape } from "../ops/shape/reshape.js";
import { narrow } from "../ops/shape/slice.js";
import { shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../util/dtype.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { Generator } from "../util/rng.js";
import type { WeightDecayGroup } from "./gpt.js";
import { type CausalLM, type GenerateOptions, type LanguageModelOutput, generate } from "./language_model.js";
import { LlamaDecoderLayer, type RopeTables } from "./llama_blocks.js";
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

  /** x (B, T, C) embedded tokens -> (B, T, C) after the layers and the final norm. */
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.trunk(x));
  }

  /** x (B, T, C) -> (B, T, C) after the decoder layers, before the final norm. */
  trunk(x: Tensor): Tensor {
    const rope: RopeTables = { cos: this.rotary_cos, sin: this.rotary_sin };
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, rope);
    return h;
  }
}

export class Llama extends Module implements CausalLM {
  readonly config: Readonly<LlamaConfig>;
  readonly dtype: FloatDType;
  model: LlamaModel;
  lm_head: Linear;

  constructor(config: LlamaConfigInput = {}, opts: LlamaOptions = {}) {
    super();
    const cfg = validateLlamaConfig(config);
    const dtype = opts.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`Llama: dtype must be "float32" or "float64", got ${String(dtype)}`);
    this.config = Object.freeze(cfg);
    this.dtype = dtype;
    // The layers' own default init is overwritten by resetParameters: feed it a scratch generator so
    // `manualSeed(s); new Llama(c)` and `new Llama(c, { generator: new Generator(s) })` give the same weights.
    const scratch = new Generator(0);
    this.model = new LlamaModel(cfg, dtype, opts.dropoutGenerator, scratch);
    this.lm_head = new Linear(cfg.nEmbd, cfg.vocabSize, { bias: false, dtype, generator: scratch });
    if (cfg.tieWeights) this.lm_head.weight = this.model.embed_tokens.weight; // one Parameter, two names
    this.resetParameters(opts.generator);
  }

  get blockSize(): number {
    return this.config.blockSize;
  }

  get vocabSize(): number {
    return this.config.vocabSize;
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
    const logits = this.lm_head.forward(this.model.forward(this.model.embed_tokens.forward(idx))); // (B, T, V)
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

  /** Sample maxNewTokens tokens after idx (B, T): the shared loop of language_model.ts. */
  generate(idx: Tensor, maxNewTokens: number, opts?: GenerateOptions): Tensor {
    return generate(this, idx, maxNewTokens, opts);
  }

  /**
   * Parameter elements, a tied head counted once. nonEmbedding subtracts the token embedding
   * when the head is untied (a lookup costs no FLOPs); a tied matrix stays counted since it is
   * also the output layer (GPT's rule; LLaMA has no position embedding to subtract).
   */
  override numParameters(opts: { trainableOnly?: boolean; nonEmbedding?: boolean } = {}): number {
    const n = super.numParameters(opts);
    const wte = this.model.embed_tokens.weight;
    const subtract = opts.nonEmbedding && !this.config.tieWeights && (!opts.trainableOnly || wte.requiresGrad);
    return subtract ? n - wte.numel : n;
  }

  /**
   * Training FLOPs per token, the PaLM / nanoGPT estimate 6N + 12·L·T·C with N the non-embedding
   * parameters (projections, SwiGLU, norms and the head) and T the context (default blockSize).
   * The attention term counts the full T × T over all H query heads (H·D = C), as for GPT.
   */
  flopsPerToken(T: number = this.config.blockSize): number {
    if (!Number.isInteger(T) || T < 1) throw new ValueError(`Llama.flopsPerToken: T must be a positive integer, got ${String(T)}`);
    const { nLayer, nEmbd } = this.config;
    return 6 * this.numParameters({ nonEmbedding: true }) + 12 * nLayer * T * nEmbd;
  }

  /** Model FLOPs utilisation: flopsPerToken(T) · tokensPerSec / peakFlops (a fraction, 0..1). */
  estimateMfu(tokensPerSec: number, peakFlops: number, T: number = this.config.blockSize): number {
    const op = "Llama.estimateMfu";
    if (typeof tokensPerSec !== "number" || !Number.isFinite(tokensPerSec) || tokensPerSec < 0) {
      throw new ValueError(`${op}: tokensPerSec must be a finite number >= 0, got ${String(tokensPerSec)}`);
    }
    if (typeof peakFlops !== "number" || !Number.isFinite(peakFlops) || peakFlops <= 0) {
      throw new ValueError(`${op}: peakFlops must be a finite number > 0 (FLOP/s), got ${String(peakFlops)}`);
    }
    return (this.flopsPerToken(T) * tokensPerSec) / peakFlops;
  }

  /**
   * AdamW param groups as GPT builds them: weight decay on every trainable parameter with
   * ndim >= 2 (projections, embedding, head), none on the rest (RMSNorm weights).
   */
  optimizerGroups(weightDecay: number): WeightDecayGroup[] {
    if (typeof weightDecay !== "number" || !Number.isFinite(weightDecay) || weightDecay < 0) {
      throw new ValueError(`Llama.optimizerGroups: weightDecay must be a finite number >= 0, got ${String(weightDecay)}`);
    }
    const trainable = this.parameters().filter((p) => p.requiresGrad);
    return [
      { params: trainable.filter((p) => p.ndim >= 2), weightDecay },
      { params: trainable.filter((p) => p.ndim < 2), weightDecay: 0 },
    ];
  }

  /** Names of the parameters in each of optimizerGroups()'s groups, in the same order. */
  optimizerGroupNames(): { decay: string[]; noDecay: string[] } {
    const named = [...this.namedParameters()].filter(([, p]) => p.requiresGrad);
    return { decay: named.filter(([, p]) => p.ndim >= 2).map(([n]) => n), noDecay: named.filter(([, p]) => p.ndim < 2).map(([n]) => n) };
  }

  /** With tieWeights the shared matrix is listed once (model.embed_tokens.weight), or also as lm_head.weight. */
  override stateDict(opts: { withTiedHead?: boolean } = {}): StateDict {
    const out = super.stateDict();
    if (opts.withTiedHead && this.config.tieWeights) out["lm_head.weight"] = this.lm_head.weight.detach();
    return out;
  }

  /**
   * Module.loadStateDict, plus GPT's tied-head rule: with tieWeights, `lm_head.weight` may be
   * absent, or present and equal to `model.embed_tokens.weight`; a state holding only
   * `lm_head.weight` loads it as the shared matrix. Nothing changes on error.
   */
  override loadStateDict(state: StateDict | ReadonlyMap<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    if (!this.config.tieWeights) return super.loadStateDict(state, opts);
    const given = new Map<string, Tensor>(state instanceof Map ? [...state.entries()] : Object.entries(state as StateDict));
    const head = given.get("lm_head.weight");
    if (head !== undefined) {
      const emb = given.get("model.embed_tokens.weight");
      if (emb === undefined) given.set("model.embed_tokens.weight", head);
      else if (!(head instanceof Tensor) || !(emb instanceof Tensor) || !sameValues(head, emb)) {
        throw new StateDictError(
          "loadStateDict: this Llama ties lm_head.weight to model.embed_tokens.weight, but the state holds two different matrices " +
            "(load it into a Llama with tieWeights: false) (nothing was loaded)",
          [], [], ["lm_head.weight"],
        );
      }
      given.delete("lm_head.weight");
    }
    return super.loadStateDict(given, opts);
  }

  protected override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nKvHeads=${c.nKvHeads}, ` +
      `nEmbd=${c.nEmbd}, intermediateSize=${c.intermediateSize}, ropeTheta=${c.ropeTheta}, rmsNormEps=${c.rmsNormEps}, ` +
      `dropout=${c.dropout}, tieWeights=${c.tieWeights}`;
  }
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a.shape, b.shape)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
