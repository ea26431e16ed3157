// models.GPT training-step benchmark: milliseconds per forward + backward (median) of a
// 4-layer, 4-head, 128-wide GPT (vocab 65, B 16, T 128, float32) on the current backend, plus
// forward alone and the optimizer step. Usage: npm run build && node dist/bench/gpt_step.js
import { Generator, backendInfo, models, optim, tensor } from "../src/index.js";

const B = 16, T = 128, V = 65;
const model = new models.GPT({ vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nEmbd: 128 }, { generator: new Generator(0) });
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

/** Median wall-clock ms, and median process CPU ms (all threads; less sensitive to a busy machine). */
function median(f: () => void, reps: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { wall: mid(wall), cpu: mid(cpu) };
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
console.log(`backend ${info.backend} (${info.isa ?? "no ISA"}), ${info.threads} threads; ${model.numParameters()} parameters`);
const ms = (t: { wall: number; cpu: number }): string => `${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU`;
console.log(`forward            ${ms(tFwd)}`);
console.log(`forward + backward ${ms(tStep)}  (${((tokens / tStep.wall) * 1000).toFixed(0)} tokens/s, ${((model.flopsPerToken(T) * tokens) / (tStep.wall / 1000) / 1e9).toFixed(1)} GFLOP/s by 6N + 12LTC)`);
console.log(`AdamW step         ${ms(tOpt)}`);
