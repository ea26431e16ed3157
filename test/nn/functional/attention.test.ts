// scaledDotProductAttention: hand example, causal first row = v[0], masks against a loop
// reference, fully masked rows, dropout reproducibility, gradcheck, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, Generator, ShapeError, ValueError, gradcheck, manualSeed, randn, tensor } from "../../../src/index.js";
import type { Tensor } from "../../../src/index.js";
import { scaledDotProductAttention as sdpa } from "../../../src/nn/functional/index.js";

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `[${i}] ${got[i]} vs ${want[i]}`);
};
const f64 = { dtype: "float64" as const };
const g64 = { dtype: "float64" as const, requiresGrad: true };

/** Plain-loop attention over (B, L, E), (B, S, E), (B, S, Ev); bias(b, i, j) is added to scores. */
function reference(q: Tensor, k: Tensor, v: Tensor, scale: number, bias: (b: number, i: number, j: number) => number): number[] {
  const [B, L, E] = q.shape as [number, number, number];
  const S = k.shape[1]!;
  const Ev = v.shape[2]!;
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let i = 0; i < L; i++) {
    const s: number[] = [];
    for (let j = 0; j < S; j++) {
      let d = 0;
      for (let e = 0; e < E; e++) d += q.data[(b * L + i) * E + e]! * k.data[(b * S + j) * E + e]!;
      s.push(d * scale + bias(b, i, j));
    }
    const m = Math.max(...s);
    const w = s.map((x) => Math.exp(x - m));
    const z = w.reduce((a, x) => a + x, 0);
    for (let c = 0; c < Ev; c++) {
      let acc = 0;
      for (let j = 0; j < S; j++) acc += (w[j]! / z) * v.data[(b * S + j) * Ev + c]!;
      out.push(acc);
    }
  }
  return out;
}

describe("scaledDotProductAttention forward", () => {
  it("hand example: one query over two keys, scale 1/sqrt(E)", () => {
    const q = tensor([[1, 0]], f64);
    const k = tensor([[1, 0], [0, 1]], f64);
    const v = tensor([[1, 2], [3, 4]], f64);
    const w0 = 1 / (1 + Math.exp(-1 / Math.SQRT2));
    close(sdpa(q, k, v).data, [w0 * 1 + (1 - w0) * 3, w0 * 2 + (1 - w0) * 4]);
    const w1 = 1 / (1 + Math.exp(-2));
    close(sdpa(q, k, v, { scale: 2 }).data, [w1 + (1 - w1) * 3, 2 * w1 + (1 - w1) * 4]);
  });

  it("causal: the first query's output equals v's first row; matches the loop reference, L != S", () => {
    manualSeed(11);
    const q = randn([2, 4, 3], f64);
    const k = randn([2, 4, 3], f64);
    const v = randn([2, 4, 5], f64);
    const y = sdpa(q, k, v, { isCausal: true });
    assert.deepEqual(y.shape, [2, 4, 5]);
    for (let b = 0; b < 2; b++) close(y.data.slice(b * 20, b * 20 + 5), v.data.slice(b * 20, b * 20 + 5), 1e-15);
    close(y.data, reference(q, k, v, 1 / Math.sqrt(3), (_b, i, j) => (j > i ? -Infinity : 0)));
    // Top-left alignment with L = 3 queries over S = 5 keys.
    const k5 = randn([2, 5, 3], f64);
    const v5 = randn([2, 5, 2], f64);
    const q3 = randn([2, 3, 3], f64);
    close(sdpa(q3, k5, v5, { isCausal: true }).data, reference(q3, k5, v5, 1 / Math.sqrt(3), (_b, i, j) => (j > i ? -Infinity : 0)));
  });

  it("int32 mask (nonzero = attend) and float mask (added), broadcast over the batch", () => {
    manualSeed(12);
    const q = randn([2, 3, 4], f64);
    const k = randn([2, 5, 4], f64);
    const v = randn([2, 5, 2], f64);
    const bm = [[1, 0, 1, 1, 0], [0, 0, 1, 0, 0], [1, 1, 1, 1, 1]];
    const y = sdpa(q, k, v, { mask: tensor(bm, { dtype: "int32" }) });
    close(y.data, reference(q, k, v, 0.5, (_b, i, j) => (bm[i]![j] ? 0 : -Infinity)));
    const fm = randn([2, 1, 5], f64);
    close(sdpa(q, k, v, { mask: fm, scale: 0.3 }).data, reference(q, k, v, 0.3, (b, _i, j) => fm.data[b * 5 + j]!));
  });

  it("4-D (B, H, L, E) inputs with k/v broadcast over heads", () => {
    manualSeed(13);
    const q = randn([2, 3, 4, 2], f64);
    const k = randn([2, 1, 4, 2], f64);
    const v = randn([2, 1, 4, 3], f64);
    const y = sdpa(q, k, v, { isCausal: true });
    assert.deepEqual(y.shape, [2, 3, 4, 3]);
    // head h of batch b uses k[b, 0], v[b, 0]
    const qb = new (q.data.constructor as Float64ArrayConstructor)(q.data.slice(1 * 24 + 2 * 8, 1 * 24 + 3 * 8));
    const ref = reference(tensor(qb, { shape: [1, 4, 2], dtype: "float64" }), tensor(k.data.slice(8, 16), { shape: [1, 4, 2], dtype: "float64" }),
      tensor(v.data.slice(12, 24), { shape: [1, 4, 3], dtype: "float64" }), 1 / Math.SQRT2, (_b, i, j) => (j > i ? -Infinity : 0));
    close(y.data.slice(1 * 36 + 2 * 12, 1 * 36 + 3 * 12), ref);
  });

  it("a fully masked query row gives zeros, with finite gradients", () => {
    const q = randn([2, 3], g64);
    const k = randn([3, 3], g64);
    const v = randn([3, 2], g64);
    const y = sdpa(q, k, v, { mask: tensor([[0, 0, 0], [1, 1, 0]], { dtype: "int32" }) });
    close(y.data.slice(0, 2), [0, 0]);
    y.sum().backward();
    for (const t of [q, k, v]) assert.ok(t.grad!.data.every(Number.isFinite));
    close(q.grad!.data.slice(0, 3), [0, 0, 0]);
  });

  it("dropoutP: reproducible with a generator, and changes the output", () => {
    manualSeed(14);
    const q = randn([2, 4, 3], f64);
    const k = randn([2, 4, 3], f64);
    const v = randn([2, 4, 3], f64);
    const a = sdpa(q, k, v, { dropoutP: 0.5, generator: new Generator(3) });
    const b = sdpa(q, k, v, { dropoutP: 0.5, generator: new Generator(3) });
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    assert.notDeepEqual(Array.from(a.data), Array.from(sdpa(q, k, v).data));
  });
});

