// checkpoint(fn, ...inputs): gradients equal (bit for bit) to running fn directly, with dropout
// on, nested, with several outputs, with parameters and surrounding-graph tensors closed over;
// the activations inside are not held; misuse throws typed errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Tensor, ValueError, autograd, checkpoint, gradcheck, manualSeed, noGrad, randn, Generator } from "../../src/index.js";
import { dropout } from "../../src/nn/functional/dropout.js";

const f64 = { dtype: "float64", requiresGrad: true } as const;
const data = (t: Tensor | null): number[] => Array.from(t!.data);

/** Run `loss(params)` once, returning each parameter's gradient (cleared first). */
function grads(params: readonly Tensor[], loss: () => Tensor): number[][] {
  for (const p of params) p.grad = null;
  loss().backward();
  return params.map((p) => data(p.grad));
}

describe("checkpoint", () => {
  manualSeed(0);
  const x = randn([4, 6], f64);
  const w1 = randn([6, 6], f64), w2 = randn([6, 3], f64);
  const block = (h: Tensor): Tensor => dropout(h.matmul(w1).gelu(), 0.5).matmul(w2).tanh();

  it("gives the same gradients as the direct call, bit for bit, with dropout on", () => {
    manualSeed(7);
    const plain = grads([x, w1, w2], () => block(x).pow(2).sum());
    const afterPlain = data(randn([3]));
    manualSeed(7);
    const ckpt = grads([x, w1, w2], () => checkpoint(block, x).pow(2).sum());
    const afterCkpt = data(randn([3]));
    assert.deepEqual(ckpt, plain);
    assert.deepEqual(afterCkpt, afterPlain); // the recomputation leaves the global RNG where it was
  });

  it("without preserveRngState the recomputed dropout masks differ", () => {
    manualSeed(7);
    const plain = grads([x, w1, w2], () => block(x).pow(2).sum());
    manualSeed(7);
    const ckpt = grads([x, w1, w2], () => checkpoint(block, x, { preserveRngState: false }).pow(2).sum());
    assert.notDeepEqual(ckpt[1], plain[1]);
  });

  it("restores extra generators given in `generators`", () => {
    const gen = new Generator(3);
    const f = (h: Tensor): Tensor => dropout(h.matmul(w1), 0.3, true, { generator: gen }).sum(1);
    gen.setState(new Generator(3).getState());
    const plain = grads([x, w1], () => f(x).exp().sum());
    gen.setState(new Generator(3).getState());
    const ckpt = grads([x, w1], () => checkpoint(f, x, { generators: [gen] }).exp().sum());
    assert.deepEqual(ckpt, plain);
  });

  it("nests", () => {
    manualSeed(1);
    const plain = grads([x, w1, w2], () => block(block(x).matmul(w2.transpose(0, 1))).sum());
    manualSeed(1);
    const ckpt = grads([x, w1, w2], () =>
      checkpoint((h: Tensor) => checkpoint(block, checkpoint(block, h).matmul(w2.transpose(0, 1))), x).sum());
    assert.deepEqual(ckpt, plain);
  });

  it("handles several outputs, used or not", () => {
    const two = (h: Tensor): Tensor[] => [h.matmul(w1).sin(), h.matmul(w2).exp()];
    const plain = grads([x, w1, w2], () => { const [a, b] = two(x); return a!.sum().add(b!.mul(b!).sum()); });
    const ckpt = grads([x, w1, w2], () => { const [a, b] = checkpoint(two, x); return a!.sum().add(b!.mul(b!).sum()); });
    assert.deepEqual(ckpt, plain);
    w2.grad = null;
    const onlyFirst = grads([x, w1], () => checkpoint(two, x)[0]!.sum());
    assert.equal(w2.grad, null); // the unused output's weight gets no gradient
    assert.deepEqual(onlyFirst, grads([x, w1], () => two(x)[0]!.sum()));
  });

  it("parameters closed over get gradients even when no input requires grad", () => {
    const c = x.detach();
    manualSeed(4);
    const plain = grads([w1, w2], () => block(c).sum());
    manualSeed(4);
    const ckpt = grads([w1, w2], () => checkpoint(block, c).sum());
    assert.deepEqual(ckpt, plain);
  });

  it("tensors of the surrounding graph closed over send their gradient back into it", () => {
    const f = (h: Tensor, other: Tensor): Tensor => h.mul(other).sum(1);
    const plain = grads([x, w1], () => { const hid = x.matmul(w1); return f(x, hid).pow(2).sum(); });
    const ckpt = grads([x, w1], () => { const hid = x.matmul(w1); return checkpoint((h: Tensor) => f(h, hid), x).pow(2).sum(); });
    assert.deepEqual(ckpt, plain);
  });

  it("passes gradcheck", () => {
    assert.ok(gradcheck((a: Tensor, b: Tensor) => checkpoint((p: Tensor, q: Tensor) => p.matmul(q).tanh(), a, b).sum(), [randn([3, 4], f64), randn([4, 2], f64)]));
  });

  it("holds only the inputs during forward, and frees everything in backward", () => {
    manualSeed(2);
    const base = autograd.memoryStats().liveBytes;
    const out = checkpoint(block, x);
    assert.equal(autograd.memoryStats().liveBytes - base, 0); // x is a leaf that requires grad: not counted
    const h = x.exp(); // a non-leaf input is held: 4 * 6 * 8 bytes
    const base2 = autograd.memoryStats().liveBytes;
    const out2 = checkpoint(block, h);
    assert.equal(autograd.memoryStats().liveBytes - base2, 0); // h was already held by exp
    const direct = block(h);
    assert.ok(autograd.memoryStats().liveBytes - base2 > 4 * 6 * 8 * 3);
    out.sum().add(out2.sum()).add(direct.sum()).backward();
    assert.equal(autograd.memoryStats().liveBytes, base);
  });

  it("works twice with retainGraph (recomputing each time)", () => {
    manualSeed(5);
    x.grad = null;
    const l = checkpoint(block, x).sum();
    l.backward(undefined, { retainGraph: true });
    const once = data(x.grad);
    l.backward();
    assert.deepEqual(data(x.grad), once.map((v) => v + v));
  });

  it("under noGrad it is a plain call; misuse is a ValueError", () => {
    const r = noGrad(() => checkpoint(block, x));
    assert.equal(r.requiresGrad, false);
    assert.throws(() => checkpoint(42 as unknown as () => Tensor, x), ValueError);
    assert.throws(() => checkpoint(block, 3 as unknown as Tensor), /checkpoint: input #0 must be a Tensor/);
    assert.throws(() => checkpoint(block, x, { preserveRNG: true } as never), /checkpoint: unknown option 'preserveRNG'/);
    assert.throws(() => checkpoint((() => 5) as unknown as () => Tensor, x), /checkpoint: fn must return a Tensor or an array/);
  });
});
