// The models barrel: the causal-LM contract with its shared generation loop, and the models.
//   import { models } from "descent"; const gpt = new models.GPT({ vocabSize: 65 });

export {
  type CausalLM, type GenerateOptions, type GenerativeModel, type LanguageModelOutput, type SamplingConfig,
  checkGenerateOptions, generate, sampleNext,
} from "./language_model.js";
