// models.Llama training-step benchmark: milliseconds per forward + backward (median) of a
// 4-layer, 4-head, 128-wide LLaMA (SwiGLU width 352 ~ GPT's 4C MLP in parameters; vocab 65, B 16, T 128,
// float32; KV_HEADS=n for grouped-query attention) on the current backend, plus
// forward alone and the optimizer step; bench/gpt_step.ts is its GPT twin. Usage: npm run build && node dist/bench/llama_step.js
import { Generator, backendInfo, models, optim, tensor } from "../src/index.js";

const B = 16, T = 128, V = 65;
const nKvHeads = Number(process.env["KV_HEADS"] ?? 4);
const model = new models.Llama(
  { vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nKvHeads, nEmbd: 128, multipleOf: 32 }, { generator: new Generator(0) },
);
const g = new Generator(1);
const data = Int32Array.from({ length: B * (T + 1) }, () => g.randint(0, V));
const x = new Int32Array(B * T), y = new Int32Array(B * T);
for (let b = 0; b < B; b++) {
  x.set(data.subarray(b * (T + 1), b * (T + 1) + T), b * T);
  y.set(data.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
}
const idx = tensor(x, { shape: [B, T], dtype: "int32" });
const targets = tensor(y, { shape: [B, T], dtype: "int32" });
const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3, betas: [0.9, 0.95] });

function median(f: () => void, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const reps = Number(process.env["REPS"] ?? 7);
const fwdBwd = (): void => {
  model.zeroGrad();
  model.forward(idx, targets).loss!.backward();
};
fwdBwd(); // warm-up
const info = backendInfo();
const tFwd = median(() => void model.forward(idx, targets), reps);
const tStep = median(fwdBwd, reps);
const tOpt = median(() => opt.step(), reps);
const tokens = B * T;
console.log(`backend ${info.backend} (${info.isa ?? "no ISA"}), ${info.threads} threads; ${model.numParameters()} parameters, nKvHeads ${nKvHeads}`);
console.log(`forward            ${tFwd.toFixed(1)} ms`);
console.log(`forward + backward ${tStep.toFixed(1)} ms  (${((tokens / tStep) * 1000).toFixed(0)} tokens/s, ${((model.flopsPerToken(T) * tokens) / (tStep / 1000) / 1e9).toFixed(1)} GFLOP/s by 6N + 12LTC)`);
console.log(`AdamW step         ${tOpt.toFixed(1)} ms`);
