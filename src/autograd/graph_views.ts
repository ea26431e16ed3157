// Graph views: the autograd graph behind a tensor as Graphviz DOT or Mermaid text. Each op node
// shows its op name, output shape and dtype and the bytes it saved for backward; nodes are
// grouped (nested) by the module whose forward created them, which needs module-path tracking
// on while the graph was recorded (autograd.trackModulePaths or detectAnomaly).

import { fmt } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../util/dtype.js";
import { postOrder } from "./graph_walk.js";
import type { Node } from "./node.js";

export interface GraphViewOptions {
  /** Names for leaf tensors, e.g. `model.namedParameters()`; a named leaf joins its module's group. */
  parameters?: Iterable<readonly [string, Tensor]>;
  /** Graph title (DOT label / Mermaid comment). */
  title?: string;
  /** Keep only op nodes whose module path starts with this prefix (plus the tensors feeding them). */
  module?: string;
}

/** A view-ready graph: op nodes and leaves with their groups, and the edges between them. */
export interface GraphView {
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly (readonly [string, string])[];
}

export interface ViewNode {
  readonly id: string;
  readonly kind: "op" | "leaf" | "input";
  /** Op name for ops, tensor name (or "leaf"/"input") otherwise. */
  readonly label: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Bytes saved for backward (ops only; 0 once backward has freed them). */
  readonly savedBytes: number;
  /** Dotted module path of the group this node belongs to; "" = none. */
  readonly group: string;
}

