// The demos' numbers: backprop (manual vs autograd), chain rule, and the (a + b)^2 graph.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autogradTwoLayerGrads, backpropDemo, backpropResult, GRAD_NAMES, manualTwoLayerGrads } from "../../src/cli/demos/backprop.js";
import { chainRuleDemo, chainRuleResult } from "../../src/cli/demos/chain_rule.js";
import { graphDemo, graphDemoResult } from "../../src/cli/demos/graph.js";
import { DEMOS, findDemo, formatDemoList } from "../../src/cli/demos/index.js";

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
