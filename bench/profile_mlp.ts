// Per-kernel time breakdown of the MLP benchmark step (784-1024-1024-10, batch 256, SGD): wraps
// every backend method with a timer and reports ms per step by kernel (GEMM by shape, with GFLOPS).
// Usage: npm run build && THREADS=2 node dist/bench/profile_mlp.js
import { manualSeed, nn, optim, randint, randn, setNumThreads } from "../src/index.js";
import { timeBackendCalls } from "./kernel_timer.js";

setNumThreads(Number(process.env["THREADS"] ?? 2));
manualSeed(0);
const sizes = [784, 1024, 1024, 10], batch = 256;
const model = new nn.MLP(sizes);
const x = randn([batch, sizes[0]!]);
const y = randint(0, sizes[sizes.length - 1]!, [batch], { dtype: "int32" });
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });

const timer = timeBackendCalls();
const step = (): void => {
  const l = nn.functional.crossEntropy(model.forward(x), y);
  l.backward();
  opt.step();
  opt.zeroGrad({ setToNone: false }); // as the trainer does
  l.item();
};
for (let i = 0; i < 5; i++) step();
timer.reset();
const reps = Number(process.env["REPS"] ?? 30);
const stepTimes: number[] = [];
for (let i = 0; i < reps; i++) { const t = performance.now(); step(); stepTimes.push(performance.now() - t); }
stepTimes.sort((a, b) => a - b);
const total = stepTimes.reduce((a, b) => a + b, 0) / reps;
const { inKernelsMs: inKernels, lines } = timer.report(reps);
console.log(`step mean ${total.toFixed(1)} median ${stepTimes[reps >> 1]!.toFixed(1)} min ${stepTimes[0]!.toFixed(1)} max ${stepTimes[reps - 1]!.toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms, outside ${(total - inKernels).toFixed(1)} ms`);
for (const l of lines) console.log(l);
const gaps = timer.gaps;
gaps.sort((a, b) => a - b);
const over = (us: number): number => gaps.filter((g) => g * 1e3 > us).length / reps;
console.log(`gaps between backend calls per step: ${(gaps.length / reps).toFixed(0)}, median ${(gaps[gaps.length >> 1]! * 1e3).toFixed(0)} us, ` +
  `> 100 us: ${over(100).toFixed(1)}, > 1 ms: ${over(1000).toFixed(1)}`);
