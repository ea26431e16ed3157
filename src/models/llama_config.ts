// LlamaConfig: the hyperparameters of a LLaMA-shaped model (HF LlamaConfig's, in camelCase), the
// keys written to a checkpoint's config.json after validation (nKvHeads and intermediateSize
// resolved to numbers). Defaults: a GPT-2-small-sized LLaMA (12 layers, 12 heads, C = 768,
// SwiGLU width 2048 by LLaMA's rule, LLaMA's 32000-token vocabulary, context 1024), with
// HF LlamaConfig's ropeTheta 10000, LLaMA 2's rmsNormEps 1e-5 and an untied head.

import { ModelConfigError, checkBoolKey, checkIntKey, checkKnownKeys, checkNumberKey } from "./config.js";

export interface LlamaConfig {
  /** Number of token ids (embedding rows, logits' last dim). */
  vocabSize: number;
  /** Longest context (HF max_position_embeddings): the length of the rotary cos/sin cache. */
  blockSize: number;
  nLayer: number;
  /** Query heads; nEmbd / nHead is the head dim D, which must be even (RoPE rotates pairs). */
  nHead: number;
  /** Key/value heads for grouped-query attention; divides nHead. nKvHeads = nHead is plain multi-head attention. */
  nKvHeads: number;
  /** Channels C. */
  nEmbd: number;
  /** SwiGLU hidden width F (gate_proj/up_proj: C -> F, down_proj: F -> C). */
  intermediateSize: number;
  /** LLaMA's rounding of the derived intermediateSize (Meta's multiple_of); used only when intermediateSize is not given. */
  multipleOf: number;
  /** Meta's ffn_dim_multiplier (scales 2/3·4C before rounding), or null; used only when intermediateSize is not given. */
  ffnDimMultiplier: number | null;
  /** Base of the rotary frequencies (10000; LLaMA 3 uses 500000). */
  ropeTheta: number;
  /** eps of every RMSNorm (LLaMA 1: 1e-6, LLaMA 2/3: 1e-5). */
  rmsNormEps: number;
  /** Dropout on the attention weights only (HF's attention_dropout; LLaMA has no other dropout), in [0, 1). */
  dropout: number;
  /** lm_head shares the token-embedding matrix (LLaMA: false). */
  tieWeights: boolean;
}

/** What `new Llama(config)` accepts: any subset; nKvHeads / intermediateSize null or absent are derived. */
export type LlamaConfigInput = Partial<Omit<LlamaConfig, "nKvHeads" | "intermediateSize">> & {
  nKvHeads?: number | null;
  intermediateSize?: number | null;
};

export const LLAMA_CONFIG_KEYS = [
  "vocabSize", "blockSize", "nLayer", "nHead", "nKvHeads", "nEmbd", "intermediateSize", "multipleOf",
  "ffnDimMultiplier", "ropeTheta", "rmsNormEps", "dropout", "tieWeights",
] as const;

/** Defaults before derivation: nKvHeads = nHead and intermediateSize = llamaIntermediateSize(nEmbd, ...) when null. */
export const LLAMA_CONFIG_DEFAULTS: Readonly<LlamaConfigInput> = Object.freeze({
  vocabSize: 32000,
  blockSize: 1024,
  nLayer: 12,
  nHead: 12,
  nKvHeads: null,
  nEmbd: 768,
  intermediateSize: null,
  multipleOf: 256,
  ffnDimMultiplier: null,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  dropout: 0,
  tieWeights: false,
});

/**
 * Meta's rule for the SwiGLU width: F = int(2 · 4C / 3), times ffnDimMultiplier if given (int
 * again), rounded up to a multiple of multipleOf. C = 4096, multipleOf 256 gives LLaMA-7B's 11008.
 */
