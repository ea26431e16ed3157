// Cost of anomaly mode (autograd.detectAnomaly) and module-path tracking on a GPT training step:
// forward + backward of the same model and batch, median of N steps, each mode interleaved.
//   npx tsc -p tsconfig.json && node dist/bench/anomaly_overhead.js
import { autograd, manualSeed, models, Tensor } from "../src/index.js";

const cfg = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true, tieWeights: true };
manualSeed(0);
const model = new models.GPT(cfg);
const B = 8, T = 64;
const idx = new Tensor(Int32Array.from({ length: B * T }, (_, i) => (i * 7) % 65), [B, T]);
const tgt = new Tensor(Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 1) % 65), [B, T]);
const step = (): void => {
  model.zeroGrad();
  model.forward(idx, tgt).loss!.backward();
};
const modes: Record<string, () => void> = {
  off: step,
  modulePaths: () => autograd.trackModulePaths(step),
  anomaly: () => autograd.detectAnomaly(step),
};
const times: Record<string, number[]> = { off: [], modulePaths: [], anomaly: [] };
for (let i = 0; i < 2; i++) for (const f of Object.values(modes)) f(); // warm up
for (let i = 0; i < 8; i++) {
  for (const [name, f] of Object.entries(modes)) {
    const t0 = performance.now();
    f();
    times[name]!.push(performance.now() - t0);
  }
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const base = median(times["off"]!);
for (const [name, v] of Object.entries(times)) {
  const m = median(v);
  console.log(`${name.padEnd(12)} ${m.toFixed(1).padStart(8)} ms/step  ${((m / base - 1) * 100).toFixed(1).padStart(6)} %`);
}
