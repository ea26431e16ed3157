// LR schedules (the reference text's warmup+cosine numbers, every schedule's shape and argument
// checks) and LRScheduler driving an optimizer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tensor } from "../../src/index.js";
import * as optim from "../../src/optim/index.js";

const S = optim.schedules;
const close = (a: number, b: number, tol = 1e-15) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe("warmupCosine", () => {
  const f = S.warmupCosine({ warmupSteps: 100, totalSteps: 1000, maxLr: 3e-4, minLr: 3e-5 });
  it("reference text: eta(50) = 1.5e-4, eta(100) = 3e-4, eta(550) = 1.65e-4", () => {
    assert.equal(f(50), 1.5e-4);
    assert.equal(f(100), 3e-4);
    close(f(550), 1.65e-4, 1e-16);
    close(f(550), (3e-4 + 3e-5) / 2, 1e-16);
  });
  it("starts at 0, ends at minLr and stays there", () => {
    assert.equal(f(0), 0);
    close(f(1000), 3e-5);
    assert.equal(f(1001), 3e-5);
    assert.equal(f(1e6), 3e-5);
  });
  it("follows the formula everywhere and is monotone after warmup", () => {
    let prev = Infinity;
    for (let t = 100; t <= 1000; t += 7) {
      const want = 3e-5 + 0.5 * (3e-4 - 3e-5) * (1 + Math.cos((Math.PI * (t - 100)) / 900));
      close(f(t), want);
      assert.ok(f(t) <= prev);
      prev = f(t);
    }
    for (let t = 0; t < 100; t++) close(f(t), (t / 100) * 3e-4);
  });
  it("validates arguments and steps", () => {
    assert.throws(() => S.warmupCosine({ warmupSteps: 100, totalSteps: 100, maxLr: 1 }), optim.ScheduleError);
    assert.throws(() => S.warmupCosine({ warmupSteps: -1, totalSteps: 100, maxLr: 1 }), /warmupSteps must be a finite integer >= 0, got -1/);
    assert.throws(() => S.warmupCosine({ warmupSteps: 1, totalSteps: 100, maxLr: 1, minLr: 2 }), /minLr 2 is above maxLr 1/);
    assert.throws(() => f(-1), /step must be a finite number >= 0, got -1/);
    assert.throws(() => f(NaN), optim.ScheduleError);
  });
});

describe("other schedules", () => {
  it("constant, linearWarmup, cosineDecay, linearDecay", () => {
    assert.equal(S.constant(0.1)(123), 0.1);
    const w = S.linearWarmup({ warmupSteps: 10, maxLr: 1 });
    assert.deepEqual([0, 5, 10, 50].map(w), [0, 0.5, 1, 1]);
    const c = S.cosineDecay({ totalSteps: 10, maxLr: 1, minLr: 0.1 });
    assert.equal(c(0), 1);
    close(c(5), 0.55);
    assert.equal(c(10), 0.1);
    assert.equal(c(20), 0.1);
    const l = S.linearDecay({ maxLr: 1, minLr: 0, totalSteps: 4 });
    assert.deepEqual([0, 1, 2, 4, 8].map(l), [1, 0.75, 0.5, 0, 0]);
  });
  it("stepDecay and exponentialDecay (StepLR / ExponentialLR)", () => {
    const s = S.stepDecay({ lr: 1, stepSize: 3, gamma: 0.5 });
    assert.deepEqual([0, 2, 3, 5, 6, 9].map(s), [1, 1, 0.5, 0.5, 0.25, 0.125]);
    const e = S.exponentialDecay({ lr: 2, gamma: 0.5 });
    assert.deepEqual([0, 1, 3].map(e), [2, 1, 0.25]);
    assert.throws(() => S.stepDecay({ lr: 1, stepSize: 0 }), /stepSize must be a finite integer >= 1, got 0/);
  });
  it("oneCycle starts at maxLr/divFactor, peaks at maxLr, ends at initial/finalDivFactor", () => {
    const f = S.oneCycle({ maxLr: 0.1, totalSteps: 100 });
    close(f(0), 0.1 / 25);
    close(f(29), 0.1);
    close(f(99), 0.1 / 25 / 1e4);
    assert.throws(() => f(101), /past totalSteps 100/);
    assert.throws(() => S.oneCycle({ maxLr: 0.1, totalSteps: 10, annealStrategy: "sqrt" as "cos" }), /annealStrategy/);
  });
  it("sequential switches at milestones with a restarted step count", () => {
    const f = S.sequential([S.linearWarmup({ warmupSteps: 10, maxLr: 1 }), S.exponentialDecay({ lr: 1, gamma: 0.5 })], [10]);
    assert.deepEqual([0, 5, 9, 10, 11, 12].map(f), [0, 0.5, 0.9, 1, 0.5, 0.25]);
    assert.throws(() => S.sequential([S.constant(1), S.constant(2)], []), /2 schedules need 1 milestones, got 0/);
    assert.throws(() => S.sequential([S.constant(1), S.constant(2), S.constant(3)], [5, 5]), /milestones must increase/);
  });
});

