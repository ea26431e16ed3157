// GPT with checkpointing: "blocks": the same loss and bit-identical gradients as "none" (dropout
// on), and on an 8-layer model the peak saved-activation bytes of a training step fall >= 3x.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Generator, type Tensor, autograd, manualSeed, randint } from "../../src/index.js";
import { GPT, type GPTCheckpointing, ModelConfigError, validateGPTConfig } from "../../src/models/index.js";

const config = { vocabSize: 32, blockSize: 16, nLayer: 8, nHead: 4, nEmbd: 32, dropout: 0.1 };

function step(checkpointing: GPTCheckpointing, dtype: "float32" | "float64"): { loss: number; grads: Float64Array[] | Float32Array[]; peak: number } {
  manualSeed(11);
  const model = new GPT({ ...config, checkpointing }, { dtype, generator: new Generator(3) });
  const idx = randint(0, 32, [2, 16]), targets = randint(0, 32, [2, 16]);
  const base = autograd.memoryStats().liveBytes;
  autograd.resetPeak();
  const { loss } = model.forward(idx, targets);
  (loss as Tensor).backward();
  const peak = autograd.memoryStats().peakBytes - base;
  assert.equal(autograd.memoryStats().liveBytes, base); // everything freed
  return { loss: (loss as Tensor).item(), grads: model.parameters().map((p) => p.grad!.data) as Float64Array[], peak };
}

describe("GPT checkpointing", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`"blocks" gives the same loss and bit-identical gradients as "none" (dropout 0.1, ${dtype})`, () => {
      const a = step("none", dtype), b = step("blocks", dtype);
      assert.equal(b.loss, a.loss);
      assert.equal(b.grads.length, a.grads.length);
      b.grads.forEach((g, i) => assert.deepEqual(g, a.grads[i], `parameter #${i}`));
    });
  }

  it("cuts the peak saved-activation bytes of an 8-layer step by at least 3x", () => {
    const none = step("none", "float32"), blocks = step("blocks", "float32");
    assert.ok(none.peak / blocks.peak >= 3, `none ${none.peak} B, blocks ${blocks.peak} B: ratio ${(none.peak / blocks.peak).toFixed(2)}`);
  });

  it("validates the option", () => {
    assert.equal(validateGPTConfig({ checkpointing: "blocks" }).checkpointing, "blocks");
    assert.equal(validateGPTConfig({}).checkpointing, undefined);
    assert.throws(() => validateGPTConfig({ checkpointing: "layers" as GPTCheckpointing }), ModelConfigError);
    assert.throws(() => validateGPTConfig({ checkpointing: "layers" as GPTCheckpointing }), /config\.checkpointing must be "none" or "blocks", got "layers"/);
  });
});
