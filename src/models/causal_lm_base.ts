// What GPT and Llama share beyond the CausalLM contract: a frozen config and a float dtype, an
// `lm_head` that may be tied to the token embedding (one Parameter under two names), and the
// bookkeeping built on that: parameter counts, FLOPs and MFU estimates, AdamW weight-decay groups,
// and state dicts that list the tied head once but load either form. Subclasses provide the
// layers, forward, initialisation and the two names that differ (the model's, the embedding's).
// Legend: T time, C channels (nEmbd), L layers.

import { type LoadStateDictResult, Module, type StateDict, StateDictError } from "../nn/module.js";
import type { Linear } from "../nn/layers/linear.js";
import type { Parameter } from "../nn/parameter.js";
import { shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../util/dtype.js";
import { DTypeError, ValueError } from "../util/errors.js";
import { type CausalLM, type GenerateOptions, type LanguageModelOutput, generate } from "./language_model.js";

/** An AdamW param group as optim takes it: `new optim.AdamW(model.optimizerGroups(0.1), ...)`. */
export interface WeightDecayGroup {
  params: Parameter[];
  weightDecay: number;
}

/** The config fields the shared methods read. */
export interface CausalLMConfigCore {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nEmbd: number;
  tieWeights: boolean;
}

export abstract class CausalLMBase<C extends CausalLMConfigCore> extends Module implements CausalLM {
  readonly config: Readonly<C>;
  readonly dtype: FloatDType;
  /** The output layer (B, T, C) -> (B, T, V); with tieWeights its weight is the token embedding's. */
  abstract lm_head: Linear;
  /** The class name that errors start with ("GPT", "Llama"). */
  declare private readonly modelName: string;

  /** `config` is already validated; `dtype` defaults to float32 and must be float32 or float64. */
  protected constructor(modelName: string, config: C, dtype: FloatDType | undefined) {
    super();
    const d = dtype ?? "float32";
    if (d !== "float32" && d !== "float64") throw new DTypeError(`${modelName}: dtype must be "float32" or "float64", got ${String(d)}`);
    this.config = Object.freeze(config);
    this.dtype = d;
    Object.defineProperty(this, "modelName", { value: modelName, enumerable: false });
  }

  /** State-dict key of the token embedding that a tied head shares ("transformer.wte.weight"). */
  protected abstract tiedEmbeddingKey(): string;

  /** The embedding parameter that numParameters({ nonEmbedding: true }) leaves out, or null for none. */
  protected abstract nonEmbeddingParameter(): Parameter | null;

  abstract forward(idx: Tensor, targets?: Tensor | null): LanguageModelOutput;

  get blockSize(): number {
    return this.config.blockSize;
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** Sample maxNewTokens tokens after idx (B, T): the shared loop of language_model.ts. */
  generate(idx: Tensor, maxNewTokens: number, opts?: GenerateOptions): Tensor {
    return generate(this, idx, maxNewTokens, opts);
  }

  /**
   * Parameter elements, a tied head counted once. nonEmbedding subtracts the subclass's
   * nonEmbeddingParameter() (when trainableOnly, only if it is trainable); a tied token embedding
   * always stays counted, since it is also the output layer.
   */
  override numParameters(opts: { trainableOnly?: boolean; nonEmbedding?: boolean } = {}): number {
    const n = super.numParameters(opts);
    const excluded = opts.nonEmbedding ? this.nonEmbeddingParameter() : null;
    return excluded && (!opts.trainableOnly || excluded.requiresGrad) ? n - excluded.numel : n;
  }

  /**
   * Training FLOPs per token, nanoGPT's / PaLM's estimate: 6N + 12·L·T·C, with N the
   * non-embedding parameter count (numParameters({ nonEmbedding: true })) and T the context
   * length (default blockSize). Forward + backward; the attention term counts the full T × T
   * over all query heads (H·D = C).
   */
  flopsPerToken(T: number = this.config.blockSize): number {
    if (!Number.isInteger(T) || T < 1) throw new ValueError(`${this.modelName}.flopsPerToken: T must be a positive integer, got ${String(T)}`);
    const { nLayer, nEmbd } = this.config;
    return 6 * this.numParameters({ nonEmbedding: true }) + 12 * nLayer * T * nEmbd;
  }

  /** Model FLOPs utilisation: flopsPerToken(T) · tokensPerSec / peakFlops (a fraction, 0..1). */
  estimateMfu(tokensPerSec: number, peakFlops: number, T: number = this.config.blockSize): number {
    const op = `${this.modelName}.estimateMfu`;
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
   * (biases, norm weights). Each parameter appears exactly once (a tied head too).
   */
  optimizerGroups(weightDecay: number): WeightDecayGroup[] {
    if (typeof weightDecay !== "number" || !Number.isFinite(weightDecay) || weightDecay < 0) {
      throw new ValueError(`${this.modelName}.optimizerGroups: weightDecay must be a finite number >= 0, got ${String(weightDecay)}`);
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

  /**
   * With tieWeights the shared matrix is listed once, under the embedding's name (what
   * model.safetensors stores, like Hugging Face's files); withTiedHead adds `lm_head.weight`
   * sharing its storage, exactly like PyTorch's state_dict().
   */
  override stateDict(opts: { withTiedHead?: boolean } = {}): StateDict {
    const out = super.stateDict();
    if (opts.withTiedHead && this.config.tieWeights) out["lm_head.weight"] = this.lm_head.weight.detach();
    return out;
  }

  /**
   * Module.loadStateDict, plus the tied-head rule: with tieWeights, `lm_head.weight` may be
   * absent, or present and equal to the token embedding (PyTorch's state_dict has both); a state
   * holding only `lm_head.weight` loads it as the shared matrix. Nothing changes on error.
   */
  override loadStateDict(state: StateDict | ReadonlyMap<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    if (!this.config.tieWeights) return super.loadStateDict(state, opts);
    const given = new Map<string, Tensor>(state instanceof Map ? [...state.entries()] : Object.entries(state as StateDict));
    const head = given.get("lm_head.weight");
    if (head !== undefined) {
      const key = this.tiedEmbeddingKey();
      const emb = given.get(key);
      if (emb === undefined) given.set(key, head);
      else if (!(head instanceof Tensor) || !(emb instanceof Tensor) || !sameValues(head, emb)) {
        const name = this.modelName;
        throw new StateDictError(
          `loadStateDict: this ${name} ties lm_head.weight to ${key}, but the state holds two different matrices ` +
            `(load it into a ${name} with tieWeights: false) (nothing was loaded)`,
          [], [], ["lm_head.weight"],
        );
      }
      given.delete("lm_head.weight");
    }
    return super.loadStateDict(given, opts);
  }
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (!shapesEqual(a.shape, b.shape)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
