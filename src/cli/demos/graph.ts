// `descent demo graph`: the computational graph of L = (a + b)² at a = 2, b = 3, printed with
// every tensor's forward value and its gradient after L.backward().

import { describeGraph, formatGraph, type GraphDescription } from "../../autograd/inspect.js";
import { type Tensor, tensor } from "../../index.js";
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

export const graphDemo = defineDemo<{ json?: boolean }>({
  name: "graph",
  section: "Computational graphs",
  summary: "the computational graph of L = (a + b)² with forward values and gradients on each node",
  options: [{ flags: "--json", description: "print the graph description (describeGraph) as JSON" }],
  run: (o) => jsonOrText(graphDemoResult(), o.json, formatGraphDemo),
});
