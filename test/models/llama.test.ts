// models.Llama: config defaults and validation, LLaMA's intermediate-size rule, init, GQA as
// MHA with repeated kv heads, input errors, generation through the shared loop, optimizer
// groups, FLOPs, tied heads and state dicts, and a short training run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DTypeError, Generator, IndexError, ShapeError, Tensor, ValueError, manualSeed, nn, noGrad, optim, randint, randn, tensor,
} from "../../src/index.js";
import {
  LLAMA_CONFIG_DEFAULTS, Llama, type LlamaConfigInput, ModelConfigError, generate, llamaIntermediateSize, validateLlamaConfig,
} from "../../src/models/index.js";
import { applyRotaryEmb, scaledDotProductAttention } from "../../src/nn/functional/index.js";

const tiny: LlamaConfigInput = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 4, nKvHeads: 2, nEmbd: 16, intermediateSize: 24 };
const i32 = (v: number[][]): Tensor => tensor(v, { dtype: "int32" });
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe("LlamaConfig", () => {
  it("defaults: a GPT-2-small-sized LLaMA with MHA, SwiGLU width 2048, theta 1e4, eps 1e-5, untied", () => {
    const c = validateLlamaConfig();
    assert.deepEqual(c, {
      vocabSize: 32000, blockSize: 1024, nLayer: 12, nHead: 12, nKvHeads: 12, nEmbd: 768, intermediateSize: 2048,
      multipleOf: 256, ffnDimMultiplier: null, ropeTheta: 10000, rmsNormEps: 1e-5, dropout: 0, tieWeights: false,
    });
    assert.equal(LLAMA_CONFIG_DEFAULTS.nKvHeads, null);
  });
  it("intermediateSize follows Meta's rule: int(2·4C/3) (× ffnDimMultiplier), rounded up to multipleOf", () => {
    assert.equal(llamaIntermediateSize(4096), 11008); // LLaMA-7B
    assert.equal(llamaIntermediateSize(5120), 13824); // LLaMA-13B
    assert.equal(llamaIntermediateSize(8192, 4096, 1.3), 28672); // LLaMA-2-70B
    assert.equal(llamaIntermediateSize(16, 8), 48); // int(128/3) = 42 -> 48
    assert.equal(validateLlamaConfig({ nEmbd: 16, nHead: 2, multipleOf: 8 }).intermediateSize, 48);
    assert.equal(validateLlamaConfig({ nEmbd: 16, nHead: 2, intermediateSize: 7 }).intermediateSize, 7);
    assert.equal(validateLlamaConfig({ nHead: 12, nKvHeads: 4 }).nKvHeads, 4);
  });
  const bad: [LlamaConfigInput, string, RegExp][] = [
    [{ vocabSize: 0 }, "vocabSize", /integer in \[1/],
    [{ blockSize: 2.5 }, "blockSize", /got 2\.5/],
    [{ nLayer: -1 }, "nLayer", /nLayer/],
    [{ nEmbd: 10, nHead: 4 }, "nEmbd", /divisible by config\.nHead/],
    [{ nEmbd: 12, nHead: 4 }, "nHead", /head dim .* must be even/],
    [{ nHead: 12, nKvHeads: 5 }, "nKvHeads", /divisible by config\.nKvHeads/],
    [{ nHead: 4, nEmbd: 16, nKvHeads: 8 }, "nKvHeads", /\[1, 4\]/],
    [{ intermediateSize: 0 }, "intermediateSize", /intermediateSize/],
    [{ multipleOf: 0 }, "multipleOf", /multipleOf/],
    [{ ffnDimMultiplier: 0 }, "ffnDimMultiplier", /> 0 or null/],
    [{ ropeTheta: 0 }, "ropeTheta", /ropeTheta must be a finite number > 0/],
    [{ rmsNormEps: -1e-5 }, "rmsNormEps", /rmsNormEps/],
    [{ dropout: 1 }, "dropout", /\[0, 1\)/],
    [{ tieWeights: "yes" as unknown as boolean }, "tieWeights", /true or false/],
    [{ nLayers: 2 } as unknown as LlamaConfigInput, "nLayers", /unknown config key "nLayers"/],
  ];
  for (const [cfg, key, re] of bad) {
    it(`rejects ${JSON.stringify(cfg)} with a ModelConfigError on ${key}`, () => {
      assert.throws(() => new Llama(cfg), (e: Error) => e instanceof ModelConfigError && e.key === key && /^Llama: /.test(e.message) && re.test(e.message));
    });
  }
  it("a validated config (as written to config.json) validates to itself", () => {
    const c = validateLlamaConfig({ ...tiny, ffnDimMultiplier: 1.5, ropeTheta: 5e5 });
    assert.deepEqual(validateLlamaConfig(JSON.parse(JSON.stringify(c)) as LlamaConfigInput), c);
    assert.deepEqual(new Llama(c).config, c);
  });
  it("rejects a non-object config and a bad dtype", () => {
    assert.throws(() => validateLlamaConfig(null as unknown as LlamaConfigInput), ModelConfigError);
    assert.throws(() => new Llama(tiny, { dtype: "int32" as "float32" }), DTypeError);
  });
});

describe("Llama construction and init", () => {
  it("N(0, 0.02) for every Linear/Embedding weight, ones for every RMSNorm, no biases; seeded", () => {
    manualSeed(3);
    const m = new Llama({ ...tiny, nEmbd: 64, nHead: 4, intermediateSize: 128, vocabSize: 100 }, { dtype: "float64" });
    for (const [name, p] of m.namedParameters()) {
      assert.ok(!name.endsWith(".bias"), name);
      if (name.endsWith("norm.weight")) assert.ok(p.data.every((v) => v === 1), name);
      else {
        const v = [...p.data], n = v.length, mean = v.reduce((s, x) => s + x, 0) / n;
        const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
        assert.ok(Math.abs(std - 0.02) < 0.004 && Math.abs(mean) < 0.004, `${name}: mean ${mean} std ${std}`);
      }
    }
    manualSeed(3);
    const again = new Llama({ ...tiny, nEmbd: 64, nHead: 4, intermediateSize: 128, vocabSize: 100 }, { dtype: "float64" });
    const viaGen = new Llama({ ...tiny, nEmbd: 64, nHead: 4, intermediateSize: 128, vocabSize: 100 }, { dtype: "float64", generator: new Generator(3) });
    assert.deepEqual([...again.lm_head.weight.data], [...m.lm_head.weight.data]);
    assert.deepEqual([...viaGen.lm_head.weight.data], [...m.lm_head.weight.data]);
  });
  it("GQA shapes: k_proj/v_proj are (nKvHeads·D, C); the rotary tables are non-persistent buffers", () => {
    const m = new Llama(tiny);
    const attn = m.model.layers.at(0).self_attn;
    assert.deepEqual(attn.q_proj.weight.shape, [16, 16]);
    assert.deepEqual(attn.k_proj.weight.shape, [8, 16]);
    assert.deepEqual(attn.v_proj.weight.shape, [8, 16]);
    assert.deepEqual(m.model.rotary_cos.shape, [8, 4]);
    assert.ok(!Object.keys(m.stateDict()).some((k) => k.includes("rotary")));
    assert.equal(m.dtype, "float32");
    assert.match(m.toString(), /\(k_proj\): Linear\(inFeatures=16, outFeatures=8, bias=false\)/);
  });
});

/** A Llama whose k_proj/v_proj repeat `from`'s kv heads R times: plain MHA with nKvHeads = nHead. */
function expandToMha(from: Llama): Llama {
  const c = from.config, D = c.nEmbd / c.nHead, R = c.nHead / c.nKvHeads;
  const mha = new Llama({ ...c, nKvHeads: c.nHead }, { dtype: from.dtype });
  const sd = from.stateDict();
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(sd)) {
    if (!/\.(k_proj|v_proj)\.weight$/.test(k)) {
      out[k] = t;
      continue;
    }
    const C = c.nEmbd, rows = new Float64Array(c.nHead * D * C);
    for (let h = 0; h < c.nHead; h++) rows.set(t.data.subarray(Math.floor(h / R) * D * C, (Math.floor(h / R) + 1) * D * C), h * D * C);
    out[k] = tensor(rows, { dtype: from.dtype, shape: [c.nHead * D, C] });
  }
  mha.loadStateDict(out);
  return mha;
}

