// models.GPT training-step benchmark: milliseconds per forward + backward (median) of a
// 4-layer, 4-head, 128-wide GPT (vocab 65, B 16, T 128, float32) on the current backend, plus
// forward alone and the optimizer step. Usage: npm run build && node dist/bench/gpt_step.js
import { Generator, models } from "../src/index.js";
import { T, V, runStepBench } from "./lm_step.js";

const model = new models.GPT({ vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nEmbd: 128 }, { generator: new Generator(0) });
runStepBench(model, { cpu: true });
