// Does train.Trainer add anything over the bare step? The same GPT, data and steps run as a bare
// loop and as Trainer.run() with metrics.jsonl and progress listening, interleaved `reps` times;
// compared on the steps only (the trainer's final eval/checkpoint excluded), by CPU and wall time.
//   node dist/bench/trainer_overhead.js [steps] [reps]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchSampler } from "../src/data/batch_sampler.js";
import { prepareData } from "../src/data/dataset.js";
import { GPT } from "../src/models/gpt.js";
import { AdamW, LRScheduler, clipGradNorm, schedules } from "../src/optim/index.js";
import { Tensor } from "../src/tensor/tensor.js";
import { MetricsWriter } from "../src/train/metrics.js";
import { ProgressRenderer } from "../src/train/progress.js";
import { Trainer } from "../src/train/trainer.js";
import { manualSeed } from "../src/util/rng.js";

const [steps = 15, reps = 3] = process.argv.slice(2).map(Number);
const B = 16, T = 128;
const data = await prepareData({ tokenizer: "char", blockSize: T });
const cfg = { vocabSize: data.tokenizer.vocabSize, blockSize: T, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true, tieWeights: true };
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

function bare(): { cpu: number; wall: number } {
  manualSeed(1337);
  const model = new GPT(cfg);
  const opt = new AdamW(model.optimizerGroups(0.1), { lr: 3e-3, betas: [0.9, 0.99] });
  const sched = new LRScheduler(opt, schedules.warmupCosine({ warmupSteps: 2, totalSteps: steps, maxLr: 3e-3, minLr: 3e-4 }));
  const sampler = new BatchSampler(data.splits.train, B, T, 1338);
  const params = model.parameters();
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const { x, y } = sampler.next();
    const { loss } = model.forward(new Tensor(x, [B, T]), new Tensor(y, [B, T]));
    loss!.backward();
    clipGradNorm(params, 1.0);
    opt.step();
    sched.step();
    loss!.item();
  }
  return { cpu: cpuMs(process.cpuUsage(c0)), wall: performance.now() - t0 };
}

/** Wall ms per step spent outside trainStep (events, metrics.jsonl, progress, the event-loop yield), summed over runs. */
let outsideMs = 0;

async function trainer(): Promise<{ cpu: number; wall: number }> {
  manualSeed(1337);
  const out = mkdtempSync(join(tmpdir(), "descent-overhead-"));
  const t = new Trainer({
    model: new GPT(cfg), train: data.splits.train, val: data.splits.val, tokenizer: data.tokenizer, outDir: out, modelConfig: cfg, arch: "gpt",
    config: { steps, batchSize: B, blockSize: T, warmupSteps: 2, evalInterval: 0, evalIters: 1, checkpointInterval: 0, sampleTokens: 0, seed: 1337 },
  });
  new MetricsWriter(join(out, "metrics.jsonl")).attach(t);
  new ProgressRenderer({ write: () => true }, { tty: true, redrawMs: 0 }).attach(t); // redraw every step: the worst case
  let c0 = process.cpuUsage(), t0 = performance.now(), cpu = 0, wall = 0, inSteps = 0;
  t.on("start", () => ((c0 = process.cpuUsage()), (t0 = performance.now())));
  t.on("step", (r) => {
    inSteps += (t.tokensPerStep / r.tokensPerSec) * 1000;
    if (r.step === steps) (cpu = cpuMs(process.cpuUsage(c0))), (wall = performance.now() - t0);
  });
  await t.run();
  outsideMs += wall - inSteps;
  rmSync(out, { recursive: true, force: true });
  return { cpu, wall };
}

bare(); // warm-up
const rows: { bare: { cpu: number; wall: number }; trainer: { cpu: number; wall: number } }[] = [];
for (let r = 0; r < reps; r++) rows.push({ bare: bare(), trainer: await trainer() });
const sum = (k: "bare" | "trainer", f: "cpu" | "wall") => rows.reduce((a, x) => a + x[k][f], 0);
const tps = (ms: number) => (reps * steps * B * T) / (ms / 1000);
console.log(JSON.stringify({
  steps, reps,
  bareTokensPerSecWall: tps(sum("bare", "wall")), trainerTokensPerSecWall: tps(sum("trainer", "wall")),
  bareTokensPerCpuSec: tps(sum("bare", "cpu")), trainerTokensPerCpuSec: tps(sum("trainer", "cpu")),
  msPerStepOutsideTrainStep: outsideMs / (reps * steps), msPerTrainStep: sum("trainer", "wall") / (reps * steps),
  trainerOverCpu: sum("trainer", "cpu") / sum("bare", "cpu") - 1, trainerOverWall: sum("trainer", "wall") / sum("bare", "wall") - 1,
  rows,
}));
