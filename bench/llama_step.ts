// models.Llama training-step benchmark: milliseconds per forward + backward (median) of a
// 4-layer, 4-head, 128-wide LLaMA (SwiGLU width 352 ~ GPT's 4C MLP in parameters; vocab 65, B 16, T 128,
// float32; KV_HEADS=n for grouped-query attention) on the current backend, plus
// forward alone and the optimizer step; bench/gpt_step.ts is its GPT twin. Usage: npm run build && node dist/bench/llama_step.js
import { Generator, models } from "../src/index.js";
import { T, V, runStepBench } from "./lm_step.js";

const nKvHeads = Number(process.env["KV_HEADS"] ?? 4);
const model = new models.Llama(
  { vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nKvHeads, nEmbd: 128, multipleOf: 32 }, { generator: new Generator(0) },
);
runStepBench(model, { note: `, nKvHeads ${nKvHeads}` });
