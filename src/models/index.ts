// The models barrel: the causal-LM contract with its shared generation loop, and the models.
//   import { models } from "descent"; const gpt = new models.GPT({ vocabSize: 65 });

export {
  type CausalLM, type GenerateOptions, type GenerativeModel, type LanguageModelOutput, type SamplingConfig,
  checkGenerateOptions, generate, sampleNext,
} from "./language_model.js";
export { ModelConfigError } from "./config.js";
export { GPT_CONFIG_DEFAULTS, GPT_CONFIG_KEYS, type GPTConfig, validateGPTConfig } from "./gpt_config.js";
export { Block, type BlockOptions, CausalSelfAttention, MLP } from "./gpt_blocks.js";
export { CausalLMBase, type CausalLMConfigCore, type WeightDecayGroup } from "./causal_lm_base.js";
export { GPT, type GPTOptions, GPTTransformer } from "./gpt.js";
export {
  LLAMA_CONFIG_DEFAULTS, LLAMA_CONFIG_KEYS, type LlamaConfig, type LlamaConfigInput, llamaIntermediateSize, validateLlamaConfig,
} from "./llama_config.js";
export { LlamaAttention, LlamaDecoderLayer, type LlamaLayerOptions, LlamaMLP, type RopeTables } from "./llama_blocks.js";
export { Llama, type LlamaOptions, LlamaModel } from "./llama.js";
export type { GPTCheckpointing } from "./gpt_config.js";
