// The bare training loop (no Trainer: no events, metrics, progress, checkpoints) on the default
// corpus, to compare with `descent train`'s tokens/s (the trainer must add < 5 %).
//   node dist/bench/train_loop.js [steps] [nLayer] [nEmbd] [nHead] [blockSize] [batchSize]
import { BatchSampler } from "../src/data/batch_sampler.js";
import { prepareData } from "../src/data/dataset.js";
import { GPT } from "../src/models/gpt.js";
import { AdamW, LRScheduler, clipGradNorm, schedules } from "../src/optim/index.js";
import { Tensor } from "../src/tensor/tensor.js";
import { manualSeed } from "../src/util/rng.js";

const [steps = 30, nLayer = 4, nEmbd = 128, nHead = 4, T = 128, B = 16] = process.argv.slice(2).map(Number);
const data = await prepareData({ tokenizer: "char", blockSize: T });
manualSeed(1337);
const model = new GPT({ vocabSize: data.tokenizer.vocabSize, blockSize: T, nLayer, nHead, nEmbd, dropout: 0, bias: true, tieWeights: true });
const opt = new AdamW(model.optimizerGroups(0.1), { lr: 3e-3, betas: [0.9, 0.99] });
const sched = new LRScheduler(opt, schedules.warmupCosine({ warmupSteps: 5, totalSteps: steps, maxLr: 3e-3, minLr: 3e-4 }));
const sampler = new BatchSampler(data.splits.train, B, T, 1338);
const params = model.parameters();
let timed = 0, tokens = 0, cpu = 0;
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  opt.zeroGrad();
  const { x, y } = sampler.next();
  const { loss } = model.forward(new Tensor(x, [B, T]), new Tensor(y, [B, T]));
  loss!.backward();
  clipGradNorm(params, 1.0);
  opt.step();
  sched.step();
  const l = loss!.item();
  const dt = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (s >= 3) { timed += dt; tokens += B * T; cpu += (c.user + c.system) / 1000; } // skip warm-up steps
  if (s % 10 === 0) console.log(`step ${s} loss ${l.toFixed(4)} ${dt.toFixed(0)} ms`);
}
console.log(JSON.stringify({ nLayer, nEmbd, nHead, T, B, params: model.numParameters(), msPerStep: timed / (steps - 3), cpuMsPerStep: cpu / (steps - 3), tokensPerSec: (tokens / timed) * 1000 }));