export function llamaIntermediateSize(nEmbd: number, multipleOf = 256, ffnDimMultiplier: number | null = null): number {
  let hidden = Math.trunc((2 * 4 * nEmbd) / 3);
  if (ffnDimMultiplier !== null) hidden = Math.trunc(ffnDimMultiplier * hidden);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/**
 * Fill in defaults, derive nKvHeads and intermediateSize, and validate: sizes are positive
 * integers, nEmbd divisible by nHead with an even head dim, nHead divisible by nKvHeads,
 * ropeTheta > 0, rmsNormEps >= 0, dropout in [0, 1), no unknown keys. Throws ModelConfigError
 * naming the key, before anything is built.
 */
export function validateLlamaConfig(config: LlamaConfigInput = {}): LlamaConfig {
  const M = "Llama";
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ModelConfigError(`${M}: config must be an object, got ${config === null ? "null" : typeof config}`, "");
  }
  checkKnownKeys(M, config, LLAMA_CONFIG_KEYS);
  const c: Record<string, unknown> = { ...LLAMA_CONFIG_DEFAULTS };
  for (const k of LLAMA_CONFIG_KEYS) if (config[k] !== undefined) c[k] = config[k];
  const vocabSize = checkIntKey(M, "vocabSize", c.vocabSize, 1);
  const blockSize = checkIntKey(M, "blockSize", c.blockSize, 1);
  const nLayer = checkIntKey(M, "nLayer", c.nLayer, 1);
  const nHead = checkIntKey(M, "nHead", c.nHead, 1);
  const nEmbd = checkIntKey(M, "nEmbd", c.nEmbd, 1);
  if (nEmbd % nHead !== 0) {
    throw new ModelConfigError(`${M}: config.nEmbd (${nEmbd}) must be divisible by config.nHead (${nHead})`, "nEmbd");
  }
  if ((nEmbd / nHead) % 2 !== 0) {
    throw new ModelConfigError(
      `${M}: the head dim nEmbd / nHead = ${nEmbd} / ${nHead} = ${nEmbd / nHead} must be even (rotary embeddings rotate pairs of channels)`, "nHead",
    );
  }
  const nKvHeads = c.nKvHeads === null ? nHead : checkIntKey(M, "nKvHeads", c.nKvHeads, 1, nHead);
  if (nHead % nKvHeads !== 0) {
    throw new ModelConfigError(`${M}: config.nHead (${nHead}) must be divisible by config.nKvHeads (${nKvHeads}) for grouped-query attention`, "nKvHeads");
  }
  const multipleOf = checkIntKey(M, "multipleOf", c.multipleOf, 1);
  let ffnDimMultiplier: number | null = null;
  if (c.ffnDimMultiplier !== null) ffnDimMultiplier = checkFinite(M, "ffnDimMultiplier", c.ffnDimMultiplier, true, " or null");
  const intermediateSize = c.intermediateSize === null
    ? llamaIntermediateSize(nEmbd, multipleOf, ffnDimMultiplier)
    : checkIntKey(M, "intermediateSize", c.intermediateSize, 1);
  if (intermediateSize < 1 || intermediateSize > 2147483647) {
    throw new ModelConfigError(`${M}: the derived intermediateSize ${intermediateSize} is out of range; pass config.intermediateSize explicitly`, "intermediateSize");
  }
  const ropeTheta = checkFinite(M, "ropeTheta", c.ropeTheta, true);
  const rmsNormEps = checkFinite(M, "rmsNormEps", c.rmsNormEps, false);
  const dropout = checkNumberKey(M, "dropout", c.dropout, 0, 1, true);
  const tieWeights = checkBoolKey(M, "tieWeights", c.tieWeights);
  return {
    vocabSize, blockSize, nLayer, nHead, nKvHeads, nEmbd, intermediateSize, multipleOf, ffnDimMultiplier,
    ropeTheta, rmsNormEps, dropout, tieWeights,
  };
}

/** A finite number > 0 (positive) or >= 0. */
function checkFinite(model: string, key: string, v: unknown, positive: boolean, orElse = ""): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (positive ? v <= 0 : v < 0)) {
    throw new ModelConfigError(`${model}: config.${key} must be a finite number ${positive ? ">" : ">="} 0${orElse}, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`, key);
  }
  return v;
}
