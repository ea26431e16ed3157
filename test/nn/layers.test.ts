// Layers and init: PyTorch default initializations, forward numbers, Dropout modes, containers,
// MLP layout, losses as modules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Generator, manualSeed, tensor, zeros } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

function stats(a: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    s += a[i]!; s2 += a[i]! * a[i]!;
    min = Math.min(min, a[i]!); max = Math.max(max, a[i]!);
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min, max };
}

describe("Linear", () => {
  it("default init is U(-1/sqrt(in), 1/sqrt(in)) for weight and bias", () => {
    manualSeed(3);
    const lin = new nn.Linear(64, 200);
    const bound = 1 / 8;
    const w = stats(lin.weight.data), b = stats(lin.bias!.data);
    assert.ok(w.min >= -bound && w.max <= bound, `${w.min} ${w.max}`);
    assert.ok(w.max > 0.99 * bound && w.min < -0.99 * bound, "fills the interval");
    assert.ok(Math.abs(w.std - bound / Math.sqrt(3)) < 0.002, `std ${w.std}`);
    assert.ok(b.min >= -bound && b.max <= bound);
    assert.deepEqual(lin.weight.shape, [200, 64]);
    assert.equal(lin.weight.dtype, "float32");
  });
  it("forward is x W^T + b; bias: false has no bias; generator makes init reproducible", () => {
    const lin = new nn.Linear(2, 2, { dtype: "float64" });
    lin.weight.data.set([1, 2, 3, 4]);
    lin.bias!.data.set([0.5, -0.5]);
    assert.deepEqual(lin.forward(tensor([[1, 1]], { dtype: "float64" })).toArray(), [[3.5, 6.5]]);
    assert.equal(new nn.Linear(2, 2, { bias: false }).bias, null);
    const a = new nn.Linear(3, 3, { generator: new Generator(5) });
    const b = new nn.Linear(3, 3, { generator: new Generator(5) });
    assert.deepEqual([...a.weight.data], [...b.weight.data]);
    assert.throws(() => new nn.Linear(-1, 2), /inFeatures must be a non-negative integer/);
  });
});

describe("Embedding, LayerNorm", () => {
  it("Embedding: N(0,1) init, zeroed padding row, lookup", () => {
    manualSeed(4);
    const e = new nn.Embedding(500, 40, { paddingIdx: -1 });
    assert.equal(e.paddingIdx, 499);
    const s = stats(e.weight.data.subarray(0, 499 * 40));
    assert.ok(Math.abs(s.mean) < 0.02 && Math.abs(s.std - 1) < 0.02, `${s.mean} ${s.std}`);
    assert.ok(e.weight.data.subarray(499 * 40).every((v) => v === 0));
    const out = e.forward(tensor([[3, 499]], { dtype: "int32" }));
    assert.deepEqual(out.shape, [1, 2, 40]);
    assert.deepEqual([...out.data.subarray(0, 40)], [...e.weight.data.subarray(120, 160)]);
  });
  it("LayerNorm: ones/zeros init and normalized output", () => {
    const ln = new nn.LayerNorm(4, { dtype: "float64" });
    assert.deepEqual([...ln.weight!.data], [1, 1, 1, 1]);
    assert.deepEqual([...ln.bias!.data], [0, 0, 0, 0]);
    const y = ln.forward(tensor([[1, 2, 3, 4]], { dtype: "float64" }));
    const v = 1.25; // biased variance of 1..4
    [-1.5, -0.5, 0.5, 1.5].forEach((d, i) => assert.ok(Math.abs(y.data[i]! - d / Math.sqrt(v + 1e-5)) < 1e-12));
    assert.equal(new nn.LayerNorm([2, 3], { elementwiseAffine: false }).parameters().length, 0);
  });
});

