// The reverse-mode engine: accumulation, graph lifetime, grad mode, hooks, deep graphs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AutogradError, DTypeError, ShapeError, Tensor, enableGrad, isGradEnabled, noGrad, ones, randn, tensor, zeros,
} from "../../src/index.js";
import type { Node } from "../../src/autograd/node.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

describe("autograd engine", () => {
  it("fan-out sums gradients: d/dx (x*x + x) = 2x + 1", () => {
    const x = tensor([1.5, -2], f64);
    x.mul(x).add(x).sum().backward();
    assert.deepEqual([...x.grad!.data], [4, -3]);
  });

  it("diamond graph: y = a*b, z = y + y*a", () => {
    const a = tensor(3, f64);
    const b = tensor(4, f64);
    const y = a.mul(b);
    const z = y.add(y.mul(a)); // z = ab + a^2 b
    z.backward();
    assert.equal(a.grad!.item(), 4 + 2 * 3 * 4); // b + 2ab
    assert.equal(b.grad!.item(), 3 + 9); // a + a^2
  });

  it("gradients accumulate across backward calls until cleared", () => {
    const w = tensor([2], f64);
    w.mul(3).sum().backward();
    w.mul(3).sum().backward();
    assert.equal(w.grad!.item(), 6);
    w.grad = null;
    w.mul(5).sum().backward();
    assert.equal(w.grad!.item(), 5);
  });

  it("leaves off the path keep grad === null; non-requiring leaves get nothing", () => {
    const a = tensor([1, 2], f64);
    const unused = tensor([5], f64);
    const c = tensor([3, 4], { dtype: "float64" });
    a.mul(c).sum().backward();
    assert.equal(unused.grad, null);
    assert.equal(c.grad, null);
    assert.deepEqual([...a.grad!.data], [3, 4]);
  });

  it("second backward through a freed graph throws AutogradError unless retainGraph", () => {
    const x = tensor([1, 2], f64);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assert.ok(Math.abs(x.grad!.data[0]! - 2 * Math.E) < 1e-12);
    assert.throws(() => y.backward(), (e: unknown) => e instanceof AutogradError && /second time/.test((e as Error).message));
  });

  it("saved tensors are released once a node has run backward", () => {
    const x = tensor([1, 2], f64);
    const h = x.exp();
    const y = h.sum();
    y.backward();
    assert.equal((h.gradFn as Node).freed, true);
    assert.equal((y.gradFn as Node).freed, true);
    const z = x.exp();
    z.sum().backward(undefined, { retainGraph: true });
    assert.equal((z.gradFn as Node).freed, false);
  });

  it("non-scalar backward needs an explicit gradient of matching shape", () => {
    const x = tensor([1, 2, 3], f64);
    const y = x.mul(2);
    assert.throws(() => y.backward(), AutogradError);
    assert.throws(() => y.backward(tensor([1, 1], { dtype: "float64" })), ShapeError);
    y.backward(tensor([1, 0.5, 2], { dtype: "float64" }));
    assert.deepEqual([...x.grad!.data], [2, 1, 4]);
  });

  it("backward on a tensor that does not require grad throws", () => {
    assert.throws(() => tensor([1]).sum().backward(), AutogradError);
  });

  it("integer tensors cannot require gradients", () => {
    assert.throws(() => tensor([1, 2], { dtype: "int32", requiresGrad: true }), DTypeError);
    assert.throws(() => zeros([2], { dtype: "int32" }).requiresGrad_(), DTypeError);
  });

  it("noGrad/enableGrad scope recording and restore the mode even on throw", () => {
    const x = tensor([1], f64);
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    assert.equal(z.requiresGrad, true);
    assert.throws(() => noGrad(() => { throw new Error("boom"); }));
    assert.equal(isGradEnabled(), true);
  });

  it("detach shares storage and cuts the graph", () => {
    const x = tensor([1, 2], f64);
    const y = x.mul(2);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.data, y.data);
    const w = tensor([3, 3], f64);
    d.mul(w).sum().backward();
    assert.equal(x.grad, null);
    assert.deepEqual([...w.grad!.data], [2, 4]);
  });

  it("requiresGrad_ turns a leaf on and returns it", () => {
    const x = tensor([2], { dtype: "float64" }).requiresGrad_();
    assert.equal(x.requiresGrad, true);
    x.pow(3).sum().backward();
    assert.equal(x.grad!.item(), 12);
  });

  it("hooks read and replace gradients on leaves and intermediates; handles remove them", () => {
    const x = tensor([1, 2], f64);
    const seen: number[][] = [];
    x.registerHook((g) => { seen.push([...g.data]); });
    const h = x.mul(3);
    const handle = h.registerHook((g) => g.mul(10));
    h.sum().backward();
    assert.deepEqual(seen, [[30, 30]]);
    assert.deepEqual([...x.grad!.data], [30, 30]);
    handle.remove();
    x.grad = null;
    const h2 = x.mul(3);
    h2.sum().backward();
    assert.deepEqual([...x.grad!.data], [3, 3]);
  });

  it("a leaf hook sees the total gradient once, after fan-out is summed", () => {
    const x = tensor([1], f64);
    let calls = 0;
    x.registerHook((g) => { calls++; assert.equal(g.item(), 5); });
    x.mul(2).add(x.mul(3)).sum().backward();
    assert.equal(calls, 1);
  });

  it("retainGrad keeps an intermediate's gradient", () => {
    const a = tensor(2, f64);
    const b = tensor(3, f64);
    const s = a.add(b).retainGrad();
    s.pow(2).backward();
    assert.equal(s.grad!.item(), 10);
  });

  it("100k-node chain runs iteratively (no stack overflow)", () => {
    const x = tensor([1], f64);
    let y: Tensor = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1e-5);
    y.sum().backward();
    assert.equal(x.grad!.item(), 1);
    assert.ok(Math.abs(y.item() - 2) < 1e-9);
  });

  it("float32 inputs receive float32 gradients even when mixed with float64", () => {
    const a = ones([2], { requiresGrad: true });
    const b = tensor([2, 3], f64);
    const y = a.mul(b);
    assert.equal(y.dtype, "float64");
    y.sum().backward();
    assert.equal(a.grad!.dtype, "float32");
    assert.deepEqual([...a.grad!.data], [2, 3]);
  });

  it("broadcast gradients are summed back to each input's shape", () => {
    const a = randn([3, 1], f64);
    const b = randn([1, 4], f64);
    a.add(b).sum().backward();
    assert.deepEqual(a.grad!.shape, [3, 1]);
    assert.deepEqual([...a.grad!.data], [4, 4, 4]);
    assert.deepEqual([...b.grad!.data], [3, 3, 3, 3]);
  });
});

