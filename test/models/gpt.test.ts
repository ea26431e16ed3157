// models.GPT beyond PyTorch parity: config validation, the tied head as one parameter (and what
// the state dicts hold), GPT-2 init statistics, seeding, parameter counts and FLOPs, weight-decay
// groups, dropout in train vs eval, generation, and typed errors on bad inputs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DTypeError, Generator, IndexError, ShapeError, type Tensor, ValueError, manualSeed, nn, noGrad, optim, tensor,
} from "../../src/index.js";
import { GPT, GPT_CONFIG_DEFAULTS, type GPTConfig, ModelConfigError, validateGPTConfig } from "../../src/models/index.js";

const tiny: Partial<GPTConfig> = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const ids = (rows: number[][]): Tensor => tensor(rows, { dtype: "int32" });

function stats(data: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i]!;
  const mean = s / data.length;
  let q = 0;
  for (let i = 0; i < data.length; i++) q += (data[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / data.length) };
}

describe("GPTConfig validation", () => {
  it("fills nanoGPT's defaults", () => {
    assert.deepEqual(validateGPTConfig({}), { ...GPT_CONFIG_DEFAULTS });
    assert.deepEqual(GPT_CONFIG_DEFAULTS, {
      vocabSize: 50304, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, dropout: 0, bias: true, tieWeights: true,
    });
    assert.equal(validateGPTConfig({ nEmbd: 24, nHead: 3 }).nEmbd, 24);
  });

  it("rejects bad keys with a ModelConfigError naming the key and the allowed range", () => {
    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ vocabSize: 0 }, "vocabSize", /config\.vocabSize must be an integer in \[1, 2147483647\], got 0/],
      [{ blockSize: 2.5 }, "blockSize", /config\.blockSize must be an integer/],
      [{ nLayer: -1 }, "nLayer", /config\.nLayer/],
      [{ nHead: "4" }, "nHead", /config\.nHead .* got "4"/],
      [{ nEmbd: 0 }, "nEmbd", /config\.nEmbd/],
      [{ nEmbd: 10, nHead: 4 }, "nEmbd", /config\.nEmbd \(10\) must be divisible by config\.nHead \(4\)/],
      [{ dropout: 1 }, "dropout", /config\.dropout must be a number in \[0, 1\), got 1/],
      [{ dropout: -0.1 }, "dropout", /config\.dropout/],
      [{ bias: 1 }, "bias", /config\.bias must be true or false/],
      [{ tieWeights: "yes" }, "tieWeights", /config\.tieWeights/],
      [{ nLayers: 2 }, "nLayers", /unknown config key "nLayers"/],
    ];
    for (const [cfg, key, re] of bad) {
      assert.throws(() => new GPT({ ...tiny, ...cfg } as Partial<GPTConfig>), (e: unknown) => {
        return e instanceof ModelConfigError && e instanceof ValueError && e.key === key && re.test(e.message) && e.message.startsWith("GPT: ");
      }, JSON.stringify(cfg));
    }
    assert.throws(() => new GPT(tiny, { dtype: "int32" as never }), DTypeError);
  });
});

