// End to end: an MLP trained with CrossEntropyLoss, AdamW, warmup+cosine LRScheduler and gradient
// clipping learns XOR-like data; a checkpoint round trip (model + optimizer + scheduler) resumes exactly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Generator, type Tensor, tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";

const X = tensor([[0, 0], [0, 1], [1, 0], [1, 1], [0.1, 0.9], [0.9, 0.1], [0.9, 0.9], [0.1, 0.1]]);
const Y = tensor([0, 1, 1, 0, 1, 1, 0, 0], { dtype: "int32" });

function setup(seed: number) {
  const model = new nn.MLP([2, 16, 2], { activation: "tanh", generator: new Generator(seed) });
  const opt = new optim.AdamW(model.parameters(), { lr: 0.05, weightDecay: 0.01 });
  const sched = new optim.LRScheduler(opt, optim.schedules.warmupCosine({ warmupSteps: 10, totalSteps: 150, maxLr: 0.05, minLr: 0.005 }));
  const lossFn = new nn.CrossEntropyLoss();
  const step = (): number => {
    opt.zeroGrad();
    const loss: Tensor = lossFn.forward(model.forward(X), Y);
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    sched.step();
    return loss.item();
  };
  return { model, opt, sched, step };
}

describe("training loop", () => {
  it("learns XOR: loss falls from ~0.69 to < 0.05", () => {
    const { step } = setup(1);
    const first = step();
    let last = first;
    for (let i = 1; i < 150; i++) last = step();
    assert.ok(first > 0.5, `first ${first}`);
    assert.ok(last < 0.05, `last ${last}`);
  });

  it("resuming from model/optimizer/scheduler state dicts continues bit for bit", () => {
    const a = setup(2);
    for (let i = 0; i < 40; i++) a.step();
    const modelState = Object.fromEntries(Object.entries(a.model.stateDict()).map(([k, t]) => [k, tensor(t.data.slice(), { shape: t.shape })]));
    const optState = a.opt.stateDict();
    const schedState = a.sched.stateDict();
    const b = setup(3);
    b.model.loadStateDict(modelState);
    b.opt.loadStateDict(optState);
    b.sched.loadStateDict(schedState);
    assert.deepEqual(b.sched.lastLr, a.sched.lastLr);
    for (let i = 0; i < 20; i++) assert.equal(b.step(), a.step());
    const pa = a.model.parameters(), pb = b.model.parameters();
    pa.forEach((p, i) => assert.deepEqual([...pb[i]!.data], [...p.data]));
  });
});
