// Optimizers: the reference text's worked updates, hyperparameter validation, param groups,
// failed steps that change nothing, zeroGrad, and stateDict round trips.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, ShapeError, type Tensor, ValueError, tensor, zeros } from "../../src/index.js";
import * as optim from "../../src/optim/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

/** Set .grad to the given values (float64 like the parameter). */
function setGrad(p: Tensor, values: number | number[]): void {
  p.grad = tensor(values, { dtype: p.dtype });
}

describe("reference text worked examples", () => {
  it("SGD: w = 2.0, lr = 0.1, g = 0.4 gives 1.96", () => {
    const w = tensor(2.0, f64);
    const opt = new optim.SGD([w], { lr: 0.1 });
    setGrad(w, 0.4);
    opt.step();
    assert.equal(w.item(), 2.0 - 0.1 * 0.4);
    assert.ok(Math.abs(w.item() - 1.96) < 1e-15);
  });

  it("momentum (beta 0.9, lr 0.1): 1.0 -> 0.95 -> 0.935 with grads 0.5 then -0.3", () => {
    const w = tensor(1.0, f64);
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    setGrad(w, 0.5);
    opt.step();
    assert.ok(Math.abs(w.item() - 0.95) < 1e-15, `${w.item()}`);
    setGrad(w, -0.3);
    opt.step();
    assert.ok(Math.abs(w.item() - 0.935) < 1e-15, `${w.item()}`);
    const v = opt.getState(w)!.buffers["momentumBuffer"]!;
    assert.ok(Math.abs(v.item() - 0.15) < 1e-15);
  });

  it("Adam (lr 0.01): 1.0 -> 0.99 -> ~0.98734 with grads 0.4 then -0.2", () => {
    const w = tensor(1.0, f64);
    const opt = new optim.Adam([w], { lr: 0.01 });
    setGrad(w, 0.4);
    opt.step();
    // Step 1 from the formulas in full precision.
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
    let m = (1 - b1) * 0.4, v = (1 - b2) * 0.16;
    let expected = 1.0 - lr * (m / (1 - b1)) / (Math.sqrt(v / (1 - b2)) + eps);
    assert.ok(Math.abs(w.item() - expected) < 1e-15, `${w.item()} vs ${expected}`);
    assert.ok(Math.abs(w.item() - 0.99) < 1e-9);
    setGrad(w, -0.2);
    opt.step();
    m = b1 * m + (1 - b1) * -0.2;
    v = b2 * v + (1 - b2) * 0.04;
    expected -= lr * (m / (1 - b1 ** 2)) / (Math.sqrt(v / (1 - b2 ** 2)) + eps);
    assert.ok(Math.abs(w.item() - expected) < 1e-15, `${w.item()} vs ${expected}`);
    assert.ok(Math.abs(w.item() - 0.98734) < 5e-6, `${w.item()}`);
    assert.ok(Math.abs(m - 0.016) < 1e-15 && Math.abs(v - 0.00019984) < 1e-15);
  });
});

describe("hyperparameter validation", () => {
  const p = () => [zeros([2], f64)];
  const bad: [string, () => unknown, RegExp][] = [
    ["negative lr", () => new optim.SGD(p(), { lr: -0.1 }), /SGD: invalid lr -0.1/],
    ["NaN lr", () => new optim.Adam(p(), { lr: NaN }), /Adam: invalid lr NaN/],
    ["missing lr", () => new optim.SGD(p(), {} as { lr: number }), /SGD: invalid lr undefined/],
    ["negative momentum", () => new optim.SGD(p(), { lr: 0.1, momentum: -1 }), /SGD: invalid momentum -1/],
    ["nesterov without momentum", () => new optim.SGD(p(), { lr: 0.1, nesterov: true }), /SGD: nesterov.*momentum 0/],
    ["nesterov with dampening", () => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0.1/],
    ["beta1 = 1", () => new optim.Adam(p(), { betas: [1, 0.999] }), /Adam: invalid betas\[0\] 1/],
    ["beta2 < 0", () => new optim.AdamW(p(), { betas: [0.9, -0.1] }), /AdamW: invalid betas\[1\] -0.1/],
    ["negative eps", () => new optim.Adam(p(), { eps: -1e-8 }), /Adam: invalid eps -1e-8/],
    ["negative weight decay", () => new optim.AdamW(p(), { weightDecay: -0.1 }), /AdamW: invalid weightDecay -0.1/],
    ["RMSprop negative alpha", () => new optim.RMSprop(p(), { alpha: -0.5 }), /RMSprop: invalid alpha -0.5/],
    ["empty params", () => new optim.SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/],
    ["duplicate param", () => { const x = zeros([2], f64); return new optim.SGD([x, x], { lr: 0.1 }); }, /more than one group or twice/],
    ["unknown group key", () => new optim.SGD([{ params: p(), lr: 0.1, lrr: 1 } as never], { lr: 0.1 }), /unknown hyperparameter "lrr" in param group 0/],
    ["a non-tensor in group 1", () => new optim.SGD([{ params: p() }, { params: [p()[0]!, 3 as never] }], { lr: 0.1 }), /SGD: group 1 parameter 1 is not a Tensor \(got number\)/],
    ["a single tensor as params", () => new optim.SGD(zeros([2], f64) as never, { lr: 0.1 }), /SGD: params must be an iterable .* single Tensor/],
    ["no options at all", () => new optim.SGD(p(), undefined as never), /SGD: invalid lr undefined/],
    ["three betas", () => new optim.Adam(p(), { betas: [0.9, 0.99, 0.5] as never }), /Adam: invalid betas \[0.9,0.99,0.5\]; expected a pair/],
    ["betas not an array", () => new optim.Adam(p(), { betas: 0.9 as never }), /Adam: invalid betas 0.9/],
  ];
  for (const [name, fn, re] of bad) {
    it(`rejects ${name}`, () => assert.throws(fn, (e: unknown) => e instanceof optim.OptimizerError && e instanceof ValueError && re.test(e.message)));
  }
  it("rejects int32 and non-leaf parameters", () => {
    assert.throws(() => new optim.SGD([tensor([1, 2], { dtype: "int32" })], { lr: 0.1 }), DTypeError);
    const x = zeros([2], f64);
    assert.throws(() => new optim.SGD([x.mul(2)], { lr: 0.1 }), /non-leaf/);
  });
  it("defaults match PyTorch", () => {
    const a = new optim.Adam(p());
    assert.deepEqual({ ...a.defaults }, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    assert.equal(new optim.AdamW(p()).defaults.weightDecay, 1e-2);
    assert.deepEqual({ ...new optim.RMSprop(p()).defaults }, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false });
  });
});

