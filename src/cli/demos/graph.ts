// `descent demo graph`: the computational graph of L = (a + b)² at a = 2, b = 3, printed with
// every tensor's forward value and its gradient after L.backward().

import { describeGraph, formatGraph, type GraphDescription } from "../../autograd/inspect.js";
import { toDot, toMermaid } from "../../autograd/graph_views.js";
import { trackModulePaths } from "../../autograd/module_scope.js";
import { type Tensor, Generator, randn, tensor } from "../../index.js";
import { LayerNorm } from "../../nn/layers/layer_norm.js";
import { MLP } from "../../nn/layers/mlp.js";
import { Module } from "../../nn/module.js";
import { mseLoss } from "../../nn/functional/losses.js";
import { ValueError } from "../../util/errors.js";
import { svgOrDot } from "../graphviz.js";
import { defineDemo, jsonOrText } from "./registry.js";

export interface GraphDemoResult {
  graph: GraphDescription;
  values: { a: number; b: number; s: number; L: number };
  grads: { a: number; b: number; s: number; L: number };
}

export function graphDemoResult(): GraphDemoResult {
  const leaf = (v: number, name: string): Tensor => {
    const t = tensor(v, { dtype: "float64", requiresGrad: true });
    t.name = name;
    return t;
  };
  const a = leaf(2, "a");
  const b = leaf(3, "b");
  const s = a.add(b);
  s.name = "s";
  const L = s.pow(2);
  L.name = "L";
  // s and L are not leaves: ask them to keep their gradients so the graph can show them.
  s.retainGrad();
  L.retainGrad();
  L.backward();
  // Nodes stay walkable after backward (only their saved tensors are dropped).
  const graph = describeGraph(L, { values: true, tensors: [s] });
  const g = (t: Tensor): number => t.grad!.item();
  return {
    graph,
    values: { a: a.item(), b: b.item(), s: s.item(), L: L.item() },
    grads: { a: g(a), b: g(b), s: g(s), L: g(L) },
  };
}

export function formatGraphDemo(r: GraphDemoResult): string {
  const { values: v, grads: d } = r;
  return [
    `Computational graph of L = (a + b)² at a = ${v.a}, b = ${v.b} (float64)`,
    "",
    "Graph (root on top; values from the forward pass, gradients dL/d· from L.backward()):",
    formatGraph(r.graph, { style: "tree" }),
    "",
    "Nodes in topological order (inputs first):",
    formatGraph(r.graph, { style: "list" }),
    "",
    `Forward:  s = a + b = ${v.s},  L = s² = ${v.L}`,
    `Backward: dL/dL = ${d.L},  dL/ds = 2s = ${d.s},  dL/da = dL/ds · ds/da = ${d.a},  dL/db = dL/ds · ds/db = ${d.b}`,
  ].join("\n");
}

/** A pre-LN residual MLP block (x + mlp(ln(x))) and an MSE loss: small, but grouped by module. */
class ResidualMLP extends Module {
  ln = new LayerNorm(4, { dtype: "float32" });
  mlp: MLP;
  constructor(generator: Generator) {
    super();
    this.mlp = new MLP([4, 16, 4], { activation: "gelu", generator });
  }
  forward(x: Tensor): Tensor {
    return x.add(this.mlp.forward(this.ln.forward(x)));
  }
}

/** The loss graph of a residual MLP block on a (8, 4) batch, recorded with module paths. */
export function blockGraphDot(format: "dot" | "mermaid"): string {
  const g = new Generator(0);
  const model = new ResidualMLP(g);
  const x = randn([8, 4], { generator: g });
  const loss = trackModulePaths(() => mseLoss(model.forward(x), randn([8, 4], { generator: g })));
  const opts = { parameters: model.namedParameters(), title: "loss = mse(x + mlp(ln(x)), y): ops grouped by module, bytes saved for backward" };
  return format === "dot" ? toDot(loss, opts) : toMermaid(loss, opts);
}

export type GraphFormat = "text" | "dot" | "mermaid" | "svg";

export function runGraphDemo(o: { json?: boolean; format?: string }): string {
  const format = o.format ?? "text";
  if (format !== "text" && format !== "dot" && format !== "mermaid" && format !== "svg") {
    throw new ValueError(`descent demo graph: --format must be text, dot, mermaid or svg, got "${format}"`);
  }
  if (format === "text") return jsonOrText(graphDemoResult(), o.json, formatGraphDemo);
  if (format === "svg") return svgOrDot(blockGraphDot("dot"));
  return blockGraphDot(format);
}

export const graphDemo = defineDemo<{ json?: boolean; format?: string }>({
  name: "graph",
  section: "Computational graphs",
  summary: "the computational graph of L = (a + b)² with forward values and gradients on each node",
  options: [
    { flags: "--json", description: "print the graph description (describeGraph) as JSON" },
    {
      flags: "--format <text|dot|mermaid|svg>",
      description: "text: the (a + b)² walkthrough; dot, mermaid, svg: a residual MLP block's loss graph grouped by module (svg needs Graphviz)",
      defaultValue: "text",
    },
  ],
  run: runGraphDemo,
});