/** Collect the graph below `root` (iterative, inputs before consumers). */
export function buildGraphView(root: Tensor, opts: GraphViewOptions = {}): GraphView {
  const names = new Map<Tensor, string>();
  for (const [n, t] of opts.parameters ?? []) if (!names.has(t)) names.set(t, n);
  const rootNode = root.gradFn as Node | null;
  const nodes: ViewNode[] = [];
  const edges: [string, string][] = [];
  const leafIds = new Map<Tensor, string>();
  const leafNode = (t: Tensor): string => {
    let id = leafIds.get(t);
    if (id === undefined) {
      id = `l${leafIds.size}`;
      leafIds.set(t, id);
      const name = names.get(t) ?? t.name;
      const group = name && name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "";
      nodes.push({ id, kind: "leaf", label: name ?? "leaf", shape: t.shape, dtype: t.dtype, savedBytes: 0, group });
    }
    return id;
  };
  if (rootNode === null) {
    leafNode(root);
    return { nodes, edges };
  }
  const order = postOrder(rootNode);
  const prefix = opts.module;
  const inScope = (n: Node): boolean =>
    prefix === undefined || (n.modulePath !== null && (n.modulePath === prefix || n.modulePath.startsWith(`${prefix}.`)));
  const ids = new Map<Node, string>();
  let inputs = 0;
  for (const n of order) {
    if (!inScope(n)) continue;
    const id = `n${ids.size}`;
    ids.set(n, id);
    nodes.push({ id, kind: "op", label: n.name, shape: n.outShape, dtype: n.outDType, savedBytes: n.savedBytes, group: n.modulePath ?? "" });
  }
  const outside = new Map<Node, string>();
  for (const n of order) {
    const to = ids.get(n);
    if (to === undefined) continue;
    for (const e of n.edges) {
      let from: string | undefined;
      if (e.leaf) from = leafNode(e.leaf);
      else if (e.node) {
        from = ids.get(e.node);
        if (from === undefined) { // produced outside the selected module: one "input" node each
          from = outside.get(e.node);
          if (from === undefined) {
            from = `i${inputs++}`;
            outside.set(e.node, from);
            nodes.push({ id: from, kind: "input", label: `${e.node.name} (outside)`, shape: e.shape, dtype: e.dtype, savedBytes: 0, group: "" });
          }
        }
      }
      if (from !== undefined) edges.push([from, to]);
    }
  }
  return { nodes, edges };
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toPrecision(3))} ${units[u]}`;
}

function lines(n: ViewNode): string[] {
  const out = [n.label, `${fmt(n.shape)} ${n.dtype}`];
  if (n.kind === "op" && n.savedBytes > 0) out.push(`saved ${formatBytes(n.savedBytes)}`);
  return out;
}

/** Module groups as a tree: every path and its prefixes, children in first-seen order. */
function groupTree(view: GraphView): Map<string, string[]> {
  const children = new Map<string, string[]>([["", []]]);
  const add = (path: string): void => {
    if (children.has(path)) return;
    const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    add(parent);
    children.set(path, []);
    children.get(parent)!.push(path);
  };
  for (const n of view.nodes) add(n.group);
  return children;
}

const dotEscape = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
const dotString = (s: string): string => `"${dotEscape(s)}"`;

/** Graphviz DOT text of the graph behind `root`, clustered by module. */
export function toDot(root: Tensor, opts: GraphViewOptions = {}): string {
  const view = buildGraphView(root, opts);
  const tree = groupTree(view);
  const members = new Map<string, ViewNode[]>();
  for (const n of view.nodes) members.set(n.group, [...(members.get(n.group) ?? []), n]);
  const out: string[] = ["digraph autograd {"];
  if (opts.title) out.push(`  label=${dotString(opts.title)}; labelloc=t; fontsize=14;`);
  out.push('  rankdir=TB; fontname="Helvetica"; nodesep=0.25; ranksep=0.3;');
  out.push('  node [fontname="Helvetica", fontsize=10, style="rounded,filled", shape=box, color="#5b6b7f", fillcolor="#e8f0fe"];');
  out.push('  edge [color="#8592a3", arrowsize=0.6];');
  let cluster = 0;
  const emit = (group: string, indent: string): void => {
    for (const n of members.get(group) ?? []) {
      const label = `"${lines(n).map(dotEscape).join("\\n")}"`;
      const style = n.kind === "leaf" ? ', shape=ellipse, fillcolor="#fff4d6", color="#b08a2e"'
        : n.kind === "input" ? ', shape=note, fillcolor="#eeeeee", color="#888888"' : "";
      out.push(`${indent}${n.id} [label=${label}${style}];`);
    }
    for (const child of tree.get(group) ?? []) {
      out.push(`${indent}subgraph cluster_${cluster++} {`);
      out.push(`${indent}  label=${dotString(child)}; style="rounded"; color="#b8c2cc"; fontsize=11;`);
      emit(child, `${indent}  `);
      out.push(`${indent}}`);
    }
  };
  emit("", "  ");
  for (const [a, b] of view.edges) out.push(`  ${a} -> ${b};`);
  out.push("}");
  return `${out.join("\n")}\n`;
}

const mermaidText = (s: string): string => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");

/** Mermaid flowchart text of the graph behind `root`, with one subgraph per module. */
export function toMermaid(root: Tensor, opts: GraphViewOptions = {}): string {
  const view = buildGraphView(root, opts);
  const tree = groupTree(view);
  const members = new Map<string, ViewNode[]>();
  for (const n of view.nodes) members.set(n.group, [...(members.get(n.group) ?? []), n]);
  const out: string[] = [];
  if (opts.title) out.push(`%% ${opts.title}`);
  out.push("flowchart TB");
  let sub = 0;
  const emit = (group: string, indent: string): void => {
    for (const n of members.get(group) ?? []) {
      const text = `"${lines(n).map(mermaidText).join("<br/>")}"`;
      const shaped = n.kind === "leaf" ? `([${text}])` : n.kind === "input" ? `>${text}]` : `[${text}]`;
      out.push(`${indent}${n.id}${shaped}`);
      if (n.kind !== "op") out.push(`${indent}class ${n.id} ${n.kind}`);
    }
    for (const child of tree.get(group) ?? []) {
      out.push(`${indent}subgraph m${sub++}["${mermaidText(child)}"]`);
      emit(child, `${indent}  `);
      out.push(`${indent}end`);
    }
  };
  emit("", "  ");
  for (const [a, b] of view.edges) out.push(`  ${a} --> ${b}`);
  out.push("  classDef leaf fill:#fff4d6,stroke:#b08a2e");
  out.push("  classDef input fill:#eeeeee,stroke:#888888");
  return `${out.join("\n")}\n`;
}
