// Module paths: nodes created inside a module's forward record its dotted name while tracking is
// on, and nothing while it is off.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Tensor, autograd, randn } from "../../src/index.js";
import type { Node } from "../../src/autograd/node.js";
import * as nn from "../../src/nn/index.js";

class Attn extends nn.Module {
  c_attn = new nn.Linear(4, 4);
  seen: (string | null)[] = [];
  forward(x: Tensor): Tensor {
    this.seen.push(autograd.currentModulePath());
    return this.c_attn.forward(x).tanh();
  }
}

class Block extends nn.Module {
  ln_1 = new nn.LayerNorm(4);
  attn = new Attn();
  forward(x: Tensor): Tensor {
    return x.add(this.attn.forward(this.ln_1.forward(x)));
  }
}

class Net extends nn.Module {
  h = new nn.ModuleList([new Block(), new Block()]);
  forward(x: Tensor): Tensor {
    for (const b of this.h) x = b.forward(x); // grandchildren called from the root
    return x.sum();
  }
}

/** Every node below t with its module path, inputs first. */
function paths(t: Tensor): [string, string | null][] {
  const out: [string, string | null][] = [];
  const seen = new Set<Node>();
  const walk = (n: Node | null): void => {
    if (!n || seen.has(n)) return;
    seen.add(n);
    for (const e of n.edges) walk(e.node);
    out.push([n.name, n.modulePath]);
  };
  walk(t.gradFn as Node | null);
  return out;
}

describe("module paths", () => {
  it("nodes record the dotted path of the module that created them", () => {
    const net = new Net();
    const loss = autograd.trackModulePaths(() => net.forward(randn([2, 4])));
    const got = paths(loss);
    const mods = new Set(got.map(([, p]) => p));
    assert.ok(mods.has("h.0.ln_1") && mods.has("h.1.ln_1"));
    assert.ok(mods.has("h.0.attn.c_attn") && mods.has("h.1.attn.c_attn"));
    assert.ok(got.some(([op, p]) => op === "tanh" && p === "h.1.attn"));
    assert.ok(got.some(([op, p]) => op === "add" && p === "h.0"));
    assert.deepEqual(got[got.length - 1], ["sum", ""]); // the root module's own op
    assert.deepEqual(net.h.at(0).attn.seen, ["h.0.attn"]);
  });

  it("is off by default: no paths, and call() works the same", () => {
    const net = new Net();
    const loss = net.call(randn([2, 4]));
    assert.ok(paths(loss).every(([, p]) => p === null));
    assert.deepEqual(net.h.at(1).attn.seen, [null]);
    assert.equal(autograd.isModuleTrackingEnabled(), false);
  });

  it("the forward wrapper is invisible to registration and the stack unwinds on a throw", () => {
    const b = new Block();
    assert.deepEqual(Object.keys(b).filter((k) => k === "forward"), []);
    assert.deepEqual([...b.namedChildren()].map(([n]) => n), ["ln_1", "attn"]);
    assert.throws(() => autograd.trackModulePaths(() => b.forward(randn([2, 5]))));
    assert.equal(autograd.currentModulePath(), null);
    const stop = autograd.enableModuleTracking();
    assert.equal(autograd.isModuleTrackingEnabled(), true);
    stop();
    stop();
    assert.equal(autograd.isModuleTrackingEnabled(), false);
  });

  it("a module used on its own is the root (path \"\"), its children are named below it", () => {
    const blk = new Block();
    const y = autograd.trackModulePaths(() => blk.forward(randn([1, 4])));
    assert.ok(paths(y).some(([, p]) => p === "attn.c_attn"));
  });

  it("nodes report the bytes they saved for backward", () => {
    const w = randn([3, 5], { requiresGrad: true });
    const x = randn([4, 3]);
    const y = x.matmul(w);
    assert.equal((y.gradFn as Node).savedBytes, (12 + 15) * 4);
    y.sum().backward();
    assert.equal((y.gradFn as Node).savedBytes, 0);
  });
});