describe("grouped-query attention", () => {
  it("GQA (nKvHeads 2 of 4) equals MHA whose kv heads are repeated: logits and the shared gradients", () => {
    manualSeed(1);
    const gqa = new Llama({ ...tiny, nKvHeads: 2 }, { dtype: "float64" });
    for (const p of gqa.parameters()) p.data.set(randn(p.shape, { dtype: "float64" }).mul(0.3).data);
    const mha = expandToMha(gqa);
    const idx = randint(0, 13, [2, 8], { dtype: "int32" }), targets = randint(0, 13, [2, 8], { dtype: "int32" });
    const a = gqa.forward(idx, targets), b = mha.forward(idx, targets);
    assert.ok(maxDiff(a.logits.data, b.logits.data) < 1e-12);
    a.loss!.backward();
    b.loss!.backward();
    const ga = new Map(gqa.namedParameters()), gb = new Map(mha.namedParameters());
    for (const [n, p] of ga) if (!/k_proj|v_proj/.test(n)) assert.ok(maxDiff(p.grad!.data, gb.get(n)!.grad!.data) < 1e-12, n);
  });
  it("nKvHeads = nHead is standard multi-head attention with rotary q/k", () => {
    manualSeed(2);
    const m = new Llama({ ...tiny, nKvHeads: 4 }, { dtype: "float64" });
    const attn = m.model.layers.at(0).self_attn;
    for (const p of attn.parameters()) p.data.set(randn(p.shape, { dtype: "float64" }).mul(0.3).data);
    const x = randn([2, 6, 16], { dtype: "float64" });
    const { rotary_cos: cos, rotary_sin: sin } = m.model;
    const heads = (t: Tensor): Tensor => t.reshape([2, 6, 4, 4]).transpose(1, 2);
    const q = applyRotaryEmb(heads(attn.q_proj.forward(x)), cos, sin);
    const k = applyRotaryEmb(heads(attn.k_proj.forward(x)), cos, sin);
    const y = scaledDotProductAttention(q, k, heads(attn.v_proj.forward(x)), { isCausal: true });
    const want = attn.o_proj.forward(y.transpose(1, 2).reshape([2, 6, 16]));
    const rope = { cos, sin };
    assert.ok(maxDiff(attn.forward(x, rope).data, want.data) < 1e-13);
  });
});

