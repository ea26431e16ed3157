// Per-kernel time breakdown of the MLP benchmark step (784-1024-1024-10, batch 256, SGD): wraps
// every backend method with a timer and reports ms per step by kernel (GEMM by shape, with GFLOPS).
// Usage: npm run build && THREADS=2 node dist/bench/profile_mlp.js
import { manualSeed, nn, optim, randint, randn, setNumThreads } from "../src/index.js";
import { getBackend } from "../src/backend/index.js";

setNumThreads(Number(process.env["THREADS"] ?? 2));
manualSeed(0);
const sizes = [784, 1024, 1024, 10], batch = 256;
const model = new nn.MLP(sizes);
const x = randn([batch, sizes[0]!]);
const y = randint(0, sizes[sizes.length - 1]!, [batch], { dtype: "int32" });
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });

const times = new Map<string, number>();
const counts = new Map<string, number>();
const flops = new Map<string, number>();
// Gaps between consecutive backend calls: a pool worker spins ~100 us after a job, then sleeps.
const gaps: number[] = [];
let lastEnd = 0;
const be = getBackend() as unknown as Record<string, unknown>;
for (const key of Object.keys(be)) {
  const f = be[key];
  if (typeof f !== "function") continue;
  be[key] = (...args: unknown[]): unknown => {
    let name = key;
    if (key === "gemm") {
      const p = args[3] as { batch: number; m: number; n: number; k: number; transA: boolean; transB: boolean; beta: number; bias?: unknown; act?: unknown };
      name = `gemm b${p.batch} ${p.m}x${p.n}x${p.k}${p.transA ? " tA" : ""}${p.transB ? " tB" : ""}${p.beta ? " beta" : ""}${p.bias ? " bias" : ""}${p.act ? " act" : ""}`;
      flops.set(name, 2 * p.batch * p.m * p.n * p.k);
    } else if (typeof args[0] === "string") name = `${key}:${args[0]}`;
    const t0 = performance.now();
    if (lastEnd) gaps.push(t0 - lastEnd);
    const r = (f as (...a: unknown[]) => unknown).apply(be, args);
    times.set(name, (times.get(name) ?? 0) + performance.now() - t0);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    lastEnd = performance.now();
    return r;
  };
}
const step = (): void => {
  const l = nn.functional.crossEntropy(model.forward(x), y);
  l.backward();
  opt.step();
  opt.zeroGrad();
  l.item();
};
for (let i = 0; i < 5; i++) step();
times.clear(); counts.clear(); gaps.length = 0;
const reps = Number(process.env["REPS"] ?? 30);
const stepTimes: number[] = [];
for (let i = 0; i < reps; i++) { const t = performance.now(); step(); stepTimes.push(performance.now() - t); }
stepTimes.sort((a, b) => a - b);
const total = stepTimes.reduce((a, b) => a + b, 0) / reps;
let inKernels = 0;
const rows = [...times.entries()].sort((a, b) => b[1] - a[1]);
for (const [, t] of rows) inKernels += t / reps;
console.log(`step mean ${total.toFixed(1)} median ${stepTimes[reps >> 1]!.toFixed(1)} min ${stepTimes[0]!.toFixed(1)} max ${stepTimes[reps - 1]!.toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms, outside ${(total - inKernels).toFixed(1)} ms`);
for (const [k, t] of rows) {
  const c = counts.get(k)! / reps, f = flops.get(k);
  const gf = f ? `  ${(f * c / (t / reps) / 1e6).toFixed(0)} GFLOPS` : "";
  console.log(`${(t / reps).toFixed(2).padStart(8)} ms ${String(c).padStart(5)}x  ${k}${gf}`);
}
gaps.sort((a, b) => a - b);
const over = (us: number): number => gaps.filter((g) => g * 1e3 > us).length / reps;
console.log(`gaps between backend calls per step: ${(gaps.length / reps).toFixed(0)}, median ${(gaps[gaps.length >> 1]! * 1e3).toFixed(0)} us, ` +
  `> 100 us: ${over(100).toFixed(1)}, > 1 ms: ${over(1000).toFixed(1)}`);
