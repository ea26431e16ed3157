// Graph views: DOT and Mermaid text of a module-grouped graph, saved bytes on nodes, a module
// filter, and the `descent demo graph --format` paths (Graphviz present and absent).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { type Tensor, autograd, randn } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { runGraphDemo } from "../../src/cli/demos/graph.js";
import { dotToSvg, svgOrDot } from "../../src/cli/graphviz.js";

class Block extends nn.Module {
  fc = new nn.Linear(3, 5);
  act = new nn.ReLU();
  forward(x: Tensor): Tensor {
    return this.act.forward(this.fc.forward(x));
  }
}
class Net extends nn.Module {
  h = new nn.ModuleList([new Block()]);
  forward(x: Tensor): Tensor {
    return this.h.at(0).forward(x).sum();
  }
}

const hasDot = spawnSync("dot", ["-V"]).error === undefined;

describe("autograd.toDot / toMermaid", () => {
  const net = new Net();
  const x = randn([2, 3]);
  const loss = autograd.trackModulePaths(() => net.forward(x));
  const opts = { parameters: [...net.namedParameters()] };

  it("DOT: nested module clusters, op/shape/dtype/saved-bytes labels, parameter leaves, edges", () => {
    const dot = autograd.toDot(loss, opts);
    assert.match(dot, /^digraph autograd \{/);
    assert.match(dot, /label="h"/);
    assert.match(dot, /label="h\.0"/);
    assert.match(dot, /label="h\.0\.fc"/);
    // linear saves x (2x3) and the weight (5x3) in float32: (6 + 15) * 4 = 84 bytes
    assert.match(dot, /n0 \[label="linear\\n\[2,5\] float32\\nsaved 84 B"\]/);
    assert.match(dot, /n1 \[label="relu\\n\[2,5\] float32\\nsaved 40 B"\]/);
    assert.match(dot, /l0 \[label="h\.0\.fc\.weight\\n\[5,3\] float32", shape=ellipse/);
    assert.match(dot, /n2 \[label="sum\\n\[\] float32"\]/);
    for (const e of ["l0 -> n0;", "l1 -> n0;", "n0 -> n1;", "n1 -> n2;"]) assert.ok(dot.includes(e), e);
    // the relu node sits inside h.0.act's cluster, which is inside h.0's
    const act = dot.indexOf('label="h.0.act"');
    assert.ok(act > dot.indexOf('label="h.0"') && dot.indexOf("n1 [", act) > act);
  });

  it("Mermaid: a flowchart with one subgraph per module", () => {
    const m = autograd.toMermaid(loss, { ...opts, parameters: net.namedParameters() });
    assert.match(m, /^flowchart TB/);
    assert.match(m, /subgraph m\d+\["h\.0\.fc"\]/);
    assert.match(m, /n0\["linear<br\/>\[2,5\] float32<br\/>saved 84 B"\]/);
    assert.match(m, /l0\(\["h\.0\.fc\.weight<br\/>\[5,3\] float32"\]\)/);
    assert.ok(m.includes("n0 --> n1"));
    assert.equal(m.match(/^\s*subgraph /gm)!.length, m.match(/^\s*end$/gm)!.length);
  });

  it("a module filter keeps that module's ops and marks the tensors arriving from outside", () => {
    const y = autograd.trackModulePaths(() => net.h.at(0).forward(x.mul(2).requiresGrad_()));
    const v = autograd.buildGraphView(y, { module: "act" });
    assert.deepEqual(v.nodes.map((n) => [n.kind, n.label]), [["op", "relu"], ["input", "linear (outside)"]]);
    assert.deepEqual(v.edges, [["i0", "n0"]]);
  });

  it("after backward the saved tensors are gone and the graph shows it", () => {
    const l2 = autograd.trackModulePaths(() => net.forward(x));
    l2.backward();
    assert.ok(!autograd.toDot(l2, opts).includes("saved"));
  });

  it("Graphviz renders the DOT (when installed)", { skip: hasDot ? false : "Graphviz's dot is not on PATH" }, () => {
    const r = dotToSvg(autograd.toDot(loss, opts));
    assert.ok(r.ok, r.ok ? "" : r.reason);
    assert.match(r.svg, /<svg[\s\S]*h\.0\.fc\.weight[\s\S]*<\/svg>/);
  });
});

describe("descent demo graph --format", () => {
  it("dot and mermaid draw the residual block grouped by module", () => {
    const dot = runGraphDemo({ format: "dot" });
    assert.match(dot, /label="mlp\.0"/);
    assert.match(dot, /layerNorm\\n\[8,4\] float32\\nsaved 144 B/);
    assert.match(runGraphDemo({ format: "mermaid" }), /subgraph m\d+\["ln"\]/);
    assert.match(runGraphDemo({}), /L = pow/);
    assert.throws(() => runGraphDemo({ format: "png" }), /--format must be text, dot, mermaid or svg, got "png"/);
  });

  it("svg: Graphviz's output when dot is on PATH", { skip: hasDot ? false : "Graphviz's dot is not on PATH" }, () => {
    const svg = runGraphDemo({ format: "svg" });
    assert.match(svg, /^<\?xml[\s\S]*<svg[\s\S]*mlp\.2\.weight/);
  });

  it("svg without Graphviz on PATH: a clear message, then the DOT text", () => {
    const text = svgOrDot("digraph g { a -> b; }\n", { ...process.env, PATH: "/nonexistent" });
    const [l1, l2, ...rest] = text.split("\n");
    assert.equal(l1, "# Graphviz's `dot` was not found on PATH; install Graphviz (e.g. apt-get install graphviz) for SVG output.");
    assert.match(l2!, /^# The graph in DOT follows/);
    assert.equal(rest.join("\n"), "digraph g { a -> b; }\n");
  });
});