describe("BatchNorm1d by hand", () => {
  it("train uses batch stats (biased var) and updates running var with the unbiased one; eval uses running stats", () => {
    const bn = new nn.BatchNorm1d(1, { dtype: "float64", momentum: 0.5 });
    const x = tensor([[1], [3]], { dtype: "float64" });
    const y = bn.forward(x);
    const s = Math.sqrt(1 + 1e-5); // mean 2, biased var 1
    assert.ok(Math.abs(y.data[0]! + 1 / s) < 1e-15 && Math.abs(y.data[1]! - 1 / s) < 1e-15);
    assert.equal(bn.runningMean!.item(), 0.5 * 0 + 0.5 * 2);
    assert.equal(bn.runningVar!.item(), 0.5 * 1 + 0.5 * 2); // unbiased var = 2
    bn.eval();
    const z = bn.forward(tensor([[1]], { dtype: "float64" }));
    assert.ok(Math.abs(z.item() - (1 - 1) / Math.sqrt(1.5 + 1e-5)) < 1e-15);
    assert.ok(Math.abs(bn.forward(tensor([[2.5]], { dtype: "float64" })).item() - 1.5 / Math.sqrt(1.5 + 1e-5)) < 1e-15);
    bn.train();
    assert.throws(() => bn.forward(tensor([[1]], { dtype: "float64" })), /more than 1 value per channel/);
    assert.throws(() => bn.forward(zeros([2, 3])), /expected input \(N, 1\) or \(N, 1, L\), got \[2,3\]/);
  });
});

describe("Dropout and activations", () => {
  it("Dropout is the identity in eval mode and drops ~p in training with scaling", () => {
    const d = new nn.Dropout(0.25, { generator: new Generator(1) });
    const x = tensor(new Float64Array(4000).fill(1), { dtype: "float64" });
    d.eval();
    assert.equal(d.forward(x), x);
    d.train();
    const y = d.forward(x);
    const kept = [...y.data].filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-15));
    assert.ok(Math.abs(kept.length / 4000 - 0.75) < 0.03, `${kept.length}`);
    assert.throws(() => new nn.Dropout(1.5), /p must be between 0 and 1/);
  });
  it("ReLU, GELU, Tanh, Sigmoid", () => {
    const x = tensor([-1, 0, 2], { dtype: "float64" });
    assert.deepEqual(new nn.ReLU().forward(x).toArray(), [0, 0, 2]);
    assert.deepEqual(new nn.Tanh().forward(x).toArray(), [Math.tanh(-1), 0, Math.tanh(2)]);
    assert.ok(Math.abs(new nn.Sigmoid().forward(x).data[2]! - 1 / (1 + Math.exp(-2))) < 1e-15);
    const g = new nn.GELU({ approximate: "tanh" }).forward(x).data[2]!;
    assert.ok(Math.abs(g - 0.5 * 2 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (2 + 0.044715 * 8)))) < 1e-12);
    assert.throws(() => new nn.GELU({ approximate: "erf" as "tanh" }), /approximate/);
  });
});