describe("in-place writes after the forward pass", () => {
  it("backward refuses when a saved tensor was modified (optimizer step between forward and backward)", async () => {
    const { optim } = await import("../../src/index.js");
    const w = tensor([[1, 2], [3, 4]], f64);
    const x = tensor([[1], [1]], { dtype: "float64" });
    const loss = w.matmul(x).sum();
    const first = w.mul(2).sum();
    first.backward();
    const opt = new optim.SGD([w], { lr: 0.1 });
    opt.step(); // writes w in place
    assert.equal(w.version, 1);
    assert.throws(() => loss.backward(), (e: unknown) =>
      e instanceof AutogradError && /saved by matmul was modified in place/.test((e as Error).message));
  });

  it("ops whose backward reads no data do not care (add, reshape, sum)", () => {
    const w = tensor([1, 2], f64);
    const y = w.add(1).reshape([2, 1]).sum();
    w.markModified();
    y.backward();
    assert.deepEqual([...w.grad!.data], [1, 1]);
  });

  it("views share the version: modifying through one invalidates graphs that saved the other", () => {
    const w = tensor([1, 2], f64);
    const v = w.view([2, 1]);
    const y = v.mul(v).sum();
    w.markModified();
    assert.equal(v.version, 1);
    assert.throws(() => y.backward(), AutogradError);
  });
});