describe("Llama.forward input errors (same rules as GPT)", () => {
  const m = new Llama(tiny);
  it("non-int32 ids, wrong rank, T > blockSize, out-of-vocab ids and targets", () => {
    assert.throws(() => m.forward(tensor([[1, 2]])), (e: Error) => e instanceof DTypeError && /Llama\.forward: idx must be int32/.test(e.message));
    assert.throws(() => m.forward(tensor([1, 2], { dtype: "int32" })), (e: Error) => e instanceof ShapeError && /2-D \(B, T\)/.test(e.message));
    assert.throws(() => m.forward(i32([[0, 1, 2, 3, 4, 5, 6, 7, 8]])), (e: Error) => e instanceof ShapeError && /length 9, blockSize is only 8/.test(e.message));
    assert.throws(() => m.forward(i32([[0, 13]])), (e: Error) => e instanceof IndexError && /token id 13/.test(e.message));
    assert.throws(() => m.forward(i32([[0, -1]])), IndexError);
    assert.throws(() => m.forward(i32([[0, 1]]), i32([[1, 13]])), (e: Error) => e instanceof IndexError && /target 13/.test(e.message));
    assert.throws(() => m.forward(i32([[0, 1]]), i32([[1, 2, 3]])), ShapeError);
    assert.throws(() => m.forward(i32([[0, 1]]), tensor([[1, 2]])), DTypeError);
    assert.throws(() => m.forward(null as unknown as Tensor), ValueError);
  });
  it("ignored targets (-1) are left out of the mean; all ignored gives NaN like PyTorch", () => {
    manualSeed(5);
    const idx = i32([[1, 2, 3, 4]]);
    const full = m.forward(idx, i32([[2, 3, 4, -1]])).loss!.item();
    const { logits } = m.forward(idx);
    const V = 13, lse = (r: number): number => {
      const row = [...logits.data.slice(r * V, (r + 1) * V)];
      const mx = Math.max(...row);
      return mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    };
    const want = [2, 3, 4].reduce((s, t, r) => s + lse(r) - logits.data[r * V + t]!, 0) / 3;
    assert.ok(Math.abs(full - want) < 1e-5);
    assert.ok(Number.isNaN(m.forward(idx, i32([[-1, -1, -1, -1]])).loss!.item()));
  });
});

