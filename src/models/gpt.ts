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
// `lm_head.weight` may be absent, or present and equal to `transformer.wte.weight`.

import { checkpoint } from "../autograd/checkpoint.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { Module, type LoadStateDictResult, type StateDict, StateDictError } from "../nn/module.js";
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
import { shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { checkTokenInputs } from "./tokens.js";
import type { FloatDType } from "../util/dtype.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { Generator } from "../util/rng.js";
import { Block } from "./gpt_blocks.js";
import { type GPTConfig, validateGPTConfig } from "./gpt_config.js";
import { type CausalLM, type GenerateOptions, type LanguageModelOutput, generate } from "./language_model.js";

export interface GPTOptions {
  /** Parameter dtype: "float32" (default) or "float64" (for exact checks). */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the global one seeded by manualSeed). */
  generator?: Generator;
  /** Generator for dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
}

/** An AdamW param group as optim takes it: `new optim.AdamW(model.optimizerGroups(0.1), ...)`. */
export interface WeightDecayGroup {
  params: Parameter[];
  weightDecay: number;
}

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

export class GPT extends Module implements CausalLM {
  readonly config: Readonly<GPTConfig>;
  readonly dtype: FloatDType;
  transformer: GPTTransformer;
  private readonly dropoutGenerator: Generator | undefined;
  lm_head: Linear;

  constructor(config: Partial<GPTConfig> = {}, opts: GPTOptions = {}) {
    super();
    const cfg = validateGPTConfig(config);
    const dtype = opts.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`GPT: dtype must be "float32" or "float64", got ${String(dtype)}`);
    this.config = Object.freeze(cfg);
    this.dtype = dtype;
    this.dropoutGenerator = opts.dropoutGenerator;
    // The layers' own default init is overwritten by resetParameters: feed it a scratch generator so
    // `manualSeed(s); new GPT(c)` and `new GPT(c, { generator: new Generator(s) })` give the same weights.
    const scratch = new Generator(0);
    this.transformer = new GPTTransformer(cfg, dtype, opts.dropoutGenerator, scratch);
    this.lm_head = new Linear(cfg.nEmbd, cfg.vocabSize, { bias: false, dtype, generator: scratch });
    if (cfg.tieWeights) this.lm_head.weight = this.transformer.wte.weight; // one Parameter, two names
    this.resetParameters(opts.generator);
  }

  get blockSize(): number {
    return this.config.blockSize;
  }

  get vocabSize(): number {
    return this.config.vocabSize;
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
    const logits = this.lm_head.forward(this.transformer.ln_f.forward(this.trunk(idx))); // (B, T, V)
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

  /** Embeddings and the blocks: idx (B, T) -> (B, T, C), before ln_f. */
  private trunk(idx: Tensor): Tensor {
    const T = idx.shape[1]!;
    const { wte, wpe, drop, h } = this.transformer;
    const pos = new Tensor(Int32Array.from({ length: T }, (_, i) => i), [T]);
    let x = drop.forward(add(wte.forward(idx), wpe.forward(pos))); // (B, T, C) + (T, C)
    if (this.config.checkpointing === "blocks" && isGradEnabled()) {
      // Keep only each block's input; its activations are recomputed (same dropout masks) in backward.
      const generators = this.dropoutGenerator ? [this.dropoutGenerator] : [];
      for (const block of h) x = checkpoint((t: Tensor) => block.forward(t), x, { generators });
    } else for (const block of h) x = block.forward(x);
    return x;
  }

  /** Typed errors for forward's inputs, naming the method (before any work). */
  private checkTokens(idx: Tensor, targets: Tensor | null, op = "GPT.forward"): void {
    checkTokenInputs(op, idx, targets, this.config.blockSize, this.config.vocabSize);
  }


  /** Sample maxNewTokens tokens after idx (B, T): the shared loop of language_model.ts. */
  generate(idx: Tensor, maxNewTokens: number, opts?: GenerateOptions): Tensor {
    return generate(this, idx, maxNewTokens, opts);
  }

  /**
   * Parameter elements, the tied head counted once. nonEmbedding subtracts the position
   * embeddings (nanoGPT's get_num_params, whose default is non_embedding=True; ours is false).
   * The token embedding stays counted: with a tied head it is also the output layer.
   */
  override numParameters(opts: { trainableOnly?: boolean; nonEmbedding?: boolean } = {}): number {
    const n = super.numParameters(opts);
    const wpe = this.transformer.wpe.weight;
    return opts.nonEmbedding && (!opts.trainableOnly || wpe.requiresGrad) ? n - wpe.numel : n;
  }

  /**
   * Training FLOPs per token, nanoGPT's / PaLM's estimate: 6N + 12·L·T·C, with N the
   * non-embedding parameter count (numParameters({ nonEmbedding: true })) and T the context
   * length (default blockSize). Forward + backward; the attention term counts the full T × T.
   */
  flopsPerToken(T: number = this.config.blockSize): number {
    if (!Number.isInteger(T) || T < 1) throw new ValueError(`GPT.flopsPerToken: T must be a positive integer, got ${String(T)}`);
    const { nLayer, nEmbd } = this.config;
    return 6 * this.numParameters({ nonEmbedding: true }) + 12 * nLayer * T * nEmbd;
  }

  /** Model FLOPs utilisation: flopsPerToken(T) · tokensPerSec / peakFlops (a fraction, 0..1). */
  estimateMfu(tokensPerSec: number, peakFlops: number, T: number = this.config.blockSize): number {
    const op = "GPT.estimateMfu";
    if (typeof tokensPerSec !== "number" || !Number.isFinite(tokensPerSec) || tokensPerSec < 0) {
      throw new ValueError(`${op}: tokensPerSec must be a finite number >= 0, got ${String(tokensPerSec)}`);
    }
    if (typeof peakFlops !== "number" || !Number.isFinite(peakFlops) || peakFlops <= 0) {
      throw new ValueError(`${op}: peakFlops must be a finite number > 0 (FLOP/s), got ${String(peakFlops)}`);
    }
    return (this.flopsPerToken(T) * tokensPerSec) / peakFlops;
  }

  /**
   * AdamW param groups as nanoGPT's configure_optimizers builds them: weight decay on every
   * trainable parameter with ndim >= 2 (matmul weights and embeddings), none on the rest
   * (biases, LayerNorm weights). Each parameter appears exactly once (the tied head too).
   */
  optimizerGroups(weightDecay: number): WeightDecayGroup[] {
    if (typeof weightDecay !== "number" || !Number.isFinite(weightDecay) || weightDecay < 0) {
      throw new ValueError(`GPT.optimizerGroups: weightDecay must be a finite number >= 0, got ${String(weightDecay)}`);
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

  /** See the file header: the tied head once by default, or also as `lm_head.weight`. */
  override stateDict(opts: { withTiedHead?: boolean } = {}): StateDict {
    const out = super.stateDict();
    if (opts.withTiedHead && this.config.tieWeights) out["lm_head.weight"] = this.lm_head.weight.detach();
    return out;
  }

  /**
   * Module.loadStateDict, plus the tied-head rule: with tieWeights, `lm_head.weight` may be
   * absent, or present and equal to `transformer.wte.weight` (PyTorch's state_dict has both);
   * a file holding only `lm_head.weight` loads it as the shared matrix. Nothing changes on error.
   */
  override loadStateDict(state: StateDict | ReadonlyMap<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    if (!this.config.tieWeights) return super.loadStateDict(state, opts);
    const given = new Map<string, Tensor>(state instanceof Map ? [...state.entries()] : Object.entries(state as StateDict));
    const head = given.get("lm_head.weight");
    if (head !== undefined) {
      const wte = given.get("transformer.wte.weight");
      if (wte === undefined) given.set("transformer.wte.weight", head);
      else if (!(head instanceof Tensor) || !(wte instanceof Tensor) || !sameValues(head, wte)) {
        throw new StateDictError(
          "loadStateDict: this GPT ties lm_head.weight to transformer.wte.weight, but the state holds two different matrices " +
            "(load it into a GPT with tieWeights: false) (nothing was loaded)",
          [], [], ["lm_head.weight"],
        );
      }
      given.delete("lm_head.weight");
    }
    return super.loadStateDict(given, opts);
  }

  protected override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nEmbd=${c.nEmbd}, dropout=${c.dropout}, bias=${c.bias}, tieWeights=${c.tieWeights}`;
  }
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a.shape, b.shape)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
