// Buffer pool A/B in one process: training steps (forward + backward + AdamW) of bench config (a),
// a 4-layer, 4-head, 128-wide GPT (T 128, B 16, vocab 65, float32), alternating pool on / pool
// off round by round (each side's first step after the switch is a discarded warm-up, since
// turning the pool off empties it). Reports per side the median step time, the storage bytes
// allocated per step (poolStats().allocatedBytes: every `allocate`), and GC pauses per step.
// CPU time (all threads) is the steadier figure on a shared machine.
// Usage: npm run build && node dist/bench/buffer_pool.js   (ROUNDS=8 DROPOUT=0 CHECKPOINTING=none)
import { PerformanceObserver } from "node:perf_hooks";
import { Generator, backendInfo, models, optim, tensor } from "../src/index.js";
import { isPoolEnabled, poolStats, resetPoolStats, setPoolEnabled } from "../src/util/buffer_pool.js";

const B = 16, T = 128, V = 65;
const dropout = Number(process.env["DROPOUT"] ?? 0);
const checkpointing = (process.env["CHECKPOINTING"] ?? "none") as models.GPTCheckpointing;
const rounds = Number(process.env["ROUNDS"] ?? 8);
const model = new models.GPT({ vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nEmbd: 128, dropout, checkpointing }, { generator: new Generator(0) });
const g = new Generator(1);
const ids = (): ReturnType<typeof tensor> => tensor(Int32Array.from({ length: B * T }, () => g.randint(0, V)), { shape: [B, T], dtype: "int32" });
const idx = ids(), targets = ids();
const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3, betas: [0.9, 0.95] });

let gcMs = 0, gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount++;
  }
}).observe({ entryTypes: ["gc"] });

interface Sample { ms: number; cpuMs: number; bytes: number; gcMs: number; gcCount: number }
const samples: Record<"on" | "off", Sample[]> = { on: [], off: [] };

// GC entries arrive asynchronously: wait after each step so its pauses are counted with it.
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

async function step(): Promise<Sample> {
  resetPoolStats();
  const g0 = gcMs, c0 = gcCount;
  const c0cpu = process.cpuUsage();
  const t0 = performance.now();
  opt.zeroGrad();
  model.forward(idx, targets).loss!.backward();
  opt.step();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0cpu);
  const bytes = poolStats().allocatedBytes;
  await settle();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes, gcMs: gcMs - g0, gcCount: gcCount - c0 };
}

await step(); // first step: one-time allocations (optimizer state)
for (let r = 0; r < rounds; r++) {
  for (const side of ["on", "off"] as const) {
    setPoolEnabled(side === "on");
    await step();
    samples[side].push(await step());
  }
}
setPoolEnabled(true);

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const info = backendInfo();
console.log(`backend ${info.backend} (${info.isa ?? "no ISA"}), ${info.threads} threads; GPT config (a), dropout ${dropout}, checkpointing ${checkpointing}; ${rounds} rounds`);
const row = (side: "on" | "off"): { ms: number; cpu: number; mib: number } => {
  const s = samples[side];
  const ms = median(s.map((x) => x.ms)), cpu = median(s.map((x) => x.cpuMs)), mib = median(s.map((x) => x.bytes)) / 2 ** 20;
  console.log(`pool ${side.padEnd(3)}  step ${ms.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU (medians)  ${mib.toFixed(1)} MiB allocated/step  ` +
    `GC ${median(s.map((x) => x.gcMs)).toFixed(1)} ms in ${median(s.map((x) => x.gcCount))} pauses/step`);
  return { ms, cpu, mib };
};
const on = row("on"), off = row("off");
console.log(`on/off: wall ${(on.ms / off.ms).toFixed(3)}, CPU ${(on.cpu / off.cpu).toFixed(3)}, bytes ${(on.mib / off.mib).toFixed(3)}; pool is ${isPoolEnabled() ? "on" : "off"} by default`);
