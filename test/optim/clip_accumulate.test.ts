// Gradient clipping (PyTorch semantics) and gradient accumulation equal to the full batch gradient.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Generator, type Tensor, randn, tensor } from "../../src/index.js";
import * as optim from "../../src/optim/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

describe("clipGradNorm", () => {
  it("returns the total 2-norm and scales by maxNorm/(total+1e-6) when above", () => {
    const a = tensor([3, 0], f64), b = tensor([4], f64);
    a.grad = tensor([3, 0], { dtype: "float64" });
    b.grad = tensor([4], { dtype: "float64" });
    const n = optim.clipGradNorm([a, b], 1);
    assert.equal(n, 5);
    const coef = 1 / (5 + 1e-6);
    assert.deepEqual([...a.grad.data], [3 * coef, 0]);
    assert.deepEqual([...b.grad.data], [4 * coef]);
  });
  it("leaves gradients alone below maxNorm; supports Infinity and p-norms", () => {
    const a = tensor([1, 1], f64);
    a.grad = tensor([-3, 2], { dtype: "float64" });
    assert.equal(optim.clipGradNorm(a, 10), Math.sqrt(13));
    assert.deepEqual([...a.grad.data], [-3, 2]);
    assert.equal(optim.clipGradNorm(a, 10, { normType: Infinity }), 3);
    assert.equal(optim.clipGradNorm(a, 10, { normType: 1 }), 5);
    const n = optim.clipGradNorm(a, 1.5, { normType: Infinity });
    assert.equal(n, 3);
    assert.deepEqual([...a.grad.data], [-3 * (1.5 / (3 + 1e-6)), 2 * (1.5 / (3 + 1e-6))]);
  });
  it("skips params without grads; errorIfNonfinite throws", () => {
    const a = tensor([1], f64), b = tensor([1], f64);
    assert.equal(optim.clipGradNorm([a, b], 1), 0);
    a.grad = tensor([Infinity], { dtype: "float64" });
    assert.throws(() => optim.clipGradNorm([a, b], 1, { errorIfNonfinite: true }), /total norm of order 2 .* is Infinity/);
    assert.throws(() => optim.clipGradNorm([a], -1), /maxNorm must be a number >= 0/);
  });
  it("a NaN gradient makes every norm NaN, wherever it sits", () => {
    for (const g of [[NaN, 5], [5, NaN]]) {
      const a = tensor([0, 0], f64);
      for (const normType of [2, 1, Infinity]) {
        a.grad = tensor(g, { dtype: "float64" });
        assert.ok(Number.isNaN(optim.clipGradNorm(a, 1, { normType })), `${JSON.stringify(g)} norm ${normType}`);
      }
    }
  });
  it("clipGradValue clamps elementwise", () => {
    const a = tensor([1, 1, 1], f64);
    a.grad = tensor([-5, 0.5, 7], { dtype: "float64" });
    optim.clipGradValue([a], 1);
    assert.deepEqual([...a.grad.data], [-1, 0.5, 1]);
  });
});

describe("accumulateGradients", () => {
  it("micro-batch accumulation equals the full-batch gradient (float64, 1e-12)", () => {
    const g = new Generator(7);
    const X = randn([16, 5], { dtype: "float64", generator: g });
    const Y = randn([16, 3], { dtype: "float64", generator: g });
    const W = randn([5, 3], { ...f64, generator: g });
    const b = randn([3], { ...f64, generator: g });
    const loss = (x: Tensor, y: Tensor) => x.matmul(W).add(b).tanh().sub(y).pow(2).mean();
    const rows = (t: Tensor, lo: number, hi: number) => {
      const c = t.shape[1]!;
      return tensor(t.data.slice(lo * c, hi * c), { dtype: "float64", shape: [hi - lo, c] });
    };
    const full = loss(X, Y);
    full.backward();
    const gW = [...W.grad!.data], gb = [...b.grad!.data];
    W.grad = null; b.grad = null;
    const micro = [0, 4, 8, 12].map((lo) => [rows(X, lo, lo + 4), rows(Y, lo, lo + 4)] as const);
    const mean = optim.accumulateGradients(micro, ([x, y]) => loss(x, y));
    assert.ok(Math.abs(mean - full.item()) < 1e-12);
    W.grad!.data.forEach((v, i) => assert.ok(Math.abs(v - gW[i]!) < 1e-12, `W ${i}: ${v} vs ${gW[i]}`));
    b.grad!.data.forEach((v, i) => assert.ok(Math.abs(v - gb[i]!) < 1e-12, `b ${i}`));
    assert.throws(() => optim.accumulateGradients([], () => full), /no micro-batches/);
  });
});
