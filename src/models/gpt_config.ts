// GPTConfig: the hyperparameters of a nanoGPT/GPT-2 shaped model, exactly the keys written to a
// checkpoint's config.json. Defaults are nanoGPT's GPTConfig (GPT-2 small with a padded vocabulary).

import { ModelConfigError, checkBoolKey, checkIntKey, checkKnownKeys, checkNumberKey } from "./config.js";

export interface GPTConfig {
  /** Number of token ids (the embedding rows and the logits' last dim). */
  vocabSize: number;
  /** Longest context: the number of learned position embeddings. */
  blockSize: number;
  nLayer: number;
  nHead: number;
  /** Channels C; must be divisible by nHead (head size C / nHead). */
  nEmbd: number;
  /** Dropout probability on embeddings, attention weights and residual branches, in [0, 1). */
  dropout: number;
  /** Biases in every Linear and LayerNorm (GPT-2: true). */
  bias: boolean;
  /** lm_head shares the token-embedding matrix (GPT-2: true). */
  tieWeights: boolean;
  /**
   * Gradient checkpointing (a training choice, not architecture; optional, absent = "none"):
   * "blocks" runs each transformer block under autograd's checkpoint(), keeping only its input
   * and recomputing its activations during backward.
   */
  checkpointing?: GPTCheckpointing;
}

export type GPTCheckpointing = "none" | "blocks";

export const GPT_CONFIG_KEYS = ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd", "dropout", "bias", "tieWeights", "checkpointing"] as const;

/** nanoGPT's GPTConfig defaults (vocab_size 50304 is GPT-2's 50257 padded to a multiple of 64). */
export const GPT_CONFIG_DEFAULTS: Readonly<GPTConfig> = Object.freeze({
  vocabSize: 50304,
  blockSize: 1024,
  nLayer: 12,
  nHead: 12,
  nEmbd: 768,
  dropout: 0,
  bias: true,
  tieWeights: true,
});

/**
 * Fill in defaults and validate: sizes are positive integers, nEmbd divisible by nHead, dropout
 * in [0, 1), bias/tieWeights booleans, no unknown keys. Throws ModelConfigError naming the key.
 */
export function validateGPTConfig(config: Partial<GPTConfig> = {}): GPTConfig {
  const M = "GPT";
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ModelConfigError(`${M}: config must be an object, got ${config === null ? "null" : typeof config}`, "");
  }
  checkKnownKeys(M, config, GPT_CONFIG_KEYS);
  const c = { ...GPT_CONFIG_DEFAULTS };
  for (const k of GPT_CONFIG_KEYS) if (config[k] !== undefined) (c as Record<string, unknown>)[k] = config[k];
  checkIntKey(M, "vocabSize", c.vocabSize, 1);
  checkIntKey(M, "blockSize", c.blockSize, 1);
  checkIntKey(M, "nLayer", c.nLayer, 1);
  checkIntKey(M, "nHead", c.nHead, 1);
  checkIntKey(M, "nEmbd", c.nEmbd, 1);
  if (c.nEmbd % c.nHead !== 0) {
    throw new ModelConfigError(`${M}: config.nEmbd (${c.nEmbd}) must be divisible by config.nHead (${c.nHead})`, "nEmbd");
  }
  checkNumberKey(M, "dropout", c.dropout, 0, 1, true);
  checkBoolKey(M, "bias", c.bias);
  checkBoolKey(M, "tieWeights", c.tieWeights);
  if (c.checkpointing !== undefined && c.checkpointing !== "none" && c.checkpointing !== "blocks") {
    throw new ModelConfigError(`${M}: config.checkpointing must be "none" or "blocks", got ${JSON.stringify(c.checkpointing)}`, "checkpointing");
  }
  return c;
}
