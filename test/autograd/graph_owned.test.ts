// Graph-owned temporaries (autograd/saved_memory.ts markGraphOwned): storage that library code
// promises only graph nodes refer to goes back to the buffer pool once backward has freed the
// last node saving it; never while a node (or a view of it) still holds it, never under
// retainGraph, and GPT's and MLP's forwards mark their activations only with stock layers.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Generator, Tensor, manualSeed, tensor } from "../../src/index.js";
import { markGraphOwned, recycleUnsaved } from "../../src/autograd/saved_memory.js";
import { GPT, Llama } from "../../src/models/index.js";
import { Embedding } from "../../src/nn/layers/embedding.js";
import { Linear } from "../../src/nn/layers/linear.js";
import { MLP } from "../../src/nn/layers/mlp.js";
import { ReLU } from "../../src/nn/layers/activation.js";
import { clearPool, poolStats, resetPoolStats, setPoolPoison } from "../../src/util/buffer_pool.js";

const N = 2048; // 8 KiB of float32: above the pool's minimum size

function leafVec(): Tensor {
  return tensor(Float32Array.from({ length: N }, (_, i) => (i % 7) - 3), { requiresGrad: true });
}

afterEach(() => {
  setPoolPoison(false);
  clearPool();
});

describe("markGraphOwned", () => {
  it("recycles a temporary's storage once backward freed every node saving it", () => {
    clearPool();
    setPoolPoison(true); // storage given back reads NaN
    const x = leafVec();
    const t = markGraphOwned(x.mul(2)); // saved by both muls below
    const loss = t.mul(t).sum().add(t.mul(x).sum());
    loss.backward();
    // d/dx (4x^2 + 2x^2) = 12x: the temporary was read intact before it was recycled
    assert.deepEqual([...x.grad!.data].slice(0, 7), [-3, -2, -1, 0, 1, 2, 3].map((v) => 12 * v));
    assert.ok(inPool(t), "the temporary's storage went back to the pool");
  });

  it("keeps the storage while a retained node still saves it", () => {
    clearPool();
    setPoolPoison(true); // a recycled buffer would read NaN
    const x = leafVec();
    const t = markGraphOwned(x.mul(2));
    const a = t.mul(t).sum();
    const b = t.mul(x).sum();
    a.backward(undefined, { retainGraph: true }); // a's nodes keep t
    b.backward(); // frees t's producer and b's nodes, not a's
    assert.ok(!inPool(t), "a retained node still holds the temporary");
    assert.deepEqual([...x.grad!.data].slice(0, 3), [-3, -2, -1].map((v) => 8 * v + 4 * v));
  });

  it("never recycles storage a sub-range view of it is saved through", () => {
    clearPool();
    setPoolPoison(true);
    const x = leafVec();
    const t = markGraphOwned(x.mul(2));
    const y = tensor([1, 2, 3, 4], { dtype: "float32", requiresGrad: true });
    const v = new Tensor(t.data.subarray(0, 4), [4]); // shares t's buffer; mul saves it as a view
    v.mul(y).sum().add(t.mul(t).sum()).backward();
    assert.deepEqual([...y.grad!.data], [-6, -4, -2, 0]);
    assert.ok(!inPool(t), "a buffer a view was saved through stays out of the pool");
  });

  it("is a no-op for a leaf", () => {
    const x = leafVec();
    assert.equal(markGraphOwned(x), x); // a leaf: nothing recycles it
    x.mul(x).sum().backward();
    assert.equal(x.data[1], -2); // untouched
  });
});

/** Whether t's storage was given back to the pool (with poison on, released storage reads NaN). */
function inPool(t: Tensor): boolean {
  return Number.isNaN(t.data[0]);
}

// Token ids (2, 16) over a 13-token vocabulary for the language-model cases below.
const idx = tensor(Int32Array.from({ length: 2 * 16 }, (_, i) => (i * 5) % 13), { shape: [2, 16], dtype: "int32" });
const targets = tensor(Int32Array.from({ length: 2 * 16 }, (_, i) => (i * 3 + 1) % 13), { shape: [2, 16], dtype: "int32" });

/** Fresh bytes a third (warm) forward allocates, after two full steps filled the pool. */
function forwardBytes(model: GPT | Llama): number {
  for (let i = 0; i < 2; i++) {
    model.zeroGrad();
    model.forward(idx, targets).loss!.backward();
  }
  model.zeroGrad();
  resetPoolStats();
  const out = model.forward(idx, targets);
  const bytes = poolStats().allocatedBytes;
  out.loss!.backward();
  return bytes;
}

