// The gradient buffer pool: the engine recycles only storage it allocated during backward and
// holds the last reference to. Captured hook gradients, retained grads and leaf grads must keep
// their values while later steps reuse pooled buffers; a second step reuses buffers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { manualSeed, randn, type Tensor } from "../../src/index.js";
import { clearPool, poolStats, resetPoolStats, setPoolEnabled } from "../../src/util/buffer_pool.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

/** A graph with shared gradients (x used twice, add passing g to both inputs, views). */
function loss(x: Tensor, w: Tensor): Tensor {
  const h = x.matmul(w).add(x.matmul(w)).tanh();       // add's backward hands one gradient to both
  const r = h.reshape([-1]).mul(h.reshape([-1]));     // reshape backward returns views of g
  return r.sum().add(h.sum());
}

function grads(x: Tensor, w: Tensor): number[][] {
  x.grad = null; w.grad = null;
  loss(x, w).backward();
  return [[...x.grad!.data], [...w.grad!.data]];
}

describe("gradient buffer pool", () => {
  // The pool is off by default (see buffer_pool.ts); these tests turn it on.
  before(() => setPoolEnabled(true));
  after(() => setPoolEnabled(false));
  it("repeated steps give identical gradients while buffers are reused", () => {
    manualSeed(5);
    clearPool();
    const x = randn([64, 32], f64), w = randn([32, 48], f64);
    const first = grads(x, w);
    resetPoolStats();
    for (let i = 0; i < 3; i++) assert.deepEqual(grads(x, w), first);
    assert.ok(poolStats().reused > 0, "a second backward reuses pooled buffers");
  });

  it("a gradient seen by a hook, a retained grad and a leaf grad keep their values", () => {
    manualSeed(6);
    const x = randn([64, 32], f64), w = randn([32, 48], f64);
    let seen: Tensor | null = null;
    const h = x.matmul(w);
    h.retainGrad();
    const y = h.tanh();
    y.registerHook((g: Tensor) => { seen = g; });
    y.mul(y).sum().backward();
    const snapshot = [...seen!.data];
    const leaf = [...w.grad!.data];
    const retained = [...h.grad!.data];
    for (let i = 0; i < 3; i++) grads(x, w); // churn the pool
    assert.deepEqual([...seen!.data], snapshot);
    assert.deepEqual([...h.grad!.data], retained);
    w.grad = null;
    x.grad = null;
    const y2 = x.matmul(w).tanh();
    y2.mul(y2).sum().backward();
    assert.deepEqual([...w.grad!.data], leaf);
  });
});
