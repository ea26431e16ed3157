// nn.Module: registration order and dotted names, shared parameters, buffers, train/eval,
// zeroGrad, apply, stateDict round trips and strict loading that changes nothing on failure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Tensor, manualSeed, tensor, zeros } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

class Attn extends nn.Module {
  qkv = new nn.Linear(4, 12);
  proj = new nn.Linear(4, 4, { bias: false });
  forward(x: Tensor): Tensor {
    return this.proj.forward(this.qkv.forward(x).sum(-1, true).expand([...x.shape]));
  }
}

class Block extends nn.Module {
  ln = new nn.LayerNorm(4);
  attn = new Attn();
  drop = new nn.Dropout(0.1);
  forward(x: Tensor): Tensor {
    return x.add(this.drop.forward(this.attn.forward(this.ln.forward(x))));
  }
}

class Tiny extends nn.Module {
  wte = new nn.Embedding(10, 4);
  blocks = new nn.ModuleList([new Block(), new Block()]);
  bn = new nn.BatchNorm1d(4);
  head: nn.Linear;
  scale: nn.Parameter;
  constructor() {
    super();
    this.head = new nn.Linear(4, 10, { bias: false });
    this.head.weight = this.wte.weight; // weight tying: one parameter, two places
    this.scale = new nn.Parameter(tensor([1]));
  }
  forward(idx: Tensor): Tensor {
    let h = this.wte.forward(idx);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(h.mul(this.scale));
  }
}

describe("Module registration", () => {
  it("namedParameters: dotted names in declaration order, shared params once", () => {
    const m = new Tiny();
    const names = [...m.namedParameters()].map(([n]) => n);
    assert.deepEqual(names, [
      "scale", "wte.weight",
      "blocks.0.ln.weight", "blocks.0.ln.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight",
      "blocks.1.ln.weight", "blocks.1.ln.bias", "blocks.1.attn.qkv.weight", "blocks.1.attn.qkv.bias", "blocks.1.attn.proj.weight",
      "bn.weight", "bn.bias",
    ]);
    assert.equal(m.parameters().length, names.length);
    assert.equal(m.numParameters(), 1 + 40 + 2 * (4 + 4 + 48 + 12 + 16) + 8);
    assert.ok(m.parameters().every((p) => p.requiresGrad));
  });

  it("children, namedModules and buffers", () => {
    const m = new Tiny();
    assert.deepEqual([...m.namedChildren()].map(([n]) => n), ["wte", "blocks", "bn", "head"]);
    const mods = [...m.namedModules()].map(([n]) => n);
    assert.equal(mods[0], "");
    assert.ok(mods.includes("blocks.1.attn.qkv"));
    assert.equal(new Set(m.modules()).size, mods.length);
    assert.deepEqual([...m.namedBuffers()].map(([n]) => n), ["bn.runningMean", "bn.runningVar", "bn.numBatchesTracked"]);
  });

  it("registerParameter/registerModule/registerBuffer helpers", () => {
    class M extends nn.Module {
      constructor() {
        super();
        this.registerParameter("w", new nn.Parameter(zeros([2])));
        this.registerModule("sub", new nn.Linear(2, 2));
        this.registerBuffer("stats", zeros([3]));
        this.registerBuffer("cache", zeros([1]), { persistent: false });
      }
    }
    const m = new M();
    assert.deepEqual([...m.namedParameters()].map(([n]) => n), ["w", "sub.weight", "sub.bias"]);
    assert.deepEqual(Object.keys(m.stateDict()), ["w", "sub.weight", "sub.bias", "stats"]);
    assert.deepEqual([...m.namedBuffers()].map(([n]) => n), ["stats", "cache"]);
    assert.throws(() => m.registerParameter("x", zeros([1])), /must be an nn.Parameter/);
    assert.throws(() => m.registerModule("a.b", new nn.ReLU()), /without "."/);
  });

  it("Parameter rejects int tensors and shares storage", () => {
    const t = tensor([1, 2]);
    const p = new nn.Parameter(t);
    assert.equal(p.data, t.data);
    assert.ok(p.requiresGrad && p.isLeaf);
    assert.throws(() => new nn.Parameter(tensor([1], { dtype: "int32" })), /only floating-point/);
  });

  it("train/eval propagate; apply visits children first", () => {
    const m = new Tiny();
    m.eval();
    assert.ok([...m.modules()].every((x) => !x.training));
    m.train();
    assert.ok([...m.modules()].every((x) => x.training));
    const order: string[] = [];
    new nn.Sequential(new nn.ReLU(), new nn.Tanh()).apply((x) => order.push(x.constructor.name));
    assert.deepEqual(order, ["ReLU", "Tanh", "Sequential"]);
  });

  it("zeroGrad sets grads to null or zeros", () => {
    const lin = new nn.Linear(3, 2);
    lin.forward(tensor([[1, 2, 3]])).sum().backward();
    assert.ok(lin.weight.grad && lin.bias!.grad);
    lin.zeroGrad({ setToNone: false });
    assert.deepEqual([...lin.weight.grad!.data], [0, 0, 0, 0, 0, 0]);
    lin.zeroGrad();
    assert.equal(lin.weight.grad, null);
    assert.equal(lin.bias!.grad, null);
  });

  it("forward through the whole model works and call() is forward", () => {
    manualSeed(0);
    const m = new Tiny();
    const out = m.call(tensor([[1, 2, 3]], { dtype: "int32" }));
    assert.deepEqual(out.shape, [1, 3, 10]);
    out.sum().backward();
    assert.ok(m.wte.weight.grad!.data.some((v) => v !== 0));
  });
});

