// The demos' numbers: backprop (manual vs autograd), chain rule, the (a + b)^2 graph, the optimizers
// on the narrow gorge and the warmup+cosine schedule; and the shared report formatting.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { autogradTwoLayerGrads, backpropDemo, backpropResult, GRAD_NAMES, manualTwoLayerGrads } from "../../src/cli/demos/backprop.js";
import { chainRuleDemo, chainRuleResult } from "../../src/cli/demos/chain_rule.js";
import { graphDemo, graphDemoResult } from "../../src/cli/demos/graph.js";
import { DEMOS, findDemo, formatDemoList } from "../../src/cli/demos/index.js";
import { optimizersDemoResult, runOptimizersDemo } from "../../src/cli/demos/optimizers.js";
import { runScheduleDemo, scheduleDemoResult } from "../../src/cli/demos/schedule.js";
import { UsageError } from "../../src/cli/errors.js";
import { columns } from "../../src/cli/format.js";

const close = (a: number, b: number, tol = 1e-15) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe("demo backprop", () => {
  it("manual chain rule gives the worked example's loss and gradients", () => {
    const m = manualTwoLayerGrads();
    close(m.loss, 0.001849);
    // z1 = [0.51, 1.12], z2 = 0.957, dL/dz2 = -0.086.
    const dz2 = -0.086;
    close(m.d_b2[0]![0]!, dz2, 1e-15);
    close(m.d_w2[0]![0]!, dz2 * 0.51, 1e-15);
    close(m.d_w2[0]![1]!, dz2 * 1.12, 1e-15);
    assert.deepEqual(m.d_w1.map((r) => r.map((v) => +v.toFixed(6))), [[-0.043, -0.086], [-0.0516, -0.1032]]);
    assert.deepEqual(m.d_b1.map((r) => r.map((v) => +v.toFixed(6))), [[-0.043], [-0.0516]]);
  });

  it("autograd agrees with the manual pass to 1e-15 on the loss and all four gradients", () => {
    const r = backpropResult();
    close(r.loss.manual, 0.001849);
    close(r.loss.autograd, 0.001849);
    assert.ok(r.loss.absDiff <= 1e-15);
    for (const name of GRAD_NAMES) {
      const g = r.grads[name];
      assert.ok(g.maxAbsDiff <= 1e-15, `${name}: ${g.maxAbsDiff}`);
      assert.equal(g.manual.length, g.autograd.length);
    }
    assert.ok(r.maxAbsDiff <= 1e-15);
    const a = autogradTwoLayerGrads();
    assert.equal(a.d_w1.length, 2);
    assert.equal(a.d_w1[0]!.length, 2);
    assert.equal(a.d_w2[0]!.length, 2);
  });

  it("prints both losses, each gradient's two values and their max difference in e-notation", () => {
    const text = backpropDemo.run({});
    assert.match(text, /Loss \(manual\):\s+0\.00184/);
    assert.match(text, /Loss \(autograd\):\s+0\.00184/);
    for (const name of GRAD_NAMES) {
      assert.ok(text.includes(`${name} manual:`) && text.includes(`${name} autograd:`), name);
    }
    const diffs = [...text.matchAll(/max \|manual − autograd\|: (\S+)/g)].map((m) => m[1]!);
    assert.equal(diffs.length, 4);
    for (const d of diffs) {
      assert.match(d, /^\d\.\d\de[+-]\d+$/);
      assert.ok(Number(d) <= 1e-15);
    }
    assert.match(text, /\[\[-0\.043000, -0\.086000\]/);
    assert.match(text, /agree/);
  });

  it("--json prints the structured result", () => {
    const r = JSON.parse(backpropDemo.run({ json: true })) as ReturnType<typeof backpropResult>;
    close(r.loss.autograd, 0.001849);
    assert.deepEqual(Object.keys(r.grads), [...GRAD_NAMES]);
    assert.ok(r.maxAbsDiff <= 1e-15);
    close(r.grads.d_b2.autograd[0]![0]!, -0.086, 1e-15);
  });
});

describe("demo chain-rule", () => {
  it("z = 3(x^2 + 1) at x = 2: y = 5, dy/dx = 4, dz/dy = 3, dz/dx = 12 = 6x", () => {
    const r = chainRuleResult();
    assert.deepEqual(r, { x: 2, y: 5, z: 15, dydx: 4, dzdy: 3, dzdx: 12, sanity: 12 });
    const text = chainRuleDemo.run({});
    assert.match(text, /dz\/dx = dz\/dy · dy\/dx\s+= 3 × 4 = 12/);
    assert.match(text, /6x = 12; autograd's 12 matches/);
    assert.equal((JSON.parse(chainRuleDemo.run({ json: true })) as { dzdx: number }).dzdx, 12);
  });
});

describe("demo graph", () => {
  it("L = (a + b)^2: s = 5, L = 25, dL/ds = 10, dL/da = dL/db = 10", () => {
    const r = graphDemoResult();
    assert.deepEqual(r.values, { a: 2, b: 3, s: 5, L: 25 });
    assert.deepEqual(r.grads, { a: 10, b: 10, s: 10, L: 1 });
    assert.deepEqual(r.graph.nodes.map((n) => [n.name, n.op, n.value, n.grad]), [["s", "add", 5, 10], ["L", "pow", 25, 1]]);
    assert.deepEqual(r.graph.leaves.map((l) => [l.name, l.value, l.grad]), [["a", 2, 10], ["b", 3, 10]]);
    const text = graphDemo.run({});
    assert.match(text, /L = pow .*value 25\s+grad 1/);
    assert.match(text, /s = add .*value 5\s+grad 10/);
    assert.match(text, /a \(leaf\) .*value 2\s+grad 10/);
    assert.match(text, /b \(leaf\) .*value 3\s+grad 10/);
    const j = JSON.parse(graphDemo.run({ json: true })) as { graph: { nodes: { op: string; value: number }[] } };
    assert.deepEqual(j.graph.nodes.map((n) => [n.op, n.value]), [["add", 5], ["pow", 25]]);
  });
});

describe("demo registry", () => {
  it("lists every demo with its summary", () => {
    assert.deepEqual(DEMOS.slice(0, 3).map((d) => d.name), ["backprop", "chain-rule", "graph"]);
    assert.equal(findDemo("graph"), graphDemo);
    assert.equal(findDemo("nope"), undefined);
    const list = formatDemoList();
    for (const d of DEMOS) assert.ok(list.includes(`  ${d.name}`) && list.includes(d.summary), d.name);
  });
});

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
  it("rejects inconsistent arguments and reports an unwritable --csv as a usage error", () => {
    assert.throws(() => runScheduleDemo({ warmupSteps: 2000 }), /totalSteps 1000 must be greater than warmupSteps 2000/);
    const dir = mkdtempSync(join(tmpdir(), "descent-sched-"));
    try {
      const path = join(dir, "missing", "lr.csv");
      assert.throws(() => runScheduleDemo({ csv: path }), (e: unknown) =>
        e instanceof UsageError && e.message.startsWith(`schedule demo: cannot write --csv ${path}: ENOENT`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("columns (report tables)", () => {
  it("pads every column to its widest cell, right-aligns on request, leaves no trailing spaces", () => {
    assert.deepEqual(columns([["a", "bb", "c"], ["ccc", "d", ""]]), ["a    bb  c", "ccc  d"]);
    assert.deepEqual(columns([["n", "x"], ["10", "long"]], { align: ["right"], indent: "> ", headerRule: true }), [
      ">  n  x",
      "> --  ----",
      "> 10  long",
    ]);
    assert.deepEqual(columns([["1", "2"], ["333", "4"]], { align: ["right", "right"], gap: "|" }), ["  1|2", "333|4"]);
    assert.deepEqual(columns([]), []);
  });
});
