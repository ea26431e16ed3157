// describeGraph / formatGraph on small graphs: node order, op names, edges, leaves, fan-out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeGraph, formatGraph, formatValue } from "../../src/autograd/inspect.js";
import { type Tensor, tensor } from "../../src/index.js";

const leaf = (v: number | number[][], name: string | null = null): Tensor => {
  const t = tensor(v, { dtype: "float64", requiresGrad: true });
  t.name = name;
  return t;
};

describe("describeGraph", () => {
  it("L = (a + b)^2: two ops in topological order, two leaves, a constant exponent", () => {
    const a = leaf(2, "a");
    const b = leaf(3, "b");
    const L = a.add(b).pow(2);
    const g = describeGraph(L);
    assert.equal(g.nodes.length, 2);
    assert.deepEqual(g.nodes.map((n) => n.op), ["add", "pow"]);
    assert.equal(g.root, g.nodes[1]!.id);
    assert.deepEqual(g.leaves.map((l) => l.name), ["a", "b"]);
    const [add, pow] = g.nodes;
    assert.deepEqual(add!.inputs.map((i) => i.id), [g.leaves[0]!.id, g.leaves[1]!.id]);
    assert.deepEqual(pow!.inputs.map((i) => i.id), [add!.id, null]); // the exponent 2 is a constant
    assert.deepEqual(pow!.shape, []);
    assert.equal(pow!.dtype, "float64");
    assert.equal(pow!.freed, false);
    assert.equal(add!.value, undefined); // values only on request
  });

  it("diamond (fan-out): a shared node is listed once and read by two consumers", () => {
    const x = leaf(3, "x");
    const s = x.mul(2); // read by both branches
    const y = s.exp().add(s.sin()); // exp(s) + sin(s)
    const g = describeGraph(y);
    assert.deepEqual(g.nodes.map((n) => n.op), ["mul", "exp", "sin", "add"]);
    assert.equal(g.leaves.length, 1);
    const mulId = g.nodes[0]!.id;
    const readers = g.nodes.filter((n) => n.inputs.some((i) => i.id === mulId)).map((n) => n.op);
    assert.deepEqual(readers, ["exp", "sin"]);
    assert.deepEqual(g.nodes[3]!.inputs.map((i) => i.id), [g.nodes[1]!.id, g.nodes[2]!.id]);
    // Topological: every input id appears before the node that reads it.
    const seen = new Set(g.leaves.map((l) => l.id));
    for (const n of g.nodes) {
      for (const i of n.inputs) if (i.id !== null) assert.ok(seen.has(i.id), `${n.op} reads ${i.id} before it is defined`);
      seen.add(n.id);
    }
    const tree = formatGraph(g, { style: "tree" });
    assert.equal(tree.match(/= mul/g)?.length, 1);
    assert.match(tree, /shared, see above/);
  });

  it("a leaf used twice is one leaf; inputs without grad are constants with their shape", () => {
    const w = leaf([[1, 2], [3, 4]], "w");
    const x = tensor([[1], [1]], { dtype: "float64" }); // no grad
    const y = w.matmul(x).add(w.sum());
    const g = describeGraph(y);
    assert.deepEqual(g.nodes.map((n) => n.op), ["matmul", "sum", "add"]);
    assert.equal(g.leaves.length, 1);
    const mm = g.nodes[0]!;
    assert.deepEqual(mm.inputs[0]!.id, g.leaves[0]!.id);
    assert.deepEqual(mm.inputs[1], { id: null, shape: [2, 1], dtype: "float64" });
    assert.deepEqual(mm.shape, [2, 1]);
    assert.deepEqual(g.leaves[0]!.shape, [2, 2]);
  });

  it("a leaf root has no nodes", () => {
    const a = leaf(1, "a");
    const g = describeGraph(a);
    assert.equal(g.nodes.length, 0);
    assert.equal(g.root, g.leaves[0]!.id);
    assert.match(formatGraph(g), /^a\s+leaf/);
  });

  it("after backward: nodes are still walkable, marked freed, with values and retained grads", () => {
    const a = leaf(2, "a");
    const b = leaf(3, "b");
    const s = a.add(b);
    s.name = "s";
    s.retainGrad();
    const L = s.pow(2);
    L.name = "L";
    L.backward();
    const g = describeGraph(L, { values: true });
    assert.ok(g.nodes.every((n) => n.freed));
    const byName = new Map([...g.nodes, ...g.leaves].map((x) => [x.name, x]));
    assert.equal(byName.get("s")!.value, 5);
    assert.equal(byName.get("s")!.grad, 10);
    assert.equal(byName.get("L")!.value, 25);
    assert.equal(byName.get("L")!.grad, null); // the root did not retain its grad
    assert.equal(byName.get("a")!.grad, 10);
    assert.equal(byName.get("b")!.grad, 10);
    const list = formatGraph(g);
    assert.match(list, /s\s+= add\(a, b\)\s+\[\] float64\s+value 5\s+grad 10/);
    assert.match(list, /L\s+= pow\(s, const\)\s+\[\] float64\s+value 25\s+grad -/);
  });

  it("extra tensors supply names of unretained intermediates", () => {
    const a = leaf(1, "a");
    const h = a.tanh();
    h.name = "h";
    const g = describeGraph(h.mul(3), { tensors: [h] });
    assert.equal(g.nodes[0]!.name, "h");
    assert.equal(g.nodes[1]!.name, null);
    assert.match(formatGraph(g), /n1\s+= mul\(h, const\)/);
  });

  it("large values print as their element count", () => {
    const w = leaf([[1, 2, 3], [4, 5, 6], [7, 8, 9]], "w");
    const y = w.mul(2);
    y.name = "y";
    const g = describeGraph(y, { values: true });
    assert.deepEqual(g.nodes[0]!.value, [[2, 4, 6], [8, 10, 12], [14, 16, 18]]);
    assert.match(formatGraph(g), /y\s+= mul\(w, const\)\s+\[3,3\] float64\s+value <9 values>\s+grad -/);
    assert.match(formatGraph(g, { maxElements: 9 }), /value \[\[2, 4, 6\], \[8, 10, 12\], \[14, 16, 18\]\]/);
  });

  it("a 20000-op chain is described without recursion limits", () => {
    let y = leaf(0.5);
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    const g = describeGraph(y);
    assert.equal(g.nodes.length, 20000);
    assert.equal(g.root, "n19999");
    assert.equal(formatGraph(g).split("\n").length, 20001);
  });

  it("the tree of a 3000-op chain prints without recursion limits", () => {
    let y = leaf(0.5, "x");
    for (let i = 0; i < 3000; i++) y = y.mul(2);
    const lines = formatGraph(describeGraph(y), { style: "tree" }).split("\n");
    assert.equal(lines.length, 3000 + 3000 + 1); // every mul, its constant, and the leaf
    assert.match(lines[0]!, /^n2999 = mul/);
    assert.match(lines[3000]!, /^(│ {2}){2999}├─ x \(leaf\)/); // the deepest line: the leaf under n0
    assert.equal(lines.at(-1), "└─ const [] float64"); // the root's constant comes last
  });
});

describe("formatValue", () => {
  it("prints integers plainly, fractions with up to 6 significant digits, tiny values in e-notation", () => {
    assert.equal(formatValue(25), "25");
    assert.equal(formatValue(0.0018489999999999937), "0.001849");
    assert.equal(formatValue(1e-7), "1.0000e-7");
    assert.equal(formatValue([[1, 2.5], [3, -0.125]]), "[[1, 2.5], [3, -0.125]]");
  });
});
