// Gradient checkpointing benchmark: one training step (forward + backward) of an 8-layer GPT
// (128 wide, 4 heads, vocab 65, B 8, T 128, dropout 0.1, float32) with checkpointing "none" and
// "blocks": peak bytes saved for backward (autograd.memoryStats) and the median step time (wall
// and process CPU). Expect several times less activation memory for roughly a third more time.
// Usage: npm run bench:checkpointing
import { Generator, autograd, backendInfo, manualSeed, models, randint } from "../src/index.js";
import { formatBytes } from "../src/autograd/graph_views.js";

const B = 8, T = 128, V = 65, REPS = Number(process.env["REPS"] ?? 5);
const idx = randint(0, V, [B, T], { generator: new Generator(1) });
const targets = randint(0, V, [B, T], { generator: new Generator(2) });

function measure(checkpointing: "none" | "blocks"): { peak: number; wall: number; cpu: number } {
  const model = new models.GPT({ vocabSize: V, blockSize: T, nLayer: 8, nHead: 4, nEmbd: 128, dropout: 0.1, checkpointing }, { generator: new Generator(0) });
  const walls: number[] = [], cpus: number[] = [];
  let peak = 0;
  for (let i = 0; i <= REPS; i++) {
    model.zeroGrad();
    manualSeed(i);
    const base = autograd.memoryStats().liveBytes;
    autograd.resetPeak();
    const t0 = performance.now(), c0 = process.cpuUsage();
    model.forward(idx, targets).loss!.backward();
    const c = process.cpuUsage(c0);
    if (i === 0) continue; // warm-up
    walls.push(performance.now() - t0);
    cpus.push((c.user + c.system) / 1000);
    peak = Math.max(peak, autograd.memoryStats().peakBytes - base);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
  return { peak, wall: med(walls), cpu: med(cpus) };
}

const info = backendInfo();
console.log(`backend ${info.backend}${info.isa ? ` (${info.isa})` : ""}, ${REPS} steps each (median)`);
const none = measure("none"), blocks = measure("blocks");
for (const [name, r] of [["none", none], ["blocks", blocks]] as const) {
  console.log(`${name.padEnd(7)} peak saved for backward ${formatBytes(r.peak).padStart(10)}   step ${r.wall.toFixed(0).padStart(6)} ms wall, ${r.cpu.toFixed(0).padStart(6)} ms CPU`);
}
console.log(`memory saved: ${formatBytes(none.peak - blocks.peak)} (${(none.peak / blocks.peak).toFixed(2)}x less); ` +
  `extra step time: ${(100 * (blocks.wall / none.wall - 1)).toFixed(0)} % wall, ${(100 * (blocks.cpu / none.cpu - 1)).toFixed(0)} % CPU`);
