// The reference text's remaining worked examples and interview questions as demos: each demo's
// numbers are pinned here (worked examples exactly; trained runs to tolerances that hold on both
// backends), plus the grouped listing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accumulationDemo, accumulationDemoResult } from "../../src/cli/demos/accumulation.js";
import { adamStepsDemo, adamStepsResult } from "../../src/cli/demos/adam_steps.js";
import { batchnormDemo, batchnormDemoResult } from "../../src/cli/demos/batchnorm.js";
import { decayDemo, decayDemoResult } from "../../src/cli/demos/decay.js";
import { detachDemo, detachDemoResult } from "../../src/cli/demos/detach.js";
import { DEMO_SECTIONS, DEMOS, formatDemoList } from "../../src/cli/demos/index.js";
import { lrSweepDemo, lrSweepResult, SWEEP_LRS } from "../../src/cli/demos/lr_sweep.js";
import { momentumStepsDemo, momentumStepsResult } from "../../src/cli/demos/momentum_steps.js";
import { reluDemo, reluDemoResult } from "../../src/cli/demos/relu.js";
import { sgdStepDemo, sgdStepDemoResult, sgdUpdate } from "../../src/cli/demos/sgd_step.js";
import { UsageError } from "../../src/cli/errors.js";

const close = (a: number, b: number, tol = 1e-15) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`);
/** Equal to within a few ulps, relative to b. */
const rel = (a: number, b: number, ulps = 16) => close(a, b, ulps * Number.EPSILON * Math.abs(b));

describe("demo sgd-step", () => {
  it("w = 2.0, η = 0.1, ∂L/∂w = 0.4 gives 1.96; a negative gradient increases w", () => {
    close(sgdUpdate(2.0, 0.1, 0.4).wNext, 1.96);
    close(sgdUpdate(2.0, 0.1, -0.4).wNext, 2.04);
    const r = sgdStepDemoResult({ draws: 50 });
    assert.deepEqual(r.updates.map((u) => u.wNext), [sgdUpdate(2, 0.1, 0.4).wNext, sgdUpdate(2, 0.1, -0.4).wNext]);
  });

  it("the gradient estimate's variance falls as 1/B and the full batch is exact", () => {
    const r = sgdStepDemoResult({ draws: 100 });
    const rows = r.regression.rows;
    assert.deepEqual(rows.map((x) => x.batchSize), [1, 4, 16, 64, 256, 1024]);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i]!.variance < rows[i - 1]!.variance, `variance falls at B=${rows[i]!.batchSize}`);
    // variance·B roughly constant for B ≪ N (within a factor 1.5 of B = 1's), exact 0 at B = N.
    for (const row of rows.slice(0, 4)) assert.ok(row.varianceTimesB / rows[0]!.varianceTimesB > 0.66 && row.varianceTimesB / rows[0]!.varianceTimesB < 1.5);
    assert.ok(rows[5]!.variance < 1e-20);
    close(rows[5]!.cosine, 1, 1e-12);
    assert.ok(rows[0]!.cosine < rows[3]!.cosine);
    assert.match(sgdStepDemo.run({ draws: 20 }), /2 +0\.1 +0\.4 +1\.96/);
  });

  it("rejects a bad --draws", () => {
    assert.throws(() => sgdStepDemoResult({ draws: 1 }), UsageError);
  });
});

describe("demo momentum-steps", () => {
  it("reproduces the worked example: v 0.5 then 0.15, w 0.95 then 0.935; plain SGD 0.95 then 0.98", () => {
    const r = momentumStepsResult();
    close(r.steps[0]!.velocity, 0.5);
    close(r.steps[0]!.wMomentum, 0.95);
    close(r.steps[1]!.velocity, 0.15, 1e-15);
    close(r.steps[1]!.wMomentum, 0.935, 1e-15);
    close(r.steps[1]!.wSgd, 0.98, 1e-15);
    assert.match(momentumStepsDemo.run({}), /2 +-0\.3 +0\.15 +0\.935 +0\.98/);
    assert.throws(() => momentumStepsResult({ beta: 1 }), UsageError);
  });
});

describe("demo adam-steps", () => {
  it("reproduces the worked example at full precision, and optim.Adam agrees with the formulas", () => {
    const r = adamStepsResult();
    const [s1, s2] = r.steps as [typeof r.steps[0], typeof r.steps[0]];
    rel(s1.m, 0.04);
    rel(s1.v, 0.00016);
    close(s1.mHat, 0.4, 1e-15);
    close(s1.vHat, 0.16, 1e-15);
    close(s1.w, 1 - 0.01 * (0.4 / (0.4 + 1e-8)), 1e-15);
    rel(s2.m, 0.016);
    rel(s2.v, 0.00019984);
    close(s2.mHat, 0.016 / 0.19, 1e-15);
    close(s2.vHat, 0.00019984 / (1 - 0.999 ** 2), 1e-15);
    close(s2.w, 0.98734, 1e-5);
    for (const s of r.steps) close(s.wOptim, s.w, 1e-15);
  });

  it("shows each bias correction's effect: raw m is 10× timid at t = 1, raw v 31.6× bold", () => {
    const v = adamStepsResult().variants;
    assert.deepEqual(v.map((x) => x.name), ["full Adam", "m uncorrected", "v uncorrected", "neither corrected"]);
    close(v[0]!.ratioToCorrected[0]!, 1, 1e-12);
    close(v[1]!.ratioToCorrected[0]!, 0.1, 1e-6);
    close(v[2]!.ratioToCorrected[0]!, 1 / Math.sqrt(0.001), 1e-3);
    close(v[3]!.ratioToCorrected[0]!, 0.1 / Math.sqrt(0.001), 1e-4);
    assert.match(adamStepsDemo.run({}), /0\.9873366/);
  });
});

describe("demo relu", () => {
  it("zero input gets zero gradient, and the node's saved input is read from the graph", () => {
    const r = reluDemoResult();
    assert.deepEqual(r.grad, [0, 0, 0, 1, 1]);
    assert.deepEqual(r.y, [0, 0, 0, 0.5, 2]);
    assert.equal(r.saved.length, 1);
    assert.deepEqual(r.saved[0], { what: "input x", shape: [5], dtype: "float32", bytes: 20 });
    assert.equal(r.gptActivation.savedBytes, 16 * 128 * 512 * 4);
    assert.equal(r.gptActivation.boolMaskBytes, 16 * 128 * 512);
    assert.match(reluDemo.run({}), /input x: shape \[5\], float32, 20 bytes/);
  });
});

describe("demo detach", () => {
  it("detached branches receive no credit; a detached hidden layer keeps grad null and stays frozen", () => {
    const r = detachDemoResult();
    const [none, branch, hidden] = r.cases as [typeof r.cases[0], typeof r.cases[0], typeof r.cases[0]];
    for (const name of Object.keys(none.gradNorms)) assert.ok(none.gradNorms[name]! > 0, name);
    // The heads' gradients do not depend on what is detached upstream of them.
    for (const name of ["headA.weight", "headA.bias", "headB.weight", "headB.bias"]) {
      close(branch.gradNorms[name]!, none.gradNorms[name]!, 1e-15);
      close(hidden.gradNorms[name]!, none.gradNorms[name]!, 1e-15);
    }
    assert.notEqual(branch.gradNorms["body.weight"], none.gradNorms["body.weight"]);
    assert.equal(hidden.gradNorms["body.weight"], null);
    assert.equal(hidden.gradNorms["body.bias"], null);
    assert.equal(r.freeze.frozenMaxChange, 0);
    assert.ok(r.freeze.headMaxChange > 0);
    assert.ok(r.freeze.lossAfter < r.freeze.lossBefore);
    assert.match(detachDemo.run({}), /body\.weight +[\d.]+ +[\d.]+ +null/);
  });
});

describe("demo batchnorm", () => {
  it("full gradients match nn.BatchNorm1d, sum to zero per feature, and differ from detached statistics", () => {
    const r = batchnormDemoResult();
    r.gradFull.forEach((row, i) => row.forEach((v, j) => close(v, r.gradFullByOps[i]![j]!, 1e-12)));
    for (const s of r.columnSumsFull) assert.ok(Math.abs(s) < 1e-12, `column sum ${s}`);
    assert.ok(r.columnSumsDetached.some((s) => Math.abs(s) > 0.1));
    assert.ok(r.maxAbsDiff > 0.1);
    // Detached: dL/dx = R / sqrt(var + eps) exactly.
    const x0 = r.x.map((row) => row[0]!);
    const mean = x0.reduce((a, b) => a + b) / 4;
    const variance = x0.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    close(r.gradDetached[0]![0]!, 0.3 / Math.sqrt(variance + 1e-5), 1e-12);
    for (const v of r.crossSampleBatchNorm) assert.ok(v > 0.01);
    for (const v of r.crossSampleLayerNorm) assert.equal(v, 0);
    assert.match(batchnormDemo.run({}), /LayerNorm \(per-token statistics\) +0 +0 +0/);
  });
});

describe("demo lr-sweep", () => {
  it("the final loss is U-shaped in the learning rate", () => {
    const r = lrSweepResult({ steps: 30 });
    assert.deepEqual(r.rows.map((x) => x.lr), SWEEP_LRS);
    const best = r.rows.findIndex((x) => x.lr === r.bestLr);
    assert.ok(best > 0 && best < r.rows.length - 1, `best lr ${r.bestLr} is inside the sweep`);
    const bestLoss = r.rows[best]!.finalLoss;
    assert.ok(r.rows[0]!.finalLoss > 5 * bestLoss);
    assert.ok(r.rows[r.rows.length - 1]!.finalLoss > 5 * bestLoss);
    assert.ok(r.rows[r.rows.length - 1]!.worstIncrease > 1, "lr 1 overshoots");
    assert.ok(lrSweepDemo.run({ steps: 5 }).includes("← best"));
    assert.throws(() => lrSweepResult({ steps: 0 }), UsageError);
  });
});

describe("demo decay", () => {
  it("cosine and step decay both beat a constant lr, and only step decay has a 10× cliff", () => {
    const r = decayDemoResult();
    const [constant, step, cosine] = r.runs as [typeof r.runs[0], typeof r.runs[0], typeof r.runs[0]];
    assert.deepEqual(r.runs.map((x) => x.name), ["constant", "step decay", "cosine"]);
    close(step.largestDrop, 10, 1e-9);
    assert.ok(cosine.largestDrop < 1.1);
    assert.equal(constant.largestDrop, 1);
    close(cosine.lrs[0]!, 0.1, 1e-15);
    close(cosine.lrs[150]!, (0.1 + 0.001) / 2, 1e-15);
    assert.ok(step.finalLoss < constant.finalLoss && cosine.finalLoss < constant.finalLoss);
    assert.match(decayDemo.run({ steps: 30 }), /lr on a log scale/);
    assert.throws(() => decayDemoResult({ lr: -1 }), UsageError);
  });
});

describe("demo accumulation", () => {
  it("loss/k over k micro-batches equals the full batch; unscaled it is k times too large", () => {
    const r = accumulationDemoResult();
    assert.deepEqual(r.rows.map((x) => x.microBatches), [2, 4, 8, 32]);
    for (const row of r.rows) {
      assert.ok(row.maxDiffScaled < 1e-15, `k=${row.microBatches}: ${row.maxDiffScaled}`);
      close(row.normRatioUnscaled, row.microBatches, 1e-12);
    }
    assert.match(accumulationDemo.run({}), /32 +1 +\d\.\d\de[+-]\d+ +32\.000000/);
  });
});

describe("demo listing", () => {
  it("groups every demo under a section of the reference text, in the text's order", () => {
    const text = formatDemoList();
    for (const d of DEMOS) assert.ok(text.includes(`    ${d.name} `), d.name);
    const order = DEMO_SECTIONS.filter((s) => text.includes(`  ${s}:`)).map((s) => text.indexOf(`  ${s}:`));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    for (const name of ["sgd-step", "momentum-steps", "adam-steps", "relu", "detach", "batchnorm", "lr-sweep", "decay", "accumulation"]) {
      assert.ok(DEMOS.some((d) => d.name === name && d.section !== undefined), name);
    }
  });
});

describe("demo checkpointing", () => {
  it("pins the peak bytes (6.01x smaller) and bit-identical gradients; --json", async () => {
    const { checkpointingDemo, checkpointingDemoResult } = await import("../../src/cli/demos/checkpointing.js");
    const r = checkpointingDemoResult();
    assert.deepEqual(r.rows.map((row) => [row.checkpointing, row.peakActivationBytes]), [["none", 4565664], ["blocks", 759428]]);
    assert.equal(r.memoryRatio.toFixed(2), "6.01");
    assert.equal(r.maxGradDiff, 0);
    assert.equal(r.bitIdentical, true);
    assert.equal(r.rows[0]!.loss, r.rows[1]!.loss);
    assert.ok(r.rows.every((row) => row.stepMs > 0));
    const text = checkpointingDemo.run({});
    assert.match(text, /\n {2}none +\d\.\d{6} +4565664 B \(4\.35 MiB\) +\d+\.\d\n {2}blocks +\d\.\d{6} +759428 B \(742 KiB\) +\d+\.\d\n/);
    assert.match(text, /Peak activation memory: 6\.01× smaller with blocks\./);
    assert.match(text, /max \|g_none − g_blocks\| = 0\.00e\+0 over every parameter: bit-identical\./);
    assert.equal(JSON.parse(checkpointingDemo.run({ json: true })).memoryRatio.toFixed(2), "6.01");
  });
});
