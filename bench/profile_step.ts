// Per-kernel time breakdown of the GPT training step (config (a), or (b) with CONFIG=b): wraps every backend method
// with a timer and reports total ms per step by kernel (and GEMM by shape).
// Usage: npm run build && THREADS=1 node dist/bench/profile_step.js  (THREADS defaults to 2;
// ARCH=llama: bench/llama_step.ts's 4-layer, 128-wide LLaMA in config (a)'s place)
import { Generator, models, optim, setNumThreads, tensor } from "../src/index.js";
import { poolStats, resetPoolStats } from "../src/util/buffer_pool.js";
import { timeBackendCalls } from "./kernel_timer.js";

setNumThreads(Number(process.env["THREADS"] ?? 2));
// CONFIG=b: bench/gpt.ts's config (b), 6L/6H/384, T 256, B 8.
const big = process.env["CONFIG"] === "b";
const B = big ? 8 : 16, T = big ? 256 : 128, V = 65;
const shape = big ? { nLayer: 6, nHead: 6, nEmbd: 384 } : { nLayer: 4, nHead: 4, nEmbd: 128 };
const model = process.env["ARCH"] === "llama"
  ? new models.Llama({ vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nKvHeads: 4, nEmbd: 128, multipleOf: 32 }, { generator: new Generator(0) })
  : new models.GPT({ vocabSize: V, blockSize: T, ...shape }, { generator: new Generator(0) });
const g = new Generator(1);
const x = Int32Array.from({ length: B * T }, () => g.randint(0, V));
const y = Int32Array.from({ length: B * T }, () => g.randint(0, V));
const idx = tensor(x, { shape: [B, T], dtype: "int32" });
const targets = tensor(y, { shape: [B, T], dtype: "int32" });
const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3, betas: [0.9, 0.95] });

const timer = timeBackendCalls();
const step = (): void => {
  model.zeroGrad({ setToNone: false }); // as the trainer does
  model.forward(idx, targets).loss!.backward();
  opt.step();
};
step();
timer.reset();
resetPoolStats();
const reps = Number(process.env["REPS"] ?? 10);
const t0 = performance.now();
for (let i = 0; i < reps; i++) step();
const total = (performance.now() - t0) / reps;
const { inKernelsMs: inKernels, lines } = timer.report(reps);
const ps = poolStats();
console.log(`step ${total.toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms, outside ${(total - inKernels).toFixed(1)} ms; ` +
  `${(ps.allocatedBytes / reps / 2 ** 20).toFixed(1)} MiB of fresh storage and ${(ps.reused / reps).toFixed(0)} pooled buffers per step`);
for (const l of lines) console.log(l);
