// Gradients written straight into zeroed .grad storage: after zeroGrad({ setToNone: false }),
// linear layers' weight and bias gradients go into the existing .grad (same storage, same values
// as computing them aside and adding them to the zeros), and everything else keeps the usual path.
// backward stays all-or-nothing: a throw after such a write leaves the zeros there, and a retry works.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Tensor, autograd, linear, manualSeed, nn, optim, randn, tensor } from "../../src/index.js";

function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} !== ${b[i]}`);
}

/** An MLP step's gradients with .grad set to none first (the usual path) and zeroed in place. */
function gradsBothWays(dtype: "float32" | "float64"): { none: Float64Array[]; zeroed: Float64Array[]; storageKept: boolean } {
  manualSeed(1);
  const model = new nn.MLP([12, 16, 16, 5], { dtype });
  const x = randn([7, 12], { dtype });
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const run = (): Float64Array[] => {
    model.forward(x).square().sum().backward();
    return [...model.parameters()].map((p) => Float64Array.from(p.grad!.data));
  };
  const none = run(); // .grad created by this backward
  const storages = [...model.parameters()].map((p) => p.grad!.data);
  opt.zeroGrad({ setToNone: false });
  const zeroed = run();
  const storageKept = [...model.parameters()].every((p, i) => p.grad!.data === storages[i]);
  return { none, zeroed, storageKept };
}

describe("gradients written into zeroed .grad", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: the same gradients as a fresh .grad, in the same storage`, () => {
      const { none, zeroed, storageKept } = gradsBothWays(dtype);
      none.forEach((g, i) => same(zeroed[i]!, g, `param ${i}`));
      assert.ok(storageKept, "each .grad keeps its storage");
    });
  }

  it("bumps the .grad's version (a graph that saved it sees the write) and accumulates on a second backward", () => {
    manualSeed(2);
    const lin = new nn.Linear(6, 4, { dtype: "float64" });
    const x = randn([3, 6], { dtype: "float64" });
    lin.forward(x).sum().backward();
    const once = Float64Array.from(lin.weight.grad!.data);
    lin.zeroGrad({ setToNone: false });
    const v0 = lin.weight.grad!.version;
    lin.forward(x).sum().backward();
    assert.ok(lin.weight.grad!.version > v0, "version bumped by the write");
    same(lin.weight.grad!.data, once, "first backward after zeroGrad");
    lin.forward(x).sum().backward(); // .grad no longer zeros: added to, as always
    same(lin.weight.grad!.data, once.map((v) => v + v), "second backward accumulates");
  });

  it("a weight used twice (two edges) and a zeroed .grad written in place before backward take the usual path", () => {
    manualSeed(3);
    const w = randn([4, 4], { dtype: "float64", requiresGrad: true });
    const x = randn([2, 4], { dtype: "float64" });
    const loss = (): Tensor => linear(linear(x, w), w).sum();
    loss().backward();
    const want = Float64Array.from(w.grad!.data);
    const opt = new optim.SGD([w], { lr: 1 });
    opt.zeroGrad({ setToNone: false });
    loss().backward();
    same(w.grad!.data, want, "tied weight");
    opt.zeroGrad({ setToNone: false });
    w.grad!.data.fill(1);
    w.grad!.markModified(); // a write the library is told of: the version moves, the zeros are no longer known
    loss().backward();
    same(w.grad!.data, want.map((v) => 1 + v), "after an in-place write");
  });

  it("stays all-or-nothing: a throw after the write leaves the zeros, and a retry gives the gradient", () => {
    manualSeed(4);
    const lin = new nn.Linear(5, 3, { dtype: "float64" });
    const other = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const x = randn([2, 5], { dtype: "float64" });
    const y = lin.forward(x).mul(other).sum();
    lin.forward(x).mul(other).sum().backward();
    const want = Float64Array.from(lin.weight.grad!.data);
    lin.zeroGrad({ setToNone: false });
    // Leaf hooks run after every rule, so the weight's .grad has been written when this throws.
    const h = other.registerHook(() => { throw new Error("hook failed"); });
    const v0 = lin.weight.grad!.version;
    assert.throws(() => y.backward(), /hook failed/);
    assert.ok(lin.weight.grad!.version > v0, "the gradient was written before the throw");
    assert.ok(lin.weight.grad!.data.every((v) => v === 0), "weight .grad still zeros");
    assert.ok(lin.bias!.grad!.data.every((v) => v === 0), "bias .grad still zeros");
    h.remove();
    y.backward();
    same(lin.weight.grad!.data, want, "retry");
  });

  it("anomaly mode and leaf hooks see the gradient as before (no direct write)", () => {
    manualSeed(5);
    const lin = new nn.Linear(5, 3, { dtype: "float64" });
    const x = randn([2, 5], { dtype: "float64" });
    lin.forward(x).sum().backward();
    const want = Float64Array.from(lin.weight.grad!.data);
    lin.zeroGrad({ setToNone: false });
    autograd.detectAnomaly(() => lin.forward(x).sum().backward());
    same(lin.weight.grad!.data, want, "anomaly mode");
    lin.zeroGrad({ setToNone: false });
    let seen: Float64Array | null = null;
    const h = lin.weight.registerHook((g) => { seen = Float64Array.from(g.data); });
    lin.forward(x).sum().backward();
    h.remove();
    same(seen!, want, "the hook saw the gradient");
    same(lin.weight.grad!.data, want, "with a hook");
  });
});