/** n full steps (zeroGrad, forward, backward); the last loss. */
function trainSteps(model: GPT | Llama, n: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    model.zeroGrad();
    const out = model.forward(idx, targets);
    out.loss!.backward();
    loss = out.loss!.item();
  }
  return loss;
}

/** A Linear subclass: it might keep what it is given, so the model must not recycle around it. */
class MyLinear extends Linear {}

/** forwardBytes of a fresh stock model and of one with `swap` applied, each from an empty pool. */
function stockAndSwappedBytes<M extends GPT | Llama>(make: () => M, swap: (m: M) => void): [number, number] {
  clearPool();
  const stock = forwardBytes(make());
  clearPool();
  const custom = make();
  swap(custom);
  return [stock, forwardBytes(custom)];
}

describe("GPT activations", () => {
  const cfg = { vocabSize: 13, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 64 };

  it("a warm forward takes its saved activations from the pool; a swapped layer turns that off", () => {
    const [stock, swapped] = stockAndSwappedBytes(() => new GPT(cfg, { generator: new Generator(0) }), (custom) => {
      custom.lm_head = new MyLinear(64, 13, { bias: false }); // no model-level activation is marked
    });
    // The blocks stay stock in both (their internals are recycled either way); the model-level
    // temporaries (embedding sum, block outputs, ln_f output: (2, 16, 64) float32, 8 KiB each) are
    // only recycled in the stock model, so the swapped one takes at least one of them fresh.
    assert.ok(stock + 8192 <= swapped, `stock forward allocates ${stock} fresh bytes, swapped ${swapped}`);
  });

  it("logits the caller holds keep their values while later steps reuse the pool", () => {
    clearPool();
    setPoolPoison(true);
    const model = new GPT(cfg, { generator: new Generator(0) });
    const first = model.forward(idx, targets);
    const kept = [...first.logits.data];
    first.loss!.backward();
    for (let i = 0; i < 2; i++) {
      model.zeroGrad();
      model.forward(idx, targets).loss!.backward();
    }
    assert.deepEqual([...first.logits.data], kept);
  });
});

describe("Llama activations", () => {
  const base = { vocabSize: 13, blockSize: 16, nLayer: 2, nHead: 4, nKvHeads: 2, nEmbd: 64, multipleOf: 32 };

  it("a warm forward takes its activations from the pool; a subclassed projection turns that layer's off", () => {
    const [stock, swapped] = stockAndSwappedBytes(() => new Llama(base, { generator: new Generator(0) }), (custom) => {
      const layer = [...custom.model.layers][1]!;
      const [outF, inF] = layer.mlp.down_proj.weight.shape as [number, number];
      const mine = new MyLinear(inF, outF, { bias: false });
      mine.weight.data.set(layer.mlp.down_proj.weight.data);
      layer.mlp.down_proj = mine; // nothing in this layer or between layers is marked
    });
    // That layer's (2, 16, 64) float32 temporaries (8 KiB each) and its wider MLP ones now come fresh.
    assert.ok(stock + 4 * 8192 <= swapped, `stock forward allocates ${stock} fresh bytes, swapped ${swapped}`);
  });

  it("an embedding subclass that keeps its output keeps it intact: the embeddings are not marked then", () => {
    clearPool();
    setPoolPoison(true); // a recycled buffer would read NaN
    class KeepingEmbedding extends Embedding {
      kept: Tensor | null = null; // the last output, held for the user to inspect
      override forward(i: Tensor): Tensor {
        this.kept = super.forward(i);
        return this.kept;
      }
    }
    const model = new Llama(base, { generator: new Generator(0) });
    const mine = new KeepingEmbedding(base.vocabSize, base.nEmbd);
    mine.weight.data.set(model.model.embed_tokens.weight.data);
    model.model.embed_tokens = mine;
    trainSteps(model, 1); // forward and backward: the pool now holds what backward freed
    const held = mine.kept!;
    const values = [...held.data];
    assert.ok(values.every((v) => Number.isFinite(v)), "the kept output was given back to the pool");
    mine.kept = null;
    trainSteps(model, 1); // a later forward takes buffers from the pool
    assert.deepEqual([...held.data], values);
  });

  for (const [what, cfg] of [
    ["grouped-query heads with attention dropout", { ...base, dropout: 0.1 }],
    ["one head (the head merge is a view of attention's output)", { ...base, nHead: 1, nKvHeads: 1 }],
  ] as const) {
    it(`${what}: loss, gradients and the logits the caller holds are the same with recycling and poison on`, () => {
      const run = (poison: boolean): number[] => {
        clearPool();
        setPoolPoison(poison);
        manualSeed(7); // the same dropout masks in both runs
        const model = new Llama(cfg, { generator: new Generator(0) });
        const first = model.forward(idx, targets);
        first.loss!.backward();
        const loss = trainSteps(model, 3);
        const grads = [...model.parameters()].flatMap((p) => [...p.grad!.data.slice(0, 4)]);
        return [loss, ...first.logits.data.slice(0, 16), ...grads];
      };
      const recycled = run(true);
      assert.ok(recycled.every((v) => Number.isFinite(v)), "no poisoned (NaN) value reached a result");
      assert.deepEqual(recycled, run(false));
    });
  }
});