describe("containers and MLP", () => {
  it("Sequential chains; ModuleList indexes and iterates", () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    assert.equal(seq.length, 3);
    assert.deepEqual(seq.forward(zeros([5, 3])).shape, [5, 2]);
    assert.ok(seq.at(-1) instanceof nn.Linear);
    assert.throws(() => seq.at(3), /index 3 out of range for 3 modules/);
    const list = new nn.ModuleList([new nn.ReLU()]).append(new nn.Tanh());
    assert.deepEqual([...list].map((m) => m.constructor.name), ["ReLU", "Tanh"]);
  });
  it("MLP: Linear/activation/Dropout layout with sizes", () => {
    const m = new nn.MLP([3, 8, 8, 2], { activation: "gelu", dropout: 0.1 });
    assert.deepEqual([...m.children()].map((c) => c.constructor.name),
      ["Linear", "GELU", "Dropout", "Linear", "GELU", "Dropout", "Linear"]);
    assert.deepEqual([...m.namedParameters()].map(([n]) => n), ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"]);
    assert.equal(m.numParameters(), 3 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2);
    m.eval();
    assert.deepEqual(m.forward(zeros([4, 3])).shape, [4, 2]);
    assert.equal(new nn.MLP([2, 2], { activation: () => new nn.Tanh() }).length, 1);
    assert.throws(() => new nn.MLP([2]), /at least \[in, out\]/);
    assert.throws(() => new nn.MLP([2, 4, 2], { dropout: -0.1 }), /MLP: dropout must be between 0 and 1, got -0.1/);
    assert.match(m.toString(), /^MLP\(\n {2}\(0\): Linear\(inFeatures=3, outFeatures=8, bias=true\)\n {2}\(1\): GELU/);
  });
});

describe("losses as modules", () => {
  it("wrap nn.functional with fixed options", () => {
    const logits = tensor([[2, 0, -1], [0.5, 0.5, 0]], { dtype: "float64" });
    const targets = tensor([0, 2], { dtype: "int32" });
    const ce = new nn.CrossEntropyLoss().forward(logits, targets).item();
    assert.ok(Math.abs(ce - nn.functional.crossEntropy(logits, targets).item()) < 1e-15);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    assert.ok(Math.abs(ce - ((lse([2, 0, -1]) - 2) + (lse([0.5, 0.5, 0]) - 0)) / 2) < 1e-12);
    const sum = new nn.CrossEntropyLoss({ reduction: "sum" }).forward(logits, targets).item();
    assert.ok(Math.abs(sum - 2 * ce) < 1e-12);
    const a = tensor([1, 2], { dtype: "float64" }), b = tensor([0, 4], { dtype: "float64" });
    assert.equal(new nn.MSELoss().forward(a, b).item(), 2.5);
    assert.equal(new nn.L1Loss({ reduction: "sum" }).forward(a, b).item(), 3);
    const lp = nn.functional.logSoftmax(logits, -1);
    assert.ok(Math.abs(new nn.NLLLoss().forward(lp, targets).item() - ce) < 1e-12);
    const bce = new nn.BCEWithLogitsLoss().forward(tensor([0], { dtype: "float64" }), tensor([1], { dtype: "float64" })).item();
    assert.ok(Math.abs(bce - Math.log(2)) < 1e-15);
    const w = tensor([1, 2, 3], { dtype: "float64" });
    assert.deepEqual(Object.keys(new nn.CrossEntropyLoss({ weight: w }).stateDict()), ["weight"]);
    assert.deepEqual(Object.keys(new nn.BCEWithLogitsLoss({ weight: w, posWeight: w.mul(2) }).stateDict()), ["weight", "posWeight"]);
    assert.deepEqual(Object.keys(new nn.NLLLoss({ weight: null }).stateDict()), []);
    assert.deepEqual(new nn.MSELoss().opts, {});
  });
});

describe("nn.init", () => {
  const g = () => ({ generator: new Generator(11) });
  it("xavier and kaiming bounds/stds and gains", () => {
    const t = zeros([300, 200]);
    nn.init.xavierUniform_(t, 2, g());
    const a = 2 * Math.sqrt(6 / 500);
    const s = stats(t.data);
    assert.ok(s.max <= a && s.min >= -a && s.max > 0.99 * a);
    nn.init.xavierNormal_(t, 1, g());
    assert.ok(Math.abs(stats(t.data).std - Math.sqrt(2 / 500)) < 0.002);
    nn.init.kaimingNormal_(t, { nonlinearity: "relu", ...g() });
    assert.ok(Math.abs(stats(t.data).std - Math.sqrt(2 / 200)) < 0.002);
    nn.init.kaimingUniform_(t, { mode: "fanOut", nonlinearity: "relu", ...g() });
    const b = Math.sqrt(3) * Math.sqrt(2) / Math.sqrt(300);
    assert.ok(stats(t.data).max <= b && stats(t.data).max > 0.99 * b);
    assert.equal(nn.init.calculateGain("tanh"), 5 / 3);
    assert.equal(nn.init.calculateGain("leakyRelu", Math.sqrt(5)), Math.sqrt(2 / 6));
    assert.throws(() => nn.init.kaimingUniform_(zeros([3])), /fewer than 2 dimensions/);
  });
  it("normal_, uniform_, constant_, zeros_, ones_", () => {
    const t = zeros([20000], { dtype: "float64" });
    const n = stats(nn.init.normal_(t, 3, 0.5, g()).data);
    assert.ok(Math.abs(n.mean - 3) < 0.02 && Math.abs(n.std - 0.5) < 0.02);
    const u = stats(nn.init.uniform_(t, -2, 4, g()).data);
    assert.ok(u.min >= -2 && u.max < 4 && Math.abs(u.mean - 1) < 0.05);
    assert.ok(nn.init.constant_(t, 7).data.every((v) => v === 7));
    assert.ok(nn.init.zeros_(t).data.every((v) => v === 0));
    assert.ok(nn.init.ones_(t).data.every((v) => v === 1));
    assert.throws(() => nn.init.ones_(tensor([1], { dtype: "int32" })), /floating-point/);
  });
});