describe("GPT structure", () => {
  it("lists nanoGPT's parameter names; the untied head adds lm_head.weight", () => {
    const tied = new GPT(tiny);
    const names = [...tied.namedParameters()].map(([n]) => n);
    const block = (i: number): string[] =>
      ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias",
        "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"].map((n) => `transformer.h.${i}.${n}`);
    const expected = ["transformer.wte.weight", "transformer.wpe.weight", ...block(0), ...block(1), "transformer.ln_f.weight", "transformer.ln_f.bias"];
    assert.deepEqual(names, expected);
    assert.deepEqual(tied.transformer.h.at(0).attn.c_attn.weight.shape, [48, 16]);
    const untied = new GPT({ ...tiny, tieWeights: false });
    assert.deepEqual([...untied.namedParameters()].map(([n]) => n), [...expected, "lm_head.weight"]);
    const noBias = new GPT({ ...tiny, bias: false });
    assert.deepEqual([...noBias.namedParameters()].map(([n]) => n), expected.filter((n) => !n.endsWith(".bias")));
  });

  it("the tied head is one Parameter: listed once, updated once, one gradient from both uses", () => {
    const m = new GPT(tiny, { dtype: "float64" });
    assert.equal(m.lm_head.weight, m.transformer.wte.weight);
    assert.equal(m.parameters().filter((p) => p === m.transformer.wte.weight).length, 1);
    const groups = m.optimizerGroups(0.1);
    const all = [...groups[0]!.params, ...groups[1]!.params];
    assert.equal(new Set(all).size, all.length);
    assert.equal(all.length, m.parameters().length);
    const before = m.transformer.wte.weight.data.slice();
    const { loss } = m.forward(ids([[1, 2, 3]]), ids([[2, 3, 4]]));
    loss!.backward();
    const g = m.transformer.wte.weight.grad!.data;
    // Rows never looked up still get gradient through the head.
    assert.ok(Math.abs(g[9 * 16]!) > 0);
    new optim.AdamW(groups, { lr: 0.1 }).step();
    assert.notDeepEqual(m.lm_head.weight.data, before);
    assert.equal(m.lm_head.weight.data, m.transformer.wte.weight.data);
  });

  it("stateDict holds the tied head once; withTiedHead adds lm_head.weight like PyTorch; both load back", () => {
    manualSeed(3);
    const m = new GPT(tiny, { dtype: "float64" });
    const sd = m.stateDict();
    assert.ok(!("lm_head.weight" in sd));
    assert.equal(Object.keys(sd).length, 28);
    const torchLike = m.stateDict({ withTiedHead: true });
    assert.deepEqual(Object.keys(torchLike), [...Object.keys(sd), "lm_head.weight"]);
    const copy = (s: Record<string, Tensor>): Record<string, Tensor> =>
      Object.fromEntries(Object.entries(s).map(([k, t]) => [k, tensor(t.data.slice(), { shape: [...t.shape], dtype: "float64" })]));
    for (const state of [copy(sd), copy(torchLike)]) {
      const n = new GPT(tiny, { dtype: "float64", generator: new Generator(99) });
      n.loadStateDict(state);
      assert.deepEqual(n.transformer.wte.weight.data, m.transformer.wte.weight.data);
      assert.equal(n.lm_head.weight, n.transformer.wte.weight);
    }
    // Only lm_head.weight (no wte): loads as the shared matrix.
    const headOnly = copy(torchLike);
    delete headOnly["transformer.wte.weight"];
    const h = new GPT(tiny, { dtype: "float64", generator: new Generator(98) });
    h.loadStateDict(headOnly);
    assert.deepEqual(h.transformer.wte.weight.data, m.transformer.wte.weight.data);
    // Two different matrices cannot load into a tied model; nothing changes.
    const diff = copy(torchLike);
    diff["lm_head.weight"]!.data[0] = 123;
    const d = new GPT(tiny, { dtype: "float64", generator: new Generator(97) });
    const snapshot = d.transformer.wpe.weight.data.slice();
    assert.throws(() => d.loadStateDict(diff), (e: unknown) => e instanceof nn.StateDictError && /two different matrices/.test((e as Error).message));
    assert.deepEqual(d.transformer.wpe.weight.data, snapshot);
    // An untied model needs lm_head.weight.
    assert.throws(() => new GPT({ ...tiny, tieWeights: false }).loadStateDict(copy(sd)), /missing keys: lm_head\.weight/);
  });

  it("GPT-2 init: N(0, 0.02), c_proj N(0, 0.02/sqrt(2 nLayer)), zero biases, LayerNorm ones", () => {
    manualSeed(0);
    const m = new GPT({ vocabSize: 512, blockSize: 256, nLayer: 4, nHead: 4, nEmbd: 64, tieWeights: false });
    const residual = 0.02 / Math.sqrt(8);
    const proj: number[] = [];
    const plain: number[] = [];
    for (const [n, p] of m.namedParameters()) {
      if (n.endsWith(".bias")) assert.ok(p.data.every((x) => x === 0), n);
      else if (/ln_(1|2|f)\.weight$/.test(n)) assert.ok(p.data.every((x) => x === 1), n);
      else if (n.endsWith("c_proj.weight")) proj.push(...p.data);
      else plain.push(...p.data);
      if (p.ndim === 2) {
        const s = stats(p.data);
        const want = n.endsWith("c_proj.weight") ? residual : 0.02;
        assert.ok(Math.abs(s.std / want - 1) < 0.05 && Math.abs(s.mean) < want * 0.05, `${n}: std ${s.std} mean ${s.mean}`);
      }
    }
    const sp = stats(proj);
    const sa = stats(plain);
    assert.ok(Math.abs(sp.std / residual - 1) < 0.01, `c_proj std ${sp.std} vs ${residual}`);
    assert.ok(Math.abs(sa.std / 0.02 - 1) < 0.01, `weights std ${sa.std}`);
    assert.ok(Math.abs(sa.mean) < 1e-4);
  });

  it("seeding: manualSeed(s) and { generator: new Generator(s) } give the same weights; float32 by default", () => {
    manualSeed(5);
    const a = new GPT(tiny);
    const b = new GPT(tiny, { generator: new Generator(5) });
    assert.deepEqual(a.transformer.wte.weight.data, b.transformer.wte.weight.data);
    assert.deepEqual(a.transformer.h.at(1).mlp.c_proj.weight.data, b.transformer.h.at(1).mlp.c_proj.weight.data);
    assert.equal(a.transformer.wte.weight.dtype, "float32");
    assert.equal(new GPT(tiny, { dtype: "float64" }).transformer.ln_f.weight!.dtype, "float64");
    const c = new GPT(tiny, { generator: new Generator(6) });
    assert.notDeepEqual(a.transformer.wte.weight.data, c.transformer.wte.weight.data);
  });

  it("numParameters, nonEmbedding (minus wpe) and flopsPerToken = 6N + 12 L T C", () => {
    const m = new GPT(tiny);
    const C = 16;
    const perBlock = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) + (4 * C * C + C);
    const n = 11 * C + 8 * C + 2 * perBlock + 2 * C;
    assert.equal(m.numParameters(), n);
    assert.equal(m.numParameters({ nonEmbedding: true }), n - 8 * C);
    assert.equal(new GPT({ ...tiny, tieWeights: false }).numParameters(), n + 11 * C);
    assert.equal(m.flopsPerToken(), 6 * (n - 8 * C) + 12 * 2 * 8 * C);
    assert.equal(m.flopsPerToken(4), 6 * (n - 8 * C) + 12 * 2 * 4 * C);
    assert.equal(m.estimateMfu(1000, 1e9), (m.flopsPerToken() * 1000) / 1e9);
    assert.throws(() => m.estimateMfu(1, 0), /GPT.estimateMfu: peakFlops/);
    assert.throws(() => m.flopsPerToken(0), /GPT.flopsPerToken: T/);
  });

  it("optimizerGroups: decay on ndim >= 2, none on the rest; validates weightDecay", () => {
    const m = new GPT({ ...tiny, tieWeights: false });
    const [decay, none] = m.optimizerGroups(0.1);
    assert.equal(decay!.weightDecay, 0.1);
    assert.equal(none!.weightDecay, 0);
    assert.ok(decay!.params.every((p) => p.ndim === 2));
    assert.ok(none!.params.every((p) => p.ndim === 1));
    const names = m.optimizerGroupNames();
    assert.deepEqual(names.decay.filter((n) => n.startsWith("transformer.h.0")), [
      "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight",
    ]);
    assert.ok(names.decay.includes("lm_head.weight") && names.decay.includes("transformer.wpe.weight"));
    assert.throws(() => m.optimizerGroups(-1), /GPT.optimizerGroups: weightDecay/);
  });
});