describe("stateDict / loadStateDict", () => {
  it("round trip includes buffers and restores exactly", () => {
    manualSeed(1);
    const a = new Tiny();
    a.bn.runningMean!.data.set([1, 2, 3, 4]);
    const sd = a.stateDict();
    assert.ok("bn.runningVar" in sd && "bn.numBatchesTracked" in sd && "wte.weight" in sd);
    assert.ok(!("head.weight" in sd), "tied weight saved once under its first name");
    manualSeed(2);
    const b = new Tiny();
    assert.notDeepEqual([...b.wte.weight.data], [...a.wte.weight.data]);
    const res = b.loadStateDict(sd);
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
    for (const [k, t] of Object.entries(b.stateDict())) assert.deepEqual([...t.data], [...sd[k]!.data], k);
    assert.equal(b.head.weight, b.wte.weight);
    // A Map works too.
    manualSeed(3);
    const c = new Tiny();
    assert.notDeepEqual([...c.wte.weight.data], [...a.wte.weight.data]);
    c.loadStateDict(new Map(Object.entries(sd)));
    for (const [k, t] of Object.entries(c.stateDict())) assert.deepEqual([...t.data], [...sd[k]!.data], `${k} from a Map`);
  });

  it("strict loading lists missing, unexpected and mismatched keys and changes nothing", () => {
    const m = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    const before = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.data]]));
    const bad: Record<string, Tensor> = {
      "0.weight": zeros([3, 2]), // fine, but must not be applied
      "0.bias": zeros([4]), // shape mismatch
      "2.weight": zeros([1, 3]),
      "extra.weight": zeros([1]),
    };
    assert.throws(() => m.loadStateDict(bad), (e: unknown) => {
      assert.ok(e instanceof nn.StateDictError);
      assert.deepEqual(e.missingKeys, ["2.bias"]);
      assert.deepEqual(e.unexpectedKeys, ["extra.weight"]);
      assert.deepEqual(e.mismatchedKeys, ["0.bias"]);
      assert.match(e.message, /missing keys: 2.bias; unexpected keys: extra.weight; shape mismatches: 0.bias \(checkpoint \[4\], model \[3\]\)/);
      return true;
    });
    for (const [k, t] of Object.entries(m.stateDict())) assert.deepEqual([...t.data], before[k], `${k} unchanged`);
    // Non-strict still refuses shape mismatches, but tolerates missing/unexpected keys.
    assert.throws(() => m.loadStateDict(bad, { strict: false }), /shape mismatches/);
    const res = m.loadStateDict({ "0.weight": zeros([3, 2]), extra: zeros([1]) }, { strict: false });
    assert.deepEqual(res.unexpectedKeys, ["extra"]);
    assert.deepEqual(res.missingKeys, ["0.bias", "2.weight", "2.bias"]);
    assert.deepEqual([...m.stateDict()["0.weight"]!.data], [0, 0, 0, 0, 0, 0]);
  });

  it("converts dtypes when loading (float64 checkpoint into float32 model)", () => {
    const m = new nn.Linear(2, 1);
    m.loadStateDict({ weight: tensor([[0.5, -1]], { dtype: "float64" }), bias: tensor([2], { dtype: "float64" }) });
    assert.deepEqual([...m.weight.data], [0.5, -1]);
    assert.equal(m.weight.dtype, "float32");
  });
});