describe("MLP activations", () => {
  const x = tensor(Float32Array.from({ length: 16 * 64 }, (_, i) => Math.sin(i)), { shape: [16, 64] });

  function warmForwardBytes(mlp: MLP): number {
    for (let i = 0; i < 2; i++) mlp.forward(x).sum().backward();
    resetPoolStats();
    const out = mlp.forward(x);
    const bytes = poolStats().allocatedBytes;
    out.sum().backward();
    return bytes;
  }

  it("a warm forward takes its hidden activations from the pool; a custom layer turns that off", () => {
    clearPool();
    const stock = warmForwardBytes(new MLP([64, 128, 128, 8], { generator: new Generator(0) }));
    clearPool();
    class MyReLU extends ReLU {}
    const custom = warmForwardBytes(new MLP([64, 128, 128, 8], { generator: new Generator(0), activation: () => new MyReLU() }));
    // the hidden (16, 128) float32 activations are 8 KiB each; without marking, the ones the pool
    // does not happen to have (from the previous backward's gradients) are allocated fresh
    assert.ok(stock + 2 * 8192 <= custom, `stock forward allocates ${stock} fresh bytes, custom ${custom}`);
  });

  it("gradients and the output the caller holds are the same with recycling and poison on", () => {
    const run = (poison: boolean): number[] => {
      clearPool();
      setPoolPoison(poison);
      const mlp = new MLP([64, 128, 128, 8], { generator: new Generator(3), activation: "gelu" });
      let out = mlp.forward(x);
      for (let i = 0; i < 3; i++) {
        for (const p of mlp.parameters()) p.grad = null;
        out = mlp.forward(x);
        out.mul(out).sum().backward();
      }
      mlp.forward(x).sum().backward(); // reuses the pool: `out` must keep its values
      return [...out.data.slice(0, 8), ...[...mlp.parameters()][0]!.grad!.data.slice(0, 8)];
    };
    assert.deepEqual(run(true), run(false));
  });
});

describe("recycleUnsaved", () => {
  it("gives back a temporary no node saved once its consumer ran, and keeps one a node saved", () => {
    clearPool();
    setPoolPoison(true);
    const x = leafVec();
    const unsaved = markGraphOwned(x.mul(2)); // add saves neither input
    const sum = unsaved.add(x);
    recycleUnsaved(unsaved);
    assert.ok(inPool(unsaved), "nothing saved it: back in the pool");
    const saved = markGraphOwned(x.mul(3));
    const prod = saved.mul(x); // mul saves both inputs
    recycleUnsaved(saved);
    assert.ok(!inPool(saved), "a node still saves it");
    sum.sum().add(prod.sum()).backward();
    assert.deepEqual([...x.grad!.data].slice(0, 3), [-3, -2, -1].map((v) => 3 + 6 * v)); // d/dx (3x + 3x^2)
  });

  it("GPT blocks give the residual branches back at once: a warm step allocates less with them", () => {
    const cfg = { vocabSize: 13, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 64, dropout: 0.1 };
    const lossAt = (poison: boolean): number => {
      clearPool();
      setPoolPoison(poison);
      manualSeed(7); // the same dropout masks in both runs
      return trainSteps(new GPT(cfg, { generator: new Generator(0) }), 3);
    };
    assert.equal(lossAt(true), lossAt(false)); // recycled storage never feeds a later read
  });
});
