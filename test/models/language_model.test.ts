// The shared generation loop and sampling rules: greedy/top-k/top-p/temperature semantics,
// seeded determinism, context cropping to blockSize, eval/noGrad with modes restored, and typed
// errors for bad options and inputs. Uses a tiny bigram "model" whose logits are a fixed table.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, Generator, ShapeError, type Tensor, ValueError, isGradEnabled, nn, tensor } from "../../src/index.js";
import { type LanguageModelOutput, generate, sampleNext } from "../../src/models/language_model.js";

/** logits[b, t, :] = table[idx[b, t], :]; records every context length it was called with. */
class Bigram extends nn.Module {
  readonly seenT: number[] = [];
  readonly seenModes: [boolean, boolean][] = [];
  readonly drop = new nn.Dropout(0.5);
  constructor(readonly table: number[][], readonly blockSize: number) {
    super();
  }
  get vocabSize(): number {
    return this.table.length;
  }
  forward(idx: Tensor): LanguageModelOutput {
    const [B, T] = idx.shape as [number, number];
    this.seenT.push(T);
    this.seenModes.push([this.training, isGradEnabled()]);
    const V = this.vocabSize;
    const out = new Float64Array(B * T * V);
    for (let i = 0; i < B * T; i++) out.set(this.table[idx.data[i]!]!, i * V);
    return { logits: tensor(out, { shape: [B, T, V], dtype: "float64" }), loss: null };
  }
}

const row = (v: number[]): Tensor => tensor([v], { dtype: "float64" });

describe("sampleNext", () => {
  it("temperature 0 is argmax (first maximum), per row", () => {
    const logits = tensor([[0.1, 3, 3, -1], [5, 1, 2, 0]], { dtype: "float32" });
    assert.deepEqual([...sampleNext(logits, { temperature: 0 })], [1, 0]);
  });

  it("topK = 1 and a tiny topP both equal greedy whatever the generator", () => {
    const logits = row([0.3, -2, 1.7, 1.2, 0]);
    for (let s = 0; s < 20; s++) {
      assert.equal(sampleNext(logits, { topK: 1, seed: s })[0], 2);
      assert.equal(sampleNext(logits, { topP: 1e-6, seed: s })[0], 2);
    }
  });

  it("draws by inverse CDF: the frequencies match softmax(logits / temperature)", () => {
    const logits = row([0, Math.log(2), Math.log(3), Math.log(4)]); // probs 0.1, 0.2, 0.3, 0.4
    const g = new Generator(7);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleNext(logits, {}, g)[0]!]!++;
    [0.1, 0.2, 0.3, 0.4].forEach((p, i) => assert.ok(Math.abs(counts[i]! / n - p) < 0.015, `token ${i}: ${counts[i]! / n} vs ${p}`));
    // temperature 2 flattens: probs ∝ sqrt(1, 2, 3, 4)
    const s = [1, 2, 3, 4].map(Math.sqrt);
    const z = s.reduce((a, b) => a + b);
    const c2 = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) c2[sampleNext(logits, { temperature: 2 }, g)[0]!]!++;
    s.forEach((w, i) => assert.ok(Math.abs(c2[i]! / n - w / z) < 0.015, `T=2 token ${i}`));
  });

  it("top-k keeps exactly the k largest, top-p the smallest nucleus reaching p", () => {
    const logits = row([0, Math.log(2), Math.log(3), Math.log(4)]);
    const g = new Generator(1);
    const seenK = new Set<number>();
    const seenP = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      seenK.add(sampleNext(logits, { topK: 2 }, g)[0]!);
      seenP.add(sampleNext(logits, { topP: 0.65 }, g)[0]!); // 0.4 + 0.3 = 0.7 >= 0.65: tokens 3, 2
    }
    assert.deepEqual([...seenK].sort(), [2, 3]);
    assert.deepEqual([...seenP].sort(), [2, 3]);
    const seenP2 = new Set<number>();
    for (let i = 0; i < 3000; i++) seenP2.add(sampleNext(logits, { topP: 0.7 + 1e-9 }, g)[0]!);
    assert.deepEqual([...seenP2].sort(), [1, 2, 3]);
  });

  it("rejects bad logits and options with typed errors", () => {
    assert.throws(() => sampleNext(tensor([1, 2]), {}), ShapeError);
    assert.throws(() => sampleNext(tensor([[1, 2]], { dtype: "int32" }), {}), DTypeError);
    assert.throws(() => sampleNext(row([-Infinity, -Infinity]), {}), /all -Infinity/);
    assert.throws(() => sampleNext(row([0, Number.NaN]), { temperature: 0 }), (e: unknown) => e instanceof ValueError && /contain NaN/.test((e as Error).message));
    assert.throws(() => sampleNext(row([0, Number.NaN]), {}), /contain NaN/);
  });
});