describe("param groups and steps", () => {
  it("per-group lr is writable and used on the next step", () => {
    const a = tensor([1, 1], f64), b = tensor([1], f64);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
    assert.equal(opt.paramGroups[1]!.lr, 0.5);
    setGrad(a, [1, 2]); setGrad(b, [1]);
    opt.step();
    assert.deepEqual([...a.data], [0.9, 0.8]);
    assert.deepEqual([...b.data], [0.5]);
    opt.paramGroups[0]!.lr = 1;
    opt.step();
    assert.ok(Math.abs(a.data[0]! - -0.1) < 1e-15 && Math.abs(a.data[1]! - -1.2) < 1e-15);
  });

  it("a negative lr written into a group is rejected at step time, changing nothing", () => {
    const a = tensor([1], f64);
    const opt = new optim.SGD([a], { lr: 0.1 });
    setGrad(a, [1]);
    opt.paramGroups[0]!.lr = -1;
    assert.throws(() => opt.step(), /SGD: invalid lr -1/);
    assert.equal(a.item(), 1);
  });

  it("skips parameters whose grad is null (no state created)", () => {
    const a = tensor([1], f64), b = tensor([1], f64);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    setGrad(a, [1]);
    opt.step();
    assert.equal(b.item(), 1);
    assert.equal(opt.getState(b), undefined);
    assert.equal(opt.getState(a)!.step, 1);
  });

  it("a wrong-shaped or wrong-dtype grad is refused when assigned, so the step never sees it", () => {
    const a = tensor([1, 2], f64), b = tensor([3, 4], f64);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    setGrad(a, [1, 1]); setGrad(b, [1, 1]);
    opt.step();
    const aBefore = [...a.data];
    assert.throws(() => { b.grad = tensor([1, 1, 1], { dtype: "float64" }); },
      (e: unknown) => e instanceof ShapeError && /grad: assigned grad has shape \[3\], but the tensor has shape \[2\]/.test((e as Error).message));
    assert.throws(() => { b.grad = tensor([1, 1], { dtype: "float32" }); }, DTypeError);
    assert.deepEqual([...b.grad!.data], [1, 1]);
    assert.deepEqual([...a.data], aBefore);
    assert.deepEqual(opt.getState(a)!.step, 1);
  });

  it("zeroGrad sets grads to null by default, or fills zeros", () => {
    const a = tensor([1, 2], f64);
    const opt = new optim.SGD([a], { lr: 0.1 });
    setGrad(a, [3, 4]);
    const g = a.grad!;
    opt.zeroGrad({ setToNone: false });
    assert.equal(a.grad, g);
    assert.deepEqual([...g.data], [0, 0]);
    opt.zeroGrad();
    assert.equal(a.grad, null);
  });

  it("step(closure) evaluates the loss and returns it", () => {
    const w = tensor([3], f64);
    const opt = new optim.SGD([w], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(w).sum();
      l.backward();
      return l;
    }) as Tensor;
    assert.equal(loss.item(), 9);
    assert.equal(w.item(), 3 - 0.25 * 6);
  });
});