describe("GPT forward", () => {
  it("logits (B, T, V); loss only with targets; -1 targets are ignored", () => {
    const m = new GPT(tiny, { dtype: "float64" });
    const idx = ids([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const out = m.forward(idx);
    assert.deepEqual(out.logits.shape, [2, 4, 11]);
    assert.equal(out.loss, null);
    // The loss with ignored targets equals the mean over the others.
    const t = [[2, 3, -1, 5], [-1, 7, 8, 9]];
    const loss = m.forward(idx, ids(t)).loss!.item();
    const per = nn.functional.crossEntropy(out.logits.reshape([8, 11]), ids([[2, 3, 0, 5, 0, 7, 8, 9]]).reshape([8]), { reduction: "none" });
    const keep = [0, 1, 3, 5, 6, 7];
    assert.ok(Math.abs(loss - keep.reduce((s, i) => s + per.data[i]!, 0) / keep.length) < 1e-12);
  });

  it("is causal: logits at position t do not depend on later tokens", () => {
    const m = new GPT(tiny, { dtype: "float64" });
    const a = m.forward(ids([[1, 2, 3, 4, 5]])).logits;
    const b = m.forward(ids([[1, 2, 3, 9, 0]])).logits;
    for (let i = 0; i < 3 * 11; i++) assert.equal(a.data[i], b.data[i]);
    assert.notEqual(a.data[3 * 11], b.data[3 * 11]);
  });

  it("dropout: active in train mode (seeded by dropoutGenerator), off in eval mode", () => {
    const m = new GPT({ ...tiny, dropout: 0.5 }, { dtype: "float64", dropoutGenerator: new Generator(1) });
    const idx = ids([[1, 2, 3, 4]]);
    const t1 = m.forward(idx).logits.data;
    const t2 = m.forward(idx).logits.data;
    assert.notDeepEqual(t1, t2);
    m.eval();
    const e1 = m.forward(idx).logits.data;
    assert.deepEqual(m.forward(idx).logits.data, e1);
    const plain = new GPT(tiny, { dtype: "float64" });
    plain.loadStateDict(m.stateDict());
    assert.deepEqual(plain.forward(idx).logits.data, e1);
    // The same dropout seed reproduces the training-mode logits.
    const m2 = new GPT({ ...tiny, dropout: 0.5 }, { dtype: "float64", dropoutGenerator: new Generator(1) });
    m2.loadStateDict(m.stateDict());
    assert.deepEqual(m2.forward(idx).logits.data, t1);
  });

  it("nextTokenLogits (B, V) equals forward's last position", () => {
    const m = new GPT(tiny, { dtype: "float64" });
    const idx = ids([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    const full = m.forward(idx).logits;
    const next = m.nextTokenLogits(idx);
    assert.deepEqual(next.shape, [2, 11]);
    for (let b = 0; b < 2; b++) {
      for (let v = 0; v < 11; v++) {
        const e = full.data[(b * 5 + 4) * 11 + v]!;
        assert.ok(Math.abs(next.data[b * 11 + v]! - e) <= 1e-12 * (1 + Math.abs(e)));
      }
    }
    assert.throws(() => m.nextTokenLogits(ids([[1, 11]])), /GPT.nextTokenLogits: token id 11/);
  });

  it("bad inputs are typed errors naming GPT.forward, before any work", () => {
    const m = new GPT(tiny);
    const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [() => m.forward(tensor([[1, 2]], { dtype: "float32" })), DTypeError, /GPT.forward: idx must be int32/],
      [() => m.forward(tensor([1, 2], { dtype: "int32" })), ShapeError, /GPT.forward: idx must be 2-D \(B, T\)/],
      [() => m.forward(tensor([[[1]]], { dtype: "int32" })), ShapeError, /2-D/],
      [() => m.forward(ids([Array.from({ length: 9 }, () => 1)])), ShapeError, /length 9, blockSize is only 8/],
      [() => m.forward(ids([[1, 11]])), IndexError, /token id 11 .* outside the vocabulary \[0, 11\)/],
      [() => m.forward(ids([[-1, 1]])), IndexError, /token id -1/],
      [() => m.forward(ids([[1, 2]]), ids([[1, 2, 3]])), ShapeError, /targets \[1, ?3\] must have idx's shape/],
      [() => m.forward(ids([[1, 2]]), tensor([[1, 2]], { dtype: "float32" })), DTypeError, /targets must be int32/],
      [() => m.forward(ids([[1, 2]]), ids([[1, 11]])), IndexError, /target 11 .* not the ignore index -1/],
      [() => m.forward(ids([[1, 2]]), ids([[1, -2]])), IndexError, /target -2/],
    ];
    for (const [f, cls, re] of cases) assert.throws(f, (e: unknown) => e instanceof cls && re.test((e as Error).message), re.source);
  });
});

describe("GPT training", () => {
  it("learns a periodic sequence: loss falls from ln V to near 0, and greedy generation continues it", () => {
    const V = 11;
    const m = new GPT({ vocabSize: V, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 }, { generator: new Generator(0) });
    const period = [3, 1, 4, 1, 5, 9, 2, 6]; // the next token depends on more than the current one (1 -> 4 or 5)
    const seq = Array.from({ length: 64 }, (_, i) => period[i % 8]!);
    const opt = new optim.AdamW(m.optimizerGroups(0.0), { lr: 1e-2 });
    const g = new Generator(1);
    let first = 0;
    let last = 0;
    for (let step = 0; step < 60; step++) {
      const starts = Array.from({ length: 8 }, () => g.randint(0, seq.length - 9));
      const x = ids(starts.map((s) => seq.slice(s, s + 8)));
      const y = ids(starts.map((s) => seq.slice(s + 1, s + 9)));
      opt.zeroGrad();
      const { loss } = m.forward(x, y);
      loss!.backward();
      optim.clipGradNorm(m.parameters(), 1.0);
      opt.step();
      if (step === 0) first = loss!.item();
      last = loss!.item();
    }
    assert.ok(Math.abs(first - Math.log(V)) < 0.3, `initial loss ${first} vs ln V ${Math.log(V)}`);
    assert.ok(last < 0.2, `final loss ${last}`);
    const out = m.generate(ids([[3, 1, 4]]), 10, { temperature: 0 }).toArray() as number[][];
    assert.deepEqual(out[0], [3, 1, 4, 1, 5, 9, 2, 6, 3, 1, 4, 1, 5]);
  });
});

describe("GPT.generate", () => {
  it("length, determinism with a seed, cropping beyond blockSize, and modes restored", () => {
    manualSeed(1);
    const m = new GPT({ ...tiny, dropout: 0.1 }, { dtype: "float64" });
    const idx = ids([[1, 2, 3], [4, 5, 6]]);
    const a = m.generate(idx, 12, { seed: 7 });
    assert.deepEqual(a.shape, [2, 15]);
    assert.deepEqual(a.toArray(), m.generate(idx, 12, { seed: 7 }).toArray());
    assert.deepEqual((a.toArray() as number[][]).map((r) => r.slice(0, 3)), [[1, 2, 3], [4, 5, 6]]);
    assert.ok((a.data as Int32Array).every((v) => v >= 0 && v < 11));
    assert.equal(m.training, true);
    // Beyond blockSize the model only sees the last 8 tokens: a long prompt gives the same
    // continuation as its last 8 tokens.
    const long = ids([[0, 9, 8, 7, 1, 2, 3, 4, 5, 6, 7, 1]]);
    const short = ids([[1, 2, 3, 4, 5, 6, 7, 1]]);
    const gl = m.generate(long, 6, { seed: 3 }).toArray() as number[][];
    const gs = m.generate(short, 6, { seed: 3 }).toArray() as number[][];
    assert.deepEqual(gl[0]!.slice(12), gs[0]!.slice(8));
  });

  it("topK = 1 and temperature 0 both equal greedy decoding by hand", () => {
    const m = new GPT(tiny, { dtype: "float64" });
    const start = [3, 1];
    const greedy = [...start];
    noGrad(() => {
      for (let i = 0; i < 10; i++) {
        const ctx = greedy.slice(-8);
        const logits = m.forward(ids([ctx])).logits;
        const row = [...logits.data.slice((ctx.length - 1) * 11, ctx.length * 11)];
        greedy.push(row.indexOf(Math.max(...row)));
      }
    });
    assert.deepEqual(m.generate(ids([start]), 10, { temperature: 0 }).toArray(), [greedy]);
    assert.deepEqual(m.generate(ids([start]), 10, { topK: 1, seed: 5 }).toArray(), [greedy]);
  });

  it("bad options are ValueErrors naming generate and the option", () => {
    const m = new GPT(tiny);
    assert.throws(() => m.generate(ids([[1]]), 2, { temperature: -0.5 }), (e: unknown) => e instanceof ValueError && /generate: temperature/.test((e as Error).message));
    assert.throws(() => m.generate(ids([[1]]), 2, { topK: 0 }), /generate: topK/);
    assert.throws(() => m.generate(ids([[1]]), 2, { topP: 2 }), /generate: topP/);
    assert.throws(() => m.generate(ids([[12]]), 2), /generate: token id 12/);
    assert.throws(() => m.generate(tensor([[1]]), 2), DTypeError);
  });
});