describe("generate (shared loop)", () => {
  // A deterministic cycle 0 -> 1 -> 2 -> 0 under greedy decoding.
  const table = [[0, 5, 0], [0, 0, 5], [5, 0, 0]];

  it("greedy continues the cycle; shape (B, T + n), idx untouched", () => {
    const m = new Bigram(table, 4);
    const idx = tensor([[0, 1], [2, 2]], { dtype: "int32" });
    const out = generate(m, idx, 5, { temperature: 0 });
    assert.deepEqual(out.shape, [2, 7]);
    assert.equal(out.dtype, "int32");
    assert.deepEqual(out.toArray(), [[0, 1, 2, 0, 1, 2, 0], [2, 2, 0, 1, 2, 0, 1]]);
    assert.deepEqual(idx.toArray(), [[0, 1], [2, 2]]);
  });

  it("crops the context to blockSize; runs in eval mode under noGrad and restores modes", () => {
    const m = new Bigram(table, 3);
    m.drop.eval(); // a mixed mode tree must come back as it was
    const out = generate(m, tensor([[0]], { dtype: "int32" }), 6, { temperature: 0 });
    assert.deepEqual(out.toArray(), [[0, 1, 2, 0, 1, 2, 0]]);
    assert.deepEqual(m.seenT, [1, 2, 3, 3, 3, 3]);
    assert.ok(m.seenModes.every(([training, grad]) => !training && !grad));
    assert.equal(m.training, true);
    assert.equal(m.drop.training, false);
    assert.equal(isGradEnabled(), true);
    assert.deepEqual(generate(m, tensor([[1, 2, 0, 1, 2]], { dtype: "int32" }), 0).toArray(), [[1, 2, 0, 1, 2]]);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const m = new Bigram([[1, 1, 1, 1], [1, 2, 1, 0], [0, 1, 1, 1], [2, 0, 0, 1]], 8);
    const idx = tensor([[0], [3]], { dtype: "int32" });
    const a = generate(m, idx, 30, { seed: 42 }).toArray();
    assert.deepEqual(generate(m, idx, 30, { seed: 42 }).toArray(), a);
    assert.notDeepEqual(generate(m, idx, 30, { seed: 43 }).toArray(), a);
    const g1 = new Generator(42);
    assert.deepEqual(generate(m, idx, 30, { generator: g1 }).toArray(), a); // seed n == new Generator(n)
  });

  it("uses the model's nextTokenLogits when it has one, and checks its shape", () => {
    const m = new Bigram(table, 4) as Bigram & { nextTokenLogits?: (idx: Tensor) => Tensor };
    const calls: number[] = [];
    m.nextTokenLogits = (idx: Tensor): Tensor => {
      calls.push(idx.shape[1]!);
      const [B, T] = idx.shape as [number, number];
      return tensor(Array.from({ length: B }, (_, b) => table[idx.data[b * T + T - 1]!]!), { dtype: "float64" });
    };
    assert.deepEqual(generate(m, tensor([[0]], { dtype: "int32" }), 3, { temperature: 0 }).toArray(), [[0, 1, 2, 0]]);
    assert.deepEqual(calls, [1, 2, 3]);
    assert.deepEqual(m.seenT, []); // forward was not needed
    m.nextTokenLogits = (): Tensor => tensor([[1, 2]], { dtype: "float64" });
    assert.throws(() => generate(m, tensor([[0]], { dtype: "int32" }), 1), /generate: nextTokenLogits must return \(B, V\) = \[1, 3\]/);
  });

  it("restores the modes when forward throws", () => {
    const m = new Bigram(table, 4);
    m.forward = () => {
      throw new Error("boom");
    };
    assert.throws(() => generate(m, tensor([[0]], { dtype: "int32" }), 2), /boom/);
    assert.equal(m.training, true);
    assert.equal(isGradEnabled(), true);
  });

  it("bad options and inputs are typed errors naming generate and the option", () => {
    const m = new Bigram(table, 4);
    const idx = tensor([[0]], { dtype: "int32" });
    const bad: [object, RegExp][] = [
      [{ temperature: -1 }, /generate: temperature/],
      [{ temperature: Number.NaN }, /generate: temperature/],
      [{ topK: 0 }, /generate: topK/],
      [{ topK: 1.5 }, /generate: topK/],
      [{ topP: 0 }, /generate: topP/],
      [{ topP: 1.1 }, /generate: topP/],
      [{ seed: 1.5 }, /generate: seed/],
      [{ seed: 1, generator: new Generator(1) }, /generate: pass either seed or generator/],
      [{ topk: 3 }, /generate: unknown option "topk"/],
    ];
    for (const [opts, re] of bad) assert.throws(() => generate(m, idx, 1, opts), (e: unknown) => e instanceof ValueError && re.test((e as Error).message));
    assert.throws(() => generate(m, idx, -1), /generate: maxNewTokens/);
    assert.throws(() => generate(m, idx, 1.5), /generate: maxNewTokens/);
    assert.throws(() => generate(m, tensor([[0]], { dtype: "float32" }), 1), DTypeError);
    assert.throws(() => generate(m, tensor([0], { dtype: "int32" }), 1), ShapeError);
    assert.throws(() => generate(m, tensor([[0, 3]], { dtype: "int32" }), 1), /generate: token id 3 .* outside the vocabulary \[0, 3\)/);
    assert.deepEqual(m.seenT, []); // nothing ran
  });
});
