// The gradient buffer pool: the engine recycles only storage a backward rule allocated and the
// engine holds the last reference to. Pool on and pool off give bit-identical gradients for GPT
// and Llama training steps (checkpointing, dropout, accumulation, retainGraph, hooks, nested
// backward), also with poisoned buffers (every uninitialised or recycled array filled with NaN);
// hook-captured, retained and leaf gradients keep their values while later steps reuse buffers;
// a warm GPT step allocates a small fraction of a cold one's bytes.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { Generator, Tensor, autograd, checkpoint, manualSeed, optim, randint, randn, tensor } from "../../src/index.js";
import { record } from "../../src/autograd/record.js";
import { dropout } from "../../src/nn/functional/dropout.js";
import { GPT, type GPTCheckpointing, Llama } from "../../src/models/index.js";
import {
  allocateUninit, clearPool, isPoolEnabled, poolStats, release, resetPoolStats, setPoolEnabled, setPoolPoison,
} from "../../src/util/buffer_pool.js";
import { BFloat16Bits, Float16Bits } from "../../src/util/dtype.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

/** A graph with shared gradients (x used twice, add passing g to both inputs, views). */
function loss(x: Tensor, w: Tensor): Tensor {
  const h = x.matmul(w).add(x.matmul(w)).tanh(); // add's backward hands one gradient to both
  const r = h.reshape([-1]).mul(h.reshape([-1])); // reshape backward returns views of g
  return r.sum().add(h.sum());
}

function grads(x: Tensor, w: Tensor): number[][] {
  x.grad = null;
  w.grad = null;
  loss(x, w).backward();
  return [[...x.grad!.data], [...w.grad!.data]];
}

/** Run `f` with the pool on or off (and poisoned or not), from an empty pool; restores the defaults. */
function withPool<T>(on: boolean, f: () => T, poison = false): T {
  setPoolEnabled(on);
  setPoolPoison(poison);
  clearPool();
  try {
    return f();
  } finally {
    setPoolPoison(false);
    setPoolEnabled(true);
  }
}

function assertBitIdentical(a: Float64Array[][], b: Float64Array[][], what: string): void {
  assert.equal(b.length, a.length);
  a.forEach((step, s) => step.forEach((g, i) => {
    const h = b[s]![i]!;
    assert.equal(h.length, g.length);
    for (let j = 0; j < g.length; j++) {
      if (!Object.is(g[j], h[j])) assert.fail(`${what}: step ${s}, parameter #${i}, element ${j}: ${g[j]} vs ${h[j]}`);
      if (!Number.isFinite(g[j]!)) assert.fail(`${what}: step ${s}, parameter #${i}, element ${j} is ${g[j]}`);
    }
  }));
}

const B = 4, T = 32, V = 65;
const data = (seed: number): [Tensor, Tensor] => {
  const g = new Generator(seed);
  const ids = () => tensor(Int32Array.from({ length: B * T }, () => g.randint(0, V)), { shape: [B, T], dtype: "int32" });
  return [ids(), ids()];
};

/**
 * Three AdamW steps of a small GPT (two micro-batches each when `accumulate`); the gradients of
 * every step, as float64 copies.
 */
function gptSteps(checkpointing: GPTCheckpointing, dropout: number, accumulate = false): Float64Array[][] {
  manualSeed(0);
  const model = new GPT({ vocabSize: V, blockSize: T, nLayer: 2, nHead: 2, nEmbd: 64, dropout, checkpointing },
    { generator: new Generator(0), dropoutGenerator: new Generator(7) });
  const batches = [data(1), data(2)];
  const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3 });
  const out: Float64Array[][] = [];
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    for (const [x, y] of accumulate ? batches : batches.slice(0, 1)) model.forward(x, y).loss!.backward();
    out.push(model.parameters().map((p) => Float64Array.from(p.grad!.data)));
    opt.step();
  }
  return out;
}

