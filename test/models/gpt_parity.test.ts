// models.GPT against a PyTorch 1.13 nanoGPT-structured model (tools/torch_gpt_reference.py),
// float64, three variants (tied/untied head, with/without biases, 2 and 4 heads, T = blockSize
// and T < blockSize, one ignore_index -1 target): logits, loss, every parameter gradient, the
// clipped total norm, and every weight after one AdamW step over nanoGPT's decay groups, to 1e-9.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type Tensor, noGrad, optim, tensor } from "../../src/index.js";
import { GPT, type GPTConfig } from "../../src/models/index.js";

interface Variant {
  name: string;
  config: GPTConfig;
  B: number;
  T: number;
  idx: number[][];
  targets: number[][];
  paramNames: string[];
  paramShapes: Record<string, number[]>;
  stateDict: Record<string, string>;
  logits: string;
  loss: number;
  grads: Record<string, string>;
  clip: { maxNorm: number; totalNorm: number };
  adamw: { lr: number; betas: [number, number]; eps: number; weightDecay: number };
  decayNames: string[];
  noDecayNames: string[];
  after: Record<string, string>;
  lossAfter: number;
}

const url = new URL("../../../test/fixtures/torch_gpt_reference.json", import.meta.url);
const fx = JSON.parse(readFileSync(url, "utf8")) as { variants: Variant[] };

/** base64 of little-endian float64 bytes -> numbers. */
function decode(b64: string): Float64Array {
  const buf = Buffer.from(b64, "base64");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Float64Array(buf.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

const RTOL = 1e-9;

/**
 * Worst elementwise error |a - e| / max(|e|, floor · max|e|): relative for ordinary entries, and
 * relative to the tensor's scale for entries near zero (where pure relative error is noise).
 */
function worstError(
  actual: ArrayLike<number>, expected: ArrayLike<number>, slack?: ArrayLike<number>, floor = 1e-3,
): { err: number; at: number } {
  assert.equal(actual.length, expected.length, "length");
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let err = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const denom = Math.max(Math.abs(expected[i]!), floor * scale, Number.MIN_VALUE);
    const e = Math.max(0, Math.abs(actual[i]! - expected[i]!) - (slack?.[i] ?? 0)) / denom;
    if (!(e <= err)) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}

function assertClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, worst: { what: string; err: number }, slack?: ArrayLike<number>,
): void {
  const { err, at } = worstError(actual, expected, slack);
  if (err > worst.err) Object.assign(worst, { what, err });
  assert.ok(err <= RTOL, `${what}: worst error ${err.toExponential(2)} at ${at} (${actual[at]} vs torch ${expected[at]})`);
}

function build(v: Variant, dtype: "float32" | "float64" = "float64"): GPT {
  const model = new GPT(v.config, { dtype });
  const state: Record<string, Tensor> = {};
  for (const [k, b64] of Object.entries(v.stateDict)) {
    const shape = k === "lm_head.weight" ? [v.config.vocabSize, v.config.nEmbd] : v.paramShapes[k]!;
    state[k] = tensor(decode(b64), { shape, dtype: "float64" });
  }
  model.loadStateDict(state);
  return model;
}

const ids = (rows: number[][]): Tensor => tensor(rows, { dtype: "int32" });

for (const v of fx.variants) {
  describe(`GPT matches PyTorch nanoGPT (float64): ${v.name}`, () => {
    it("has nanoGPT's parameter names, shapes and decay groups", () => {
      const model = build(v);
      const named = [...model.namedParameters()];
      assert.deepEqual(named.map(([n]) => n), v.paramNames);
      for (const [n, p] of named) assert.deepEqual(p.shape, v.paramShapes[n], n);
      assert.deepEqual(model.optimizerGroupNames(), { decay: v.decayNames, noDecay: v.noDecayNames });
      const groups = model.optimizerGroups(0.1);
      assert.equal(groups[0]!.params.length + groups[1]!.params.length, v.paramNames.length);
    });

    it("logits, loss, every gradient and one clipped AdamW step agree to 1e-9", () => {
      const model = build(v);
      const worst = { what: "", err: 0 };
      const { logits, loss } = model.forward(ids(v.idx), ids(v.targets));
      assert.deepEqual(logits.shape, [v.B, v.T, v.config.vocabSize]);
      assertClose(logits.data, decode(v.logits), "logits", worst);
      assertClose([loss!.item()], [v.loss], "loss", worst);

      loss!.backward();
      const slack: Record<string, Float64Array> = {};
      for (const [n, p] of model.namedParameters()) {
        assert.ok(p.grad, `${n} has a gradient`);
        const g = decode(v.grads[n]!);
        assertClose(p.grad.data, g, `grad ${n}`, worst);
        // AdamW's first step is lr * g / (|g| + eps): for a gradient at rounding-noise level (the
        // key part of c_attn.bias, exactly zero in exact arithmetic since softmax ignores a
        // per-query constant) its direction is noise. Allow the bound that noise implies,
        // lr (|g_ours| + |g_torch|) / eps: about 1e-11 here, and 0 wherever g is not tiny.
        slack[n] = g.map((gt, i) => (Math.abs(gt) < 1e-6 ? (v.adamw.lr * (Math.abs(gt) + Math.abs(p.grad!.data[i]!))) / v.adamw.eps : 0));
        assert.ok(slack[n].every((s) => s < 1e-10), `${n}: a tiny gradient that is not rounding noise`);
      }

      const total = optim.clipGradNorm(model.parameters(), v.clip.maxNorm);
      assertClose([total], [v.clip.totalNorm], "total grad norm", worst);
      const a = v.adamw;
      const opt = new optim.AdamW(model.optimizerGroups(a.weightDecay), { lr: a.lr, betas: a.betas, eps: a.eps });
      opt.step();
      for (const [n, p] of model.namedParameters()) assertClose(p.data, decode(v.after[n]!), `after AdamW ${n}`, worst, slack[n]);

      const lossAfter = noGrad(() => model.forward(ids(v.idx), ids(v.targets)).loss!.item());
      assertClose([lossAfter], [v.lossAfter], "loss after the step", worst);
      console.log(`# ${v.name}: worst error ${worst.err.toExponential(2)} (${worst.what})`);
    });

    it("float32 (the training dtype, its own kernels): logits, loss and gradients to float32 accuracy", () => {
      const model = build(v, "float32");
      const worst = { what: "", err: 0 };
      // Float32 rounding (6e-8) grows through the graph, and a gradient entry can be a small
      // difference of large terms, so here the error is relative to each tensor's scale: max|a - e| / max|e|.
      const TOL32 = 2e-5;
      const check = (a: ArrayLike<number>, e: ArrayLike<number>, what: string): void => {
        const { err, at } = worstError(a, e, undefined, 1);
        if (err > worst.err) Object.assign(worst, { what, err });
        assert.ok(err <= TOL32, `${what}: worst error ${err.toExponential(2)} at ${at} (${a[at]} vs torch ${e[at]})`);
      };
      const { logits, loss } = model.forward(ids(v.idx), ids(v.targets));
      check(logits.data, decode(v.logits), "logits");
      check([loss!.item()], [v.loss], "loss");
      loss!.backward();
      for (const [n, p] of model.namedParameters()) check(p.grad!.data, decode(v.grads[n]!), `grad ${n}`);
      console.log(`# ${v.name} (float32): worst error ${worst.err.toExponential(2)} (${worst.what})`);
    });
  });
}
