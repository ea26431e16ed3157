// Model architectures the trainer and CLI can build by name (`--arch gpt`): each validates its
// config (the keys of config.json) and constructs the model. Adding one (e.g. llama) is one entry.

import { GPT } from "../models/gpt.js";
import { GPT_CONFIG_KEYS, type GPTConfig, validateGPTConfig } from "../models/gpt_config.js";
import { Llama } from "../models/llama.js";
import { LLAMA_CONFIG_KEYS, type LlamaConfigInput, validateLlamaConfig } from "../models/llama_config.js";
import { ValueError } from "../util/errors.js";
import type { TrainableModel } from "./model.js";

export interface Architecture {
  name: string;
  /** The config keys this architecture reads (config.json's keys). */
  configKeys: readonly string[];
  /** Fill defaults and validate; throws ModelConfigError (with .key) on a bad value. */
  validate(config: Record<string, unknown>): Record<string, unknown>;
  create(config: Record<string, unknown>): TrainableModel;
}

export const ARCHITECTURES: Readonly<Record<string, Architecture>> = Object.freeze({
  gpt: {
    name: "gpt",
    configKeys: GPT_CONFIG_KEYS,
    validate: (c) => ({ ...validateGPTConfig(c as Partial<GPTConfig>) }),
    create: (c) => new GPT(c as Partial<GPTConfig>),
  },
  llama: {
    name: "llama",
    configKeys: LLAMA_CONFIG_KEYS,
    validate: (c) => ({ ...validateLlamaConfig(c as LlamaConfigInput) }),
    create: (c) => new Llama(c as LlamaConfigInput),
  },
});

export function architecture(name: string): Architecture {
  const a = ARCHITECTURES[name];
  if (!a) throw new ValueError(`unknown architecture "${name}"; available: ${Object.keys(ARCHITECTURES).join(", ")}`);
  return a;
}
