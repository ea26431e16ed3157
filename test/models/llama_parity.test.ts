// models.Llama against the self-contained PyTorch reference of HF's LLaMA structure
// (tools/torch_llama_reference.py, float64): logits, loss and the gradient of every parameter,
// with GQA (nHead 4, nKvHeads 2), RMSNorm weights away from one and an ignored target.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { tensor } from "../../src/index.js";
import { Llama, type LlamaConfig } from "../../src/models/index.js";

interface Fixture {
  config: LlamaConfig;
  B: number; T: number;
  idx: number[][]; targets: number[][];
  params: Record<string, { shape: number[]; values: number[] }>;
  logits: number[]; loss: number;
  grads: Record<string, number[]>;
}
const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_llama_reference.json", import.meta.url), "utf8")) as Fixture;

/** Largest elementwise |got - want| / |want| (entries PyTorch gives as exactly 0 must be exactly 0). */
function maxRelError(got: ArrayLike<number>, want: readonly number[]): number {
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.abs(want[i]!));
  return worst;
}

function loadModel(): Llama {
  const m = new Llama(fx.config, { dtype: "float64" });
  const sd: Record<string, ReturnType<typeof tensor>> = {};
  for (const [k, p] of Object.entries(fx.params)) sd[k] = tensor(p.values, { dtype: "float64", shape: p.shape });
  m.loadStateDict(sd);
  return m;
}

describe("Llama matches the PyTorch LLaMA reference (float64)", () => {
  it("has exactly HF LLaMA's parameter names and shapes, in HF's order", () => {
    const m = new Llama(fx.config, { dtype: "float64" });
    assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, p.shape]), Object.entries(fx.params).map(([n, p]) => [n, p.shape]));
    assert.equal(m.numParameters(), 4272);
  });

  it("logits, loss and every parameter gradient agree to 1e-9 relative", () => {
    const m = loadModel();
    const idx = tensor(fx.idx, { dtype: "int32" });
    const targets = tensor(fx.targets, { dtype: "int32" });
    const { logits, loss } = m.forward(idx, targets);
    assert.deepEqual(logits.shape, [fx.B, fx.T, fx.config.vocabSize]);
    assert.ok(maxRelError(logits.data, fx.logits) < 1e-9, `logits: ${maxRelError(logits.data, fx.logits)}`);
    assert.ok(Math.abs(loss!.item() - fx.loss) <= 1e-9 * fx.loss, `loss ${loss!.item()} vs torch ${fx.loss}`);
    loss!.backward();
    const named = new Map(m.namedParameters());
    assert.equal(named.size, Object.keys(fx.grads).length);
    for (const [name, want] of Object.entries(fx.grads)) {
      const g = named.get(name)!.grad;
      assert.ok(g, `${name} has a gradient`);
      const err = maxRelError(g.data, want);
      assert.ok(err < 1e-9, `${name}: max relative error ${err}`);
    }
  });

  it("without targets: the same logits and a null loss", () => {
    const { logits, loss } = loadModel().forward(tensor(fx.idx, { dtype: "int32" }));
    assert.equal(loss, null);
    assert.ok(maxRelError(logits.data, fx.logits) < 1e-9);
  });

  it("a shorter context gives the logits of the first positions (causal; RoPE from position 0)", () => {
    const m = loadModel();
    const T = 5, V = fx.config.vocabSize;
    const { logits } = m.forward(tensor(fx.idx.map((r) => r.slice(0, T)), { dtype: "int32" }));
    const want: number[] = [];
    for (let b = 0; b < fx.B; b++) want.push(...fx.logits.slice(b * fx.T * V, (b * fx.T + T) * V));
    assert.ok(maxRelError(logits.data, want) < 1e-9);
  });
});