describe("Llama.generate (the shared loop)", () => {
  manualSeed(7);
  const m = new Llama(tiny, { dtype: "float64" });
  for (const p of m.parameters()) p.data.set(randn(p.shape, { dtype: "float64" }).data);
  it("greedy decoding appends the argmax of the last position, cropping to blockSize", () => {
    const prompt = i32([[1, 2, 3], [4, 5, 6]]);
    const out = m.generate(prompt, 10, { temperature: 0 });
    assert.deepEqual(out.shape, [2, 13]);
    const seq = out.toArray() as number[][];
    assert.deepEqual(seq.map((r) => r.slice(0, 3)), [[1, 2, 3], [4, 5, 6]]);
    for (let t = 3; t < 13; t++) {
      const ctx = seq.map((r) => r.slice(Math.max(0, t - 8), t));
      const { logits } = noGrad(() => m.forward(i32(ctx)));
      const Tc = ctx[0]!.length;
      for (let b = 0; b < 2; b++) {
        const row = [...logits.data.slice((b * Tc + Tc - 1) * 13, (b * Tc + Tc) * 13)];
        assert.equal(seq[b]![t], row.indexOf(Math.max(...row)), `b ${b} t ${t}`);
      }
    }
    assert.deepEqual(generate(m, prompt, 10, { temperature: 0 }).toArray(), out.toArray());
  });
  it("nextTokenLogits equals forward's last position (generation's fast path)", () => {
    const idx = i32([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    const { logits } = m.forward(idx);
    const next = m.nextTokenLogits(idx);
    assert.deepEqual(next.shape, [2, 13]);
    const want = [...logits.data.slice(4 * 13, 5 * 13), ...logits.data.slice(9 * 13, 10 * 13)];
    assert.ok(maxDiff(next.data, want) < 1e-12);
    assert.throws(() => m.nextTokenLogits(i32([[0, 13]])), (e: Error) => e instanceof IndexError && /Llama\.nextTokenLogits/.test(e.message));
  });
  it("sampling with a seed is reproducible, stays in the vocabulary, and restores training mode", () => {
    m.train();
    const a = m.generate(i32([[0]]), 12, { seed: 42, topK: 5, topP: 0.9, temperature: 0.8 });
    const b = m.generate(i32([[0]]), 12, { seed: 42, topK: 5, topP: 0.9, temperature: 0.8 });
    assert.deepEqual(a.toArray(), b.toArray());
    assert.ok([...a.data].every((v) => v >= 0 && v < 13));
    assert.equal(m.training, true);
    assert.throws(() => m.generate(i32([[0]]), 2, { temperature: -1 }), ValueError);
  });
});

describe("optimizer groups, FLOPs, tied head, state dict", () => {
  it("optimizerGroups decays exactly the ndim >= 2 weights; the norms are not decayed", () => {
    const m = new Llama(tiny);
    const names = m.optimizerGroupNames();
    assert.equal(names.noDecay.length, 2 * 2 + 1);
    assert.ok(names.noDecay.every((n) => n.endsWith("norm.weight")));
    assert.equal(names.decay.length, 2 * 7 + 2);
    const groups = m.optimizerGroups(0.1);
    assert.deepEqual(groups.map((g) => [g.params.length, g.weightDecay]), [[16, 0.1], [5, 0]]);
    assert.throws(() => m.optimizerGroups(-1), ValueError);
  });
  it("flopsPerToken = 6·(N − embedding) + 12·L·T·C; estimateMfu scales it", () => {
    const m = new Llama(tiny);
    const N = m.numParameters(), emb = 13 * 16;
    assert.equal(m.numParameters({ nonEmbedding: true }), N - emb);
    assert.equal(m.flopsPerToken(), 6 * (N - emb) + 12 * 2 * 8 * 16);
    assert.equal(m.flopsPerToken(4), 6 * (N - emb) + 12 * 2 * 4 * 16);
    assert.ok(Math.abs(m.estimateMfu(1000, 1e9) - (m.flopsPerToken() * 1000) / 1e9) < 1e-15);
    assert.throws(() => m.flopsPerToken(0), ValueError);
  });
  it("tieWeights shares one Parameter; the state dict lists it once; both forms load", () => {
    const m = new Llama({ ...tiny, tieWeights: true });
    assert.equal(m.lm_head.weight, m.model.embed_tokens.weight);
    assert.ok(!("lm_head.weight" in m.stateDict()));
    assert.equal(m.numParameters({ nonEmbedding: true }), m.numParameters());
    const other = new Llama({ ...tiny, tieWeights: true });
    other.loadStateDict(m.stateDict({ withTiedHead: true }));
    assert.deepEqual([...other.lm_head.weight.data], [...m.lm_head.weight.data]);
    const sd = m.stateDict({ withTiedHead: true });
    sd["lm_head.weight"] = sd["lm_head.weight"]!.mul(2);
    assert.throws(() => other.loadStateDict(sd), nn.StateDictError);
  });
  it("an untied state dict round-trips and a missing key is a StateDictError", () => {
    const a = new Llama(tiny), b = new Llama(tiny);
    b.loadStateDict(a.stateDict());
    assert.deepEqual([...b.model.layers.at(1).mlp.down_proj.weight.data], [...a.model.layers.at(1).mlp.down_proj.weight.data]);
    const sd = a.stateDict();
    delete sd["model.norm.weight"];
    assert.throws(() => b.loadStateDict(sd), nn.StateDictError);
  });
});

describe("training", () => {
  it("AdamW on a repeating sequence drives the loss down (float32, with attention dropout in train mode)", () => {
    manualSeed(0);
    const m = new Llama({ ...tiny, dropout: 0.1 });
    const opt = new optim.AdamW(m.optimizerGroups(0.01), { lr: 1e-2 });
    const seq = Array.from({ length: 9 }, (_, i) => (i * 3) % 13);
    const idx = i32([seq.slice(0, 8), seq.slice(0, 8)]), targets = i32([seq.slice(1), seq.slice(1)]);
    m.eval();
    const before = m.forward(idx, targets).loss!.item();
    m.train();
    for (let step = 0; step < 40; step++) {
      opt.zeroGrad();
      const { loss } = m.forward(idx, targets);
      loss!.backward();
      opt.step();
    }
    m.eval();
    const after = m.forward(idx, targets).loss!.item();
    assert.ok(before > 2 && after < 0.5 * before, `loss ${before} -> ${after}`);
  });
});