describe("optimizer stateDict", () => {
  function run(opt: optim.Optimizer, ps: Tensor[], steps: number, k: number): void {
    for (let s = 0; s < steps; s++) {
      ps.forEach((p, i) => setGrad(p, [...p.data].map((v, j) => Math.sin(v * (i + 1) + j + s + k))));
      opt.step();
    }
  }
  for (const make of [
    (ps: Tensor[]) => new optim.Adam([{ params: [ps[0]!] }, { params: [ps[1]!], lr: 0.02 }], { lr: 0.05, amsgrad: true }),
    (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }),
    (ps: Tensor[]) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true }),
  ]) {
    it(`round trip continues identically (${make.toString().slice(20, 45)}...)`, () => {
      const ps1 = [tensor([0.5, -1, 2], f64), tensor([0.1, 0.2], f64)];
      const o1 = make(ps1);
      run(o1, ps1, 5, 0);
      const sd = o1.stateDict();
      const ps2 = ps1.map((p) => tensor([...p.data], f64));
      // Load into a fresh optimizer over copies of the parameters.
      const o3 = make(ps2);
      o3.loadStateDict(sd);
      run(o1, ps1, 5, 1);
      run(o3, ps2, 5, 1);
      ps1.forEach((p, i) => assert.deepEqual([...ps2[i]!.data], [...p.data]));
      // The saved dict is a copy: later steps did not change it.
      assert.equal(sd.state[0]!.step, 5);
    });
  }

  it("rejects a saved group whose param ids repeat", () => {
    const a = tensor([1], f64), b = tensor([2], f64);
    const opt = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    const sd = opt.stateDict();
    sd.paramGroups[0]!.params = [0, 0];
    assert.throws(() => opt.loadStateDict(sd), /group 0 param id 0 is not an integer or is used twice/);
  });

  it("restored buffers take the parameter's dtype", () => {
    const a = tensor([1, 2], { dtype: "float32", requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    opt.loadStateDict({ state: { 0: { step: 1, buffers: { momentumBuffer: tensor([0.5, -1], { dtype: "float64" }) } } }, paramGroups: opt.stateDict().paramGroups });
    const buf = opt.getState(a)!.buffers["momentumBuffer"]!;
    assert.equal(buf.dtype, "float32");
    assert.deepEqual([...buf.data], [0.5, -1]);
  });

  it("saves group hyperparameters with params as indices and restores them", () => {
    const a = tensor([1], f64), b = tensor([2], f64);
    const opt = new optim.AdamW([{ params: [a] }, { params: [b], lr: 0.3 }], { lr: 0.1 });
    const sd = opt.stateDict();
    assert.deepEqual(sd.paramGroups.map((g) => [g["lr"], g.params]), [[0.1, [0]], [0.3, [1]]]);
    opt.paramGroups[1]!.lr = 0.9;
    opt.loadStateDict(sd);
    assert.equal(opt.paramGroups[1]!.lr, 0.3);
  });

  it("invalid dicts throw before anything changes", () => {
    const a = tensor([1, 2], f64);
    const opt = new optim.Adam([a], { lr: 0.1 });
    setGrad(a, [1, 1]);
    opt.step();
    const good = opt.stateDict();
    const stateBefore = JSON.stringify([...opt.getState(a)!.buffers["expAvg"]!.data]);
    const bad1 = { ...good, paramGroups: [{ ...good.paramGroups[0]!, lr: 0.5, betas: [2, 0.9] }] } as unknown as optim.OptimizerStateDict;
    assert.throws(() => opt.loadStateDict(bad1), /invalid betas\[0\] 2/);
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
    const bad2 = { ...good, state: { 0: { step: 3, buffers: { expAvg: zeros([3], f64), expAvgSq: zeros([2], f64) } } } };
    assert.throws(() => opt.loadStateDict(bad2), /buffer "expAvg" of parameter 0 has shape \[3\], expected \[2\]/);
    const bad3 = { ...good, state: { 5: good.state[0]! } };
    assert.throws(() => opt.loadStateDict(bad3), /refers to parameter 5/);
    const bad4 = { ...good, paramGroups: [...good.paramGroups, ...good.paramGroups] };
    assert.throws(() => opt.loadStateDict(bad4), /2 param groups, this optimizer has 1/);
    const bad5 = { ...good, state: { 0: { step: 3, buffers: { expAvg: [0, 0], expAvgSq: zeros([2], f64) } } } } as unknown as optim.OptimizerStateDict;
    assert.throws(() => opt.loadStateDict(bad5), (e: unknown) => e instanceof optim.OptimizerError && /buffer "expAvg" of parameter 0 is not a Tensor/.test(e.message));
    const bad6 = { ...good, state: { 0: { step: 3, buffers: { expAvg: zeros([2], f64) } } } };
    assert.throws(() => opt.loadStateDict(bad6), /state of parameter 0 lacks buffer\(s\) expAvgSq/);
    const bad7 = { ...good, state: { 0: { step: 3, buffers: null } } } as unknown as optim.OptimizerStateDict;
    assert.throws(() => opt.loadStateDict(bad7), (e: unknown) => e instanceof optim.OptimizerError && /needs a non-negative integer step and a buffers object, got step 3/.test(e.message));
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
    assert.equal(JSON.stringify([...opt.getState(a)!.buffers["expAvg"]!.data]), stateBefore);
  });
});
