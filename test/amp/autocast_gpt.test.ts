// autocast on a whole GPT, the way the trainer runs it: the packed causal attention runs under
// autocast (half qkv through the float32 kernel), gradient checkpointing recomputes with the
// forward's autocast mode (same loss and gradients as without checkpointing), and generation
// works under autocast (sampleNext reads half logits as their float32 values).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Tensor, amp, manualSeed, models, nn, randn } from "../../src/index.js";
import { to } from "../../src/ops/cast.js";
import { withoutAutocast } from "../../src/ops/autocast.js";
import { packedCausalAttention as packedOp } from "../../src/ops/nn/attention.js";
import { sampleNext } from "../../src/models/language_model.js";

const F = nn.functional;
const CFG = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0, bias: true, tieWeights: true };
const tokens = (seed: number, n: number) => {
  const a = new Int32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) a[i] = (s = (s * 1103515245 + 12345) >>> 0) % 11;
  return a;
};

function gpt(checkpointing: "none" | "blocks"): models.GPT {
  manualSeed(5);
  return new models.GPT({ ...CFG, checkpointing });
}

const gradsOf = (m: models.GPT) => m.parameters().map((p) => Array.from(p.grad!.data as Float32Array));

describe("autocast on a GPT", () => {
  for (const dtype of ["float16", "bfloat16"] as const) {
    it(`${dtype}: logits in ${dtype}, loss in float32, close to the float32 loss; packed attention is the float32 kernel on ${dtype} inputs`, () => {
      const m = gpt("none");
      const x = new Tensor(tokens(1, 16), [2, 8]), y = new Tensor(tokens(2, 16), [2, 8]);
      const full = m.forward(x, y).loss!.item();
      const out = amp.autocast({ dtype }, () => m.forward(x, y));
      assert.equal(out.logits.dtype, dtype);
      assert.equal(out.loss!.dtype, "float32");
      assert.ok(Math.abs(out.loss!.item() - full) < (dtype === "float16" ? 2e-3 : 2e-2), `${out.loss!.item()} vs ${full}`);
      assert.notEqual(out.loss!.item(), full);
      out.loss!.backward();
      assert.ok(m.parameters().every((p) => p.grad!.dtype === "float32"));

      manualSeed(2);
      const qkv = randn([2, 8, 48]);
      const got = amp.autocast({ dtype }, () => F.packedCausalAttention(qkv, 2));
      const want = withoutAutocast(() => to(packedOp(to(to(qkv, dtype), "float32"), 2, 1 / Math.sqrt(8)), dtype));
      assert.equal(got.dtype, dtype);
      assert.deepEqual(Array.from(got.data as Uint16Array), Array.from(want.data as Uint16Array));
    });
  }

  it("checkpointing blocks under bf16 autocast: the same loss and gradients as without, bit for bit", () => {
    const x = new Tensor(tokens(3, 16), [2, 8]), y = new Tensor(tokens(4, 16), [2, 8]);
    const res = (["none", "blocks"] as const).map((c) => {
      const m = gpt(c);
      const loss = amp.autocast({ dtype: "bfloat16" }, () => m.forward(x, y).loss!);
      loss.backward();
      return { loss: loss.item(), grads: gradsOf(m) };
    });
    assert.equal(res[1]!.loss, res[0]!.loss);
    assert.deepEqual(res[1]!.grads, res[0]!.grads);
  });

  it("generate under autocast; sampleNext reads float16/bfloat16 logits as their float32 values", () => {
    const m = gpt("none");
    const idx = new Tensor(Int32Array.of(1, 2, 3), [1, 3]);
    const out = amp.autocast({ dtype: "bfloat16" }, () => m.generate(idx, 5, { temperature: 0 }));
    assert.deepEqual(out.shape, [1, 8]);
    manualSeed(3);
    const logits = randn([3, 11]);
    for (const dtype of ["float16", "bfloat16"] as const) {
      const low = to(logits, dtype);
      assert.deepEqual(Array.from(sampleNext(low, { temperature: 0.8, seed: 7 })), Array.from(sampleNext(to(low, "float32"), { temperature: 0.8, seed: 7 })));
    }
  });
});
