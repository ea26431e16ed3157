// Graph inspection: walk the autograd graph below a tensor (gradFn -> Node.edges) into a plain
// description (ops, leaves, which feeds which) and render it as text, for teaching and debugging.

import { fmt } from "../shape/shape.js";
import type { NestedArray, Tensor } from "../tensor/tensor.js";
import type { DType } from "../util/dtype.js";
import { postOrder } from "./graph_walk.js";
import type { Node } from "./node.js";

/** One input of an op: another op's output, a leaf, or a constant that needs no gradient. */
export interface GraphInput {
  /** Id of the producing op node or leaf; null for a constant (a tensor or number without grad). */
  readonly id: string | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Forward value and gradient of a tensor the inspector could see (see DescribeOptions.values). */
export interface GraphValues {
  readonly value?: NestedArray;
  /** The tensor's .grad after backward; null when it has none (yet). */
  readonly grad?: NestedArray | null;
}

export interface GraphOpNode extends GraphValues {
  readonly kind: "op";
  /** "n0", "n1", ... in topological order (inputs first). */
  readonly id: string;
  /** The op that produced the output, e.g. "add", "matmul". */
  readonly op: string;
  /** The output tensor's name when the inspector knows the tensor and it has one. */
  readonly name: string | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly inputs: readonly GraphInput[];
  /** Whether backward has run through this node and dropped its saved tensors. */
  readonly freed: boolean;
}

export interface GraphLeaf extends GraphValues {
  readonly kind: "leaf";
  /** "l0", "l1", ... in the order the walk meets them. */
  readonly id: string;
  readonly name: string | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface GraphDescription {
  /** Id of the root: an op node, or a leaf when the root tensor is itself a leaf. */
  readonly root: string;
  /** Op nodes in topological order: every node comes after the nodes it reads. */
  readonly nodes: readonly GraphOpNode[];
  readonly leaves: readonly GraphLeaf[];
}

export interface DescribeOptions {
  /**
   * Record forward values and gradients of the tensors the inspector can see: the root, the
   * leaves, non-leaves that called retainGrad(), and any tensors listed in `tensors`.
   */
  values?: boolean;
  /** Extra tensors of the graph, matched to their nodes, to supply names and values. */
  tensors?: readonly Tensor[];
}

/** Describe the autograd graph that produced `root`. Does not change the graph. */
export function describeGraph(root: Tensor, opts: DescribeOptions = {}): GraphDescription {
  const known = new Map<Node, Tensor>();
  for (const t of opts.tensors ?? []) if (t.gradFn) known.set(t.gradFn as Node, t);
  const withValues = opts.values ?? false;
  const valuesOf = (t: Tensor | undefined): GraphValues =>
    withValues && t ? { value: t.toArray(), grad: t.grad ? t.grad.toArray() : null } : {};

  const leafIds = new Map<Tensor, string>();
  const leaves: GraphLeaf[] = [];
  const leafId = (t: Tensor): string => {
    let id = leafIds.get(t);
    if (id === undefined) {
      id = `l${leaves.length}`;
      leafIds.set(t, id);
      leaves.push({ kind: "leaf", id, name: t.name, shape: t.shape, dtype: t.dtype, ...valuesOf(t) });
    }
    return id;
  };

  const rootNode = root.gradFn as Node | null;
  if (rootNode === null) return { root: leafId(root), nodes: [], leaves };
  known.set(rootNode, root);

  // Leaves get their ids in the order the walk meets them.
  const order = postOrder(rootNode, (e) => {
    if (e.leaf) leafId(e.leaf);
  });

  const nodeIds = new Map<Node, string>();
  order.forEach((n, i) => nodeIds.set(n, `n${i}`));
  const nodes = order.map((n): GraphOpNode => {
    const t = known.get(n) ?? n.retainTarget ?? undefined;
    return {
      kind: "op",
      id: nodeIds.get(n)!,
      op: n.name,
      name: t?.name ?? null,
      shape: n.outShape,
      dtype: n.outDType,
      inputs: n.edges.map((e) => ({
        id: e.node ? nodeIds.get(e.node)! : e.leaf ? leafIds.get(e.leaf)! : null,
        shape: e.shape,
        dtype: e.dtype,
      })),
      freed: n.freed,
      ...valuesOf(t),
    };
  });
  return { root: nodeIds.get(rootNode)!, nodes, leaves };
}

export interface FormatGraphOptions {
  /** "list": one line per tensor, inputs first (default). "tree": the root on top, inputs indented. */
  style?: "list" | "tree";
  /** Values and gradients with more elements than this print as their element count (default 8). */
  maxElements?: number;
}

/** Render a description as text. */
export function formatGraph(g: GraphDescription, opts: FormatGraphOptions = {}): string {
  const byId = new Map<string, GraphOpNode | GraphLeaf>();
  for (const l of g.leaves) byId.set(l.id, l);
  for (const n of g.nodes) byId.set(n.id, n);
  const label = (id: string | null): string => (id === null ? "const" : (byId.get(id)!.name ?? id));
  const call = (n: GraphOpNode): string => `${n.op}(${n.inputs.map((i) => label(i.id)).join(", ")})`;
  const maxElements = opts.maxElements ?? 8;
  const show = (v: NestedArray): string => {
    const n = countElements(v);
    return n > maxElements ? `<${n} values>` : formatValue(v);
  };
  const meta = (x: GraphOpNode | GraphLeaf): string => {
    const parts = [`${fmt(x.shape)} ${x.dtype}`];
    if (x.value !== undefined) parts.push(`value ${show(x.value)}`);
    if (x.grad !== undefined) parts.push(`grad ${x.grad === null ? "-" : show(x.grad)}`);
    return parts.join("  ");
  };

  if ((opts.style ?? "list") === "list") {
    const rows: [string, string, string][] = [];
    for (const l of g.leaves) rows.push([label(l.id), "leaf", meta(l)]);
    for (const n of g.nodes) rows.push([label(n.id), `= ${call(n)}`, meta(n)]);
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`).join("\n");
  }

  // Tree: a node reached a second time (fan-out) is printed once and referenced afterwards.
  // Pre-order with an explicit stack (children pushed last-first), so deep chains cannot overflow.
  const lines: string[] = [];
  const shown = new Set<string>();
  const stack: { id: string | null; input: GraphInput | null; prefix: string; branch: string }[] = [
    { id: g.root, input: null, prefix: "", branch: "" },
  ];
  while (stack.length > 0) {
    const { id, input, prefix, branch } = stack.pop()!;
    if (id === null) {
      lines.push(`${prefix}${branch}const ${fmt(input!.shape)} ${input!.dtype}`);
      continue;
    }
    if (shown.has(id)) {
      lines.push(`${prefix}${branch}${label(id)} (shared, see above)`);
      continue;
    }
    shown.add(id);
    const x = byId.get(id)!;
    const head = x.kind === "leaf" ? `${label(id)} (leaf)` : `${label(id)} = ${x.op}`;
    lines.push(`${prefix}${branch}${head}  ${meta(x)}`);
    if (x.kind === "leaf") continue;
    const childPrefix = prefix + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ");
    for (let i = x.inputs.length - 1; i >= 0; i--) {
      const inp = x.inputs[i]!;
      stack.push({ id: inp.id, input: inp, prefix: childPrefix, branch: i === x.inputs.length - 1 ? "└─ " : "├─ " });
    }
  }
  return lines.join("\n");
}

/** Compact numbers: up to 6 significant digits, trailing zeros dropped. */
export function formatValue(v: NestedArray): string {
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(4);
    return String(Number(v.toPrecision(6)));
  }
  if (typeof v === "boolean") return v ? "True" : "False";
  return `[${v.map(formatValue).join(", ")}]`;
}

function countElements(v: NestedArray): number {
  return !Array.isArray(v) ? 1 : v.reduce((n: number, x) => n + countElements(x), 0);
}