describe("scaledDotProductAttention gradcheck (float64)", () => {
  const cases: [string, number[], number[], number[], object][] = [
    ["plain", [2, 3, 4], [2, 5, 4], [2, 5, 2], {}],
    ["causal", [3, 2], [3, 2], [3, 4], { isCausal: true }],
    ["causal L=1", [1, 1, 2], [1, 3, 2], [1, 3, 1], { isCausal: true }],
    ["scale, broadcast k/v batch", [2, 2, 3, 2], [1, 4, 2], [1, 4, 3], { scale: 0.7 }],
  ];
  for (const [name, qs, ks, vs, opts] of cases) {
    it(name, () => {
      manualSeed(qs.length + ks[0]!);
      assert.ok(gradcheck((a, b, c) => sdpa(a!, b!, c!, opts), [randn(qs, g64), randn(ks, g64), randn(vs, g64)]));
    });
  }
  it("int and float masks", () => {
    manualSeed(21);
    const q = randn([2, 3, 2], g64);
    const k = randn([2, 4, 2], g64);
    const v = randn([2, 4, 3], g64);
    const im = tensor([[1, 0, 1, 1], [0, 1, 0, 0], [1, 1, 1, 0]], { dtype: "int32" });
    assert.ok(gradcheck((a, b, c) => sdpa(a!, b!, c!, { mask: im }), [q, k, v]));
    const fm = randn([2, 1, 4], f64);
    assert.ok(gradcheck((a, b, c) => sdpa(a!, b!, c!, { mask: fm }), [q, k, v]));
  });
});

describe("scaledDotProductAttention errors", () => {
  it("mismatched E, mismatched S, too few dims, int input, bad mask", () => {
    assert.throws(() => sdpa(randn([2, 3, 4]), randn([2, 5, 3]), randn([2, 5, 2])),
      (e: Error) => e instanceof ShapeError && /scaledDotProductAttention/.test(e.message) && /\[2,3,4\]/.test(e.message) && /\[2,5,3\]/.test(e.message) && /E/.test(e.message));
    assert.throws(() => sdpa(randn([3, 4]), randn([5, 4]), randn([6, 2])), (e: Error) => e instanceof ShapeError && /\[6,2\]/.test(e.message));
    assert.throws(() => sdpa(randn([4]), randn([5, 4]), randn([5, 2])), (e: Error) => e instanceof ShapeError && /q must have at least 2/.test(e.message));
    assert.throws(() => sdpa(tensor([[1]], { dtype: "int32" }), randn([1, 1]), randn([1, 1])), DTypeError);
    assert.throws(() => sdpa(randn([3, 4]), randn([5, 4]), randn([5, 2]), { mask: tensor([1, 1], { dtype: "int32" }) }), ShapeError);
  });
  it("mask together with isCausal, bad dropoutP or scale", () => {
    const m = tensor([[1]], { dtype: "int32" });
    assert.throws(() => sdpa(randn([1, 2]), randn([1, 2]), randn([1, 2]), { mask: m, isCausal: true }), (e: Error) => e instanceof ValueError && /mask/.test(e.message) && /isCausal/.test(e.message));
    assert.throws(() => sdpa(randn([1, 2]), randn([1, 2]), randn([1, 2]), { dropoutP: 2 }), ValueError);
    assert.throws(() => sdpa(randn([1, 2]), randn([1, 2]), randn([1, 2]), { scale: Number.NaN }), ValueError);
  });
});
