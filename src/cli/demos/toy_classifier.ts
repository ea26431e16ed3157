// The small training problem the lr-sweep and decay demos share: three interleaved spirals in 2-D
// (300 points) and a 2-32-32-3 ReLU MLP trained full-batch with Adam in float64, seeded so every
// run is reproducible. Small enough that a full run takes a fraction of a second.

import { Generator } from "../../util/rng.js";
import { manualSeed, noGrad, type Tensor, tensor } from "../../index.js";
import * as nn from "../../nn/index.js";
import * as optim from "../../optim/index.js";

const POINTS_PER_CLASS = 100;
const CLASSES = 3;

export interface SpiralData {
  x: Tensor; // (N, 2) float64
  y: Tensor; // (N,) int32
}

export function spiralData(seed = 0): SpiralData {
  const gen = new Generator(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let c = 0; c < CLASSES; c++) {
    for (let i = 0; i < POINTS_PER_CLASS; i++) {
      const r = i / POINTS_PER_CLASS;
      const angle = (c * 4) + r * 4 + gen.normal() * 0.2;
      xs.push(r * Math.sin(angle), r * Math.cos(angle));
      ys.push(c);
    }
  }
  return { x: tensor(xs, { dtype: "float64", shape: [xs.length / 2, 2] }), y: tensor(ys, { dtype: "int32" }) };
}

export interface TrainCurve {
  /** Training loss of each step's batch, before the step (index = step). */
  losses: number[];
  finalLoss: number;
  finalAccuracy: number;
}

export interface TrainOptions {
  /** Random mini-batches of this many points (seeded); default: the full batch every step. */
  batchSize?: number;
  seed?: number;
}

/** Train a fresh MLP (seeded init) for `steps` Adam steps with learning rate lrAt(step). */
export function trainClassifier(data: SpiralData, steps: number, lrAt: (step: number) => number, opts: TrainOptions = {}): TrainCurve {
  const seed = opts.seed ?? 0;
  manualSeed(seed);
  const n = data.y.numel;
  const batchGen = new Generator(seed + 1);
  const batch = (): SpiralData => {
    if (opts.batchSize === undefined || opts.batchSize >= n) return data;
    const idx = tensor(Array.from({ length: opts.batchSize }, () => batchGen.randint(0, n)), { dtype: "int32" });
    return { x: data.x.indexSelect(0, idx), y: data.y.indexSelect(0, idx) };
  };
  const model = new nn.Sequential(
    new nn.Linear(2, 32, { dtype: "float64" }), new nn.ReLU(),
    new nn.Linear(32, 32, { dtype: "float64" }), new nn.ReLU(),
    new nn.Linear(32, CLASSES, { dtype: "float64" }),
  );
  const opt = new optim.Adam(model.parameters(), { lr: lrAt(0) });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    for (const g of opt.paramGroups) g.lr = lrAt(step);
    opt.zeroGrad();
    const b = batch();
    const loss = nn.functional.crossEntropy(model.forward(b.x), b.y);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  const { finalLoss, finalAccuracy } = noGrad(() => {
    const logits = model.forward(data.x);
    const pred = logits.argmax(1).data;
    let correct = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === data.y.data[i]) correct++;
    return { finalLoss: nn.functional.crossEntropy(logits, data.y).item(), finalAccuracy: correct / pred.length };
  });
  return { losses, finalLoss, finalAccuracy };
}