describe("gradient buffer pool", () => {
  before(() => setPoolEnabled(true));
  afterEach(() => setPoolPoison(false));
  after(() => setPoolEnabled(true));

  it("is on by default", () => {
    assert.equal(isPoolEnabled(), true);
  });

  it("repeated steps give identical gradients while buffers are reused", () => {
    manualSeed(5);
    clearPool();
    const x = randn([64, 32], f64), w = randn([32, 48], f64);
    const first = grads(x, w);
    resetPoolStats();
    for (let i = 0; i < 3; i++) assert.deepEqual(grads(x, w), first);
    assert.ok(poolStats().reused > 0, "a second backward reuses pooled buffers");
  });

  it("keeps float16, bfloat16, bool and int32 arrays of one length in separate buckets", () => {
    clearPool();
    const n = 4096; // 8 KiB of 16-bit values, 4 KiB of bool: both pooled
    const h = new Float16Bits(n), bf = new BFloat16Bits(n), b = new Uint8Array(n), i = new Int32Array(n);
    release(h); release(bf); release(b); release(i);
    assert.equal(poolStats().pooledBytes, 2 * n * 2 + n + 4 * n);
    assert.equal(allocateUninit("int32", n), i);
    assert.equal(allocateUninit("bfloat16", n), bf);
    assert.equal(allocateUninit("bool", n), b);
    const h2 = allocateUninit("float16", n);
    assert.equal(h2, h);
    assert.ok(h2 instanceof Float16Bits);
    assert.notEqual(allocateUninit("float16", n), h, "handed out once");
    assert.equal(poolStats().pooledBytes, 0);
    release(h);
    release(h); // a second release of the same array is refused
    assert.equal(poolStats().pooledBytes, 2 * n);
  });

  it("poison mode fills what it hands out and what is given back with NaN", () => {
    clearPool();
    setPoolPoison(true);
    const a = allocateUninit("float32", 2048) as Float32Array;
    assert.ok(Number.isNaN(a[0]) && Number.isNaN(a[2047]));
    a.fill(1);
    release(a);
    assert.ok(Number.isNaN(a[5]!), "a reference that outlives its release reads NaN");
  });

  for (const checkpointing of ["none", "blocks"] as const) {
    for (const dropout of [0, 0.1]) {
      it(`GPT steps: pool on, off and poisoned give bit-identical gradients (checkpointing "${checkpointing}", dropout ${dropout})`, () => {
        const off = withPool(false, () => gptSteps(checkpointing, dropout));
        assertBitIdentical(off, withPool(true, () => gptSteps(checkpointing, dropout)), "pool on");
        assertBitIdentical(off, withPool(true, () => gptSteps(checkpointing, dropout), true), "pool on, poisoned");
      });
    }
  }

  it("GPT gradient accumulation over two micro-batches: pool on and off bit-identical (checkpointing on)", () => {
    const off = withPool(false, () => gptSteps("blocks", 0.1, true));
    assertBitIdentical(off, withPool(true, () => gptSteps("blocks", 0.1, true), true), "pool on, poisoned");
  });

  it("Llama steps, plain and under one checkpoint() around the whole forward: pool on and off bit-identical", () => {
    const run = (ckpt: boolean): Float64Array[][] => {
      manualSeed(1);
      const model = new Llama({ vocabSize: V, blockSize: T, nLayer: 2, nHead: 4, nKvHeads: 2, nEmbd: 64, intermediateSize: 96, dropout: 0.1 },
        { generator: new Generator(2), dropoutGenerator: new Generator(9) });
      const [x, y] = data(3);
      const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
      const out: Float64Array[][] = [];
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        const l = ckpt ? checkpoint(() => model.forward(x, y).loss!, { generators: [] }) : model.forward(x, y).loss!;
        l.backward();
        out.push(model.parameters().map((p) => Float64Array.from(p.grad!.data)));
        opt.step();
      }
      return out;
    };
    for (const ckpt of [false, true]) {
      const off = withPool(false, () => run(ckpt));
      assertBitIdentical(off, withPool(true, () => run(ckpt), true), `checkpoint ${ckpt}`);
    }
  });

  it("retainGraph, hooks (capturing and replacing), retainGrad and a custom op keeping its gradient, inside and outside checkpoint()", () => {
    const run = (): { grads: number[][]; kept: number[][]; later: number[][] } => {
      manualSeed(4);
      const x = randn([32, 64], f64), w = randn([64, 64], f64), w2 = randn([64, 64], f64);
      const kept: Tensor[] = [];
      // A custom op (public autograd.record) whose rule stashes the gradient it sees and returns.
      const stash = (t: Tensor): Tensor => autograd.record("stash", [t], t.mul(1), (g) => {
        const r = g.mul(3);
        kept.push(g, r);
        return [r];
      });
      const inner = (a: Tensor): Tensor => {
        const h = a.matmul(w).tanh();
        if (h.requiresGrad) h.registerHook((g: Tensor) => { kept.push(g); }); // captures (not in checkpoint's first, no-grad run)
        const u = stash(h.matmul(w2));
        if (u.requiresGrad) u.registerHook((g: Tensor) => { const r = g.mul(2); kept.push(r); return r; }); // replaces and keeps
        return u.sin();
      };
      const h0 = x.matmul(w2);
      h0.retainGrad();
      const y = checkpoint(inner, h0).add(inner(h0).mul(0.5));
      const l = y.mul(y).sum();
      l.backward(undefined, { retainGraph: true });
      l.backward(); // again: accumulates into .grad
      const grads = [[...x.grad!.data], [...w.grad!.data], [...w2.grad!.data], [...h0.grad!.data]];
      const snapshot = kept.map((t) => [...t.data]);
      for (let i = 0; i < 3; i++) grads0(); // churn the pool
      return { grads, kept: snapshot, later: kept.map((t) => [...t.data]) };
    };
    const grads0 = (): void => {
      const a = randn([64, 64], f64), b = randn([64, 64], f64);
      grads(a, b);
    };
    const off = withPool(false, run);
    for (const poison of [false, true]) {
      const on = withPool(true, run, poison);
      assert.deepEqual(on.grads, off.grads);
      assert.deepEqual(on.kept, off.kept);
      assert.deepEqual(on.later, on.kept, "what hooks and rules kept is never recycled");
    }
  });

  it("a node's private storage goes back to the pool when backward releases the node, not before (retainGraph)", () => {
    clearPool();
    const x = randn([4], f64);
    const priv = new Tensor(Float64Array.from({ length: 4096 }, (_, i) => i % 3), [4096]); // 32 KiB: pooled
    const y = record("scaleByPrivate", [x], x.mul(2).detach(), (g) => [g.mul(priv.data[1]! * 2)], { privates: [priv] });
    const l = y.sum();
    l.backward(undefined, { retainGraph: true });
    assert.notEqual(allocateUninit("float64", 4096), priv.data, "still held for the second backward");
    l.backward();
    assert.deepEqual([...x.grad!.data], [4, 4, 4, 4]);
    assert.equal(allocateUninit("float64", 4096), priv.data, "released with the node");
  });

  it("dropout's mask is recycled: a second identical step allocates no new mask (poisoned, gradients unchanged)", () => {
    const run = (): { grad: number[]; fresh: number } => {
      manualSeed(3);
      const x = randn([64, 64], f64);
      const bytes: number[] = [];
      let grad: number[] = [];
      for (let s = 0; s < 3; s++) {
        x.grad = null;
        resetPoolStats();
        const gen = new Generator(5);
        dropout(x, 0.5, true, { generator: gen }).mul(x).sum().backward();
        bytes.push(poolStats().allocatedBytes);
        grad = [...x.grad!.data];
      }
      return { grad, fresh: bytes[2]! };
    };
    const off = withPool(false, run), on = withPool(true, run, true);
    assert.deepEqual(on.grad, off.grad);
    // On, what is new each step is the two forward outputs (handed to the caller, never provably
    // free) and the new .grad; the mask and every backward temporary come from the pool.
    const buf = 64 * 64 * 8;
    assert.ok(on.fresh <= 3 * buf + 1024, `${on.fresh} B fresh per step with the pool, ${off.fresh} B without`);
    assert.ok(off.fresh >= 7 * buf, `${off.fresh} B fresh per step without the pool`);
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

  it("a user-supplied upstream gradient passed through views is copied into .grad, never recycled", () => {
    const x = randn([64, 64], f64);
    const seed = randn([64 * 64], { dtype: "float64" });
    const before = [...seed.data];
    x.reshape([-1]).backward(seed);
    assert.notEqual(x.grad!.data.buffer, seed.data.buffer);
    for (let i = 0; i < 3; i++) grads(randn([64, 64], f64), randn([64, 64], f64));
    assert.deepEqual([...seed.data], before);
    assert.deepEqual([...x.grad!.data], before);
  });

  it("a warm GPT training step allocates under 60 % of the bytes it allocates with the pool off", () => {
    // Bytes of storage allocated by each of four AdamW steps (dropout on: masks are recycled too).
    const stepBytes = (): number[] => {
      manualSeed(0);
      const model = new GPT({ vocabSize: V, blockSize: T, nLayer: 2, nHead: 2, nEmbd: 64, dropout: 0.1 }, { generator: new Generator(0) });
      const [x, y] = data(1);
      const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3 });
      const bytes: number[] = [];
      for (let s = 0; s < 4; s++) {
        resetPoolStats();
        opt.zeroGrad();
        model.forward(x, y).loss!.backward();
        opt.step();
        bytes.push(poolStats().allocatedBytes);
      }
      return bytes;
    };
    const off = withPool(false, stepBytes), on = withPool(true, stepBytes);
    assert.ok(off[3]! > 4 * 2 ** 20, `a step allocates activations and gradients (${off[3]} B with the pool off)`);
    assert.ok(on[0]! < off[0]!, "even a cold step reuses gradients its own backward freed");
    assert.ok(on[3]! < on[0]!, "a warm step reuses what the previous step gave back");
    // What remains is the forward activations (handed to the caller, so never provably free) and
    // the first gradient of each parameter (kept as its .grad).
    assert.ok(on[3]! < 0.6 * off[3]!, `warm step ${on[3]} B with the pool, ${off[3]} B without`);
  });
});

describe("pool statistics", () => {
  it("count every storage allocation, pooled path or not", () => {
    resetPoolStats();
    randint(0, 5, [1000]);
    assert.ok(poolStats().allocatedBytes >= 4000);
  });
});
