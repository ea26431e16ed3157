// Per-kernel time breakdown of the GPT training step (config (a)): wraps every backend method
// with a timer and reports total ms per step by kernel (and GEMM by shape).
// Usage: npm run build && node dist/bench/profile_step.js
import { Generator, models, optim, tensor } from "../src/index.js";
import { getBackend } from "../src/backend/index.js";

const B = 16, T = 128, V = 65;
const model = new models.GPT({ vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nEmbd: 128 }, { generator: new Generator(0) });
const g = new Generator(1);
const x = Int32Array.from({ length: B * T }, () => g.randint(0, V));
const y = Int32Array.from({ length: B * T }, () => g.randint(0, V));
const idx = tensor(x, { shape: [B, T], dtype: "int32" });
const targets = tensor(y, { shape: [B, T], dtype: "int32" });
const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3, betas: [0.9, 0.95] });

const times = new Map<string, number>();
const counts = new Map<string, number>();
const be = getBackend() as unknown as Record<string, unknown>;
for (const key of Object.keys(be)) {
  const f = be[key];
  if (typeof f !== "function") continue;
  be[key] = (...args: unknown[]): unknown => {
    let name = key;
    if (key === "gemm") {
      const p = args[3] as { batch: number; m: number; n: number; k: number; transA: boolean; transB: boolean; beta: number };
      name = `gemm b${p.batch} ${p.m}x${p.n}x${p.k}${p.transA ? " tA" : ""}${p.transB ? " tB" : ""}${p.beta ? " beta" : ""}`;
    } else if (typeof args[0] === "string") name = `${key}:${args[0]}`;
    const t0 = performance.now();
    const r = (f as (...a: unknown[]) => unknown).apply(be, args);
    times.set(name, (times.get(name) ?? 0) + performance.now() - t0);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return r;
  };
}
const step = (): void => {
  model.zeroGrad();
  model.forward(idx, targets).loss!.backward();
  opt.step();
};
step();
times.clear(); counts.clear();
const reps = Number(process.env["REPS"] ?? 10);
const t0 = performance.now();
for (let i = 0; i < reps; i++) step();
const total = (performance.now() - t0) / reps;
let inKernels = 0;
const rows = [...times.entries()].sort((a, b) => b[1] - a[1]);
for (const [, t] of rows) inKernels += t / reps;
console.log(`step ${total.toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms, outside ${(total - inKernels).toFixed(1)} ms`);
for (const [k, t] of rows) console.log(`${(t / reps).toFixed(2).padStart(8)} ms ${String((counts.get(k)! / reps)).padStart(5)}x  ${k}`);