describe("LRScheduler", () => {
  it("writes schedule(0) on construction and schedule(t) after each step, to every group", () => {
    const a = tensor([1], { dtype: "float64", requiresGrad: true });
    const b = tensor([1], { dtype: "float64", requiresGrad: true });
    const opt = new optim.AdamW([{ params: [a] }, { params: [b], lr: 5 }], { lr: 1 });
    const sched = new optim.LRScheduler(opt, S.warmupCosine({ warmupSteps: 100, totalSteps: 1000, maxLr: 3e-4, minLr: 3e-5 }));
    assert.deepEqual(sched.lastLr, [0, 0]);
    for (let t = 0; t < 50; t++) sched.step();
    assert.deepEqual(sched.lastLr, [1.5e-4, 1.5e-4]);
    assert.equal(opt.paramGroups[1]!.lr, 1.5e-4);
    const saved = sched.stateDict();
    const sched2 = new optim.LRScheduler(opt, S.constant(1));
    assert.deepEqual(sched2.lastLr, [1, 1]);
    sched.loadStateDict(saved);
    assert.equal(sched.lastStep, 50);
    assert.deepEqual(sched.lastLr, [1.5e-4, 1.5e-4]);
  });
  it("takes one schedule per group and rejects mismatches and bad lrs", () => {
    const a = tensor([1], { dtype: "float64", requiresGrad: true });
    const b = tensor([1], { dtype: "float64", requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 1 });
    const s = new optim.LRScheduler(opt, [S.constant(0.1), S.constant(0.2)]);
    assert.deepEqual(s.lastLr, [0.1, 0.2]);
    assert.throws(() => new optim.LRScheduler(opt, [S.constant(0.1)]), /1 schedules for 2 param groups/);
    assert.throws(() => new optim.LRScheduler(opt, () => NaN), /returned NaN at step 0/);
    assert.deepEqual(s.lastLr, [0.1, 0.2]);
    assert.throws(() => new optim.LRScheduler(opt, [S.constant(0.1), 0.2 as never]), /schedule 1 is number, expected a function/);
  });
  it("a step or loadStateDict whose schedule throws changes neither the step nor any lr", () => {
    const a = tensor([1], { dtype: "float64", requiresGrad: true });
    const b = tensor([1], { dtype: "float64", requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 1 });
    // Group 1's schedule ends at step 3 (oneCycle throws past totalSteps); group 0's would still succeed.
    const s = new optim.LRScheduler(opt, [S.constant(0.5), S.oneCycle({ maxLr: 0.1, totalSteps: 3 })]);
    for (let t = 0; t < 3; t++) s.step();
    const lrs = s.lastLr;
    assert.throws(() => s.step(), /past totalSteps 3/);
    assert.equal(s.lastStep, 3);
    assert.deepEqual(s.lastLr, lrs);
    assert.throws(() => s.loadStateDict({ lastStep: 10 }), /past totalSteps 3/);
    assert.equal(s.lastStep, 3);
    assert.deepEqual(s.lastLr, lrs);
    s.loadStateDict({ lastStep: 1 });
    assert.equal(s.lastStep, 1);
  });
  it("a param group added after the scheduler was built is an error, not silently unscheduled", () => {
    const a = tensor([1], { dtype: "float64", requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 1 });
    const s = new optim.LRScheduler(opt, S.constant(0.1));
    opt.addParamGroup({ params: [tensor([1], { dtype: "float64", requiresGrad: true })] });
    assert.throws(() => s.step(), /optimizer has 2 param groups but the scheduler was built for 1/);
    assert.equal(s.lastStep, 0);
  });
});
