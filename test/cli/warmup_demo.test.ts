// descent demo warmup: without warmup Adam's first step moves every weight by about the full
// learning rate and the early loss jumps; with warmup the same GPT ends far lower.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findDemo } from "../../src/cli/demos/index.js";
import { formatWarmupDemo, warmupDemoResult } from "../../src/cli/demos/warmup.js";

describe("demo warmup", () => {
  const r = warmupDemoResult();
  const w = r.withWarmup, n = r.withoutWarmup;

  it("both runs start from the same weights and batch", () => {
    assert.equal(w.length, 40);
    assert.equal(n.length, 40);
    assert.equal(w[0]!.loss, n[0]!.loss);
    assert.equal(w[0]!.gradNorm, n[0]!.gradNorm);
    assert.equal(w[0]!.lr, 0); // the warmup schedule starts at 0
    assert.ok(Math.abs(w[1]!.lr - 0.0015) < 1e-12);
    assert.ok(n.every((x) => x.lr === 0.03));
  });

  it("without warmup the first Adam step moves each weight by about lr (v̂ = g²)", () => {
    assert.ok(Math.abs(n[0]!.stepPerLr - 1) < 0.02, String(n[0]!.stepPerLr));
    assert.ok(n[9]!.stepPerLr < 0.5);
  });

  it("without warmup the early loss rises above the start and the run ends higher", () => {
    const early = (rows: typeof w) => Math.max(...rows.slice(0, 10).map((x) => x.loss));
    assert.ok(early(n) > n[0]!.loss + 0.2, `${early(n)}`);
    assert.ok(early(w) < early(n));
    assert.ok(w[39]!.loss < 1.3, `${w[39]!.loss}`);
    assert.ok(n[39]!.loss > w[39]!.loss + 0.5, `${n[39]!.loss} vs ${w[39]!.loss}`);
    assert.ok(n.every((x) => x.rmsMedian > 0));
  });

  it("prints the two runs side by side and is registered under Warmup", () => {
    const text = formatWarmupDemo(r);
    assert.match(text, /^Warmup: a 2-layer GPT/);
    assert.match(text, /\n {3}1 \| {2}0\.0e\+0 {2}3\.\d{3}/);
    assert.match(text, /Here the run without warmup ends with the higher loss\./);
    assert.equal(findDemo("warmup")?.section, "Warmup");
  });
});
