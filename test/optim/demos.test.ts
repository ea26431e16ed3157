// The optimizers and schedule CLI demos (src/cli/demos/optimizers.ts, schedule.ts): their numbers.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { optimizersDemoResult, runOptimizersDemo } from "../../src/cli/demos/optimizers.js";
import { runScheduleDemo, scheduleDemoResult } from "../../src/cli/demos/schedule.js";
import { findDemo } from "../../src/cli/demos/index.js";

describe("optimizers demo", () => {
  it("momentum and Adam-family beat plain SGD on the narrow gorge", () => {
    const r = optimizersDemoResult();
    const by = Object.fromEntries(r.runs.map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(by), ["SGD", "Momentum", "Adam", "AdamW"]);
    for (const x of r.runs) assert.ok(x.stepsToThreshold !== null && x.finalLoss < r.threshold, x.name);
    assert.ok(by["Momentum"]!.stepsToThreshold! < by["SGD"]!.stepsToThreshold!);
    assert.ok(by["Adam"]!.stepsToThreshold! < by["SGD"]!.stepsToThreshold!);
    // lr 0.019 on curvature 100: y <- (1 - 1.9) y flips sign every step (the gorge wobble).
    assert.equal(by["SGD"]!.ySignFlips, r.steps);
    // SGD's x after t steps is exactly 10 (1 - 0.019)^t.
    assert.ok(Math.abs(by["SGD"]!.final[0] - 10 * 0.981 ** r.steps) < 1e-12);
    const text = runOptimizersDemo({ steps: 50 });
    assert.match(text, /narrow gorge/);
    assert.match(text, /SGD\s+lr 0.019\s+not in 50/);
    assert.equal(JSON.parse(runOptimizersDemo({ json: true })).runs.length, 4);
    assert.ok(findDemo("optimizers"));
  });
});

describe("schedule demo", () => {
  it("samples the reference's warmup+cosine numbers and plots them", () => {
    const r = scheduleDemoResult();
    const at = Object.fromEntries(r.samples.map((s) => [s.step, s.lr]));
    assert.equal(at[50], 1.5e-4);
    assert.equal(at[100], 3e-4);
    assert.ok(Math.abs(at[550]! - 1.65e-4) < 1e-18);
    assert.ok(Math.abs(at[1000]! - 3e-5) < 1e-18);
    const text = runScheduleDemo({});
    assert.match(text, / 550 {2}1\.6500e-4 {2}cosine/);
    assert.equal((text.match(/\|.*\*/g) ?? []).length >= 10, true);
  });
  it("--csv writes step,lr for every step", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-sched-"));
    try {
      const path = join(dir, "lr.csv");
      const text = runScheduleDemo({ csv: path, warmupSteps: 10, totalSteps: 40, maxLr: 1, minLr: 0.1 });
      assert.match(text, /wrote 41 rows/);
      const lines = readFileSync(path, "utf8").trim().split("\n");
      assert.equal(lines[0], "step,lr");
      assert.equal(lines.length, 42);
      assert.equal(lines[6], "5,0.5");
      assert.equal(Number(lines[41]!.split(",")[1]), 0.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("rejects inconsistent arguments", () => {
    assert.throws(() => runScheduleDemo({ warmupSteps: 2000 }), /totalSteps 1000 must be greater than warmupSteps 2000/);
  });
});
