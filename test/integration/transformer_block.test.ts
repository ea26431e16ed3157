// A tiny GPT-style language model (embedding, pre-LN causal self-attention block, GELU MLP,
// cross-entropy over next tokens) composed from the public API. Its loss and every parameter
// gradient must agree between the active backend and the TS reference backend (float64), and
// float32 must track float64; a few AdamW steps must lower the loss.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Backend, Generator, type Tensor, amp, arange, getBackend, nn, optim, randint, setBackend } from "../../src/index.js";
import { tsBackend } from "../../src/backend/index.js";

const B = 2, T = 8, C = 16, H = 2, V = 11;

class TinyGPT extends nn.Module {
  tokEmb: nn.Embedding;
  posEmb: nn.Embedding;
  ln1: nn.LayerNorm;
  qkv: nn.Linear;
  proj: nn.Linear;
  ln2: nn.LayerNorm;
  fc: nn.Linear;
  fcOut: nn.Linear;
  lnF: nn.LayerNorm;
  head: nn.Linear;
  constructor(dtype: "float32" | "float64") {
    super();
    this.tokEmb = new nn.Embedding(V, C, { dtype });
    this.posEmb = new nn.Embedding(T, C, { dtype });
    this.ln1 = new nn.LayerNorm(C, { dtype });
    this.qkv = new nn.Linear(C, 3 * C, { dtype });
    this.proj = new nn.Linear(C, C, { dtype });
    this.ln2 = new nn.LayerNorm(C, { dtype });
    this.fc = new nn.Linear(C, 4 * C, { dtype });
    this.fcOut = new nn.Linear(4 * C, C, { dtype });
    this.lnF = new nn.LayerNorm(C, { dtype });
    this.head = new nn.Linear(C, V, { dtype });
  }
  forward(idx: Tensor): Tensor {
    const posIdx = arange(T, { dtype: "int32" });
    let x = this.tokEmb.forward(idx).add(this.posEmb.forward(posIdx)); // (B, T, C)
    const [q, k, v] = this.qkv.forward(this.ln1.forward(x)).split(C, -1); // 3 x (B, T, C)
    const heads = (t: Tensor) => t.reshape([B, T, H, C / H]).transpose(1, 2); // (B, H, T, C/H)
    const y = nn.functional.scaledDotProductAttention(heads(q!), heads(k!), heads(v!), { isCausal: true });
    x = x.add(this.proj.forward(y.transpose(1, 2).reshape([B, T, C])));
    x = x.add(this.fcOut.forward(this.fc.forward(this.ln2.forward(x)).gelu({ approximate: "tanh" })));
    return this.head.forward(this.lnF.forward(x)); // (B, T, V)
  }
}

function build(dtype: "float32" | "float64", from?: TinyGPT): TinyGPT {
  const m = new TinyGPT(dtype);
  const g = new Generator(7);
  for (const p of m.parameters()) for (let i = 0; i < p.numel; i++) p.data[i] = g.normal() * 0.3;
  if (from) m.loadStateDict(from.stateDict());
  return m;
}

function lossAndGrads(m: TinyGPT, idx: Tensor, targets: Tensor): { loss: number; grads: Float64Array[] } {
  m.zeroGrad();
  const logits = m.forward(idx);
  const loss = nn.functional.crossEntropy(logits.reshape([B * T, V]), targets.reshape([B * T]));
  loss.backward();
  return { loss: loss.item(), grads: m.parameters().map((p) => Float64Array.from(p.grad!.data)) };
}

function withBackend<R>(b: Backend, fn: () => R): R {
  const prev = setBackend(b);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}

describe("tiny GPT end to end", () => {
  const g = new Generator(3);
  const idx = randint(0, V, [B, T], { generator: g });
  const targets = randint(0, V, [B, T], { generator: g });

  it(`float64 loss and gradients: ${getBackend().name} backend equals the TS reference to 1e-10`, () => {
    const m = build("float64");
    const active = lossAndGrads(m, idx, targets);
    const ref = withBackend(tsBackend, () => lossAndGrads(m, idx, targets));
    assert.ok(Math.abs(active.loss - ref.loss) <= 1e-12 * Math.abs(ref.loss), `${active.loss} vs ${ref.loss}`);
    active.grads.forEach((ga, i) => {
      const gr = ref.grads[i]!;
      for (let j = 0; j < ga.length; j++) {
        assert.ok(Math.abs(ga[j]! - gr[j]!) <= 1e-10 * Math.max(1, Math.abs(gr[j]!)), `param ${i} [${j}]: ${ga[j]} vs ${gr[j]}`);
      }
    });
  });

  it("float32 tracks float64 (loss to 1e-5 relative, gradients to 1e-3 of the largest)", () => {
    const m64 = build("float64");
    const m32 = build("float32", m64);
    const a = lossAndGrads(m64, idx, targets);
    const b = lossAndGrads(m32, idx, targets);
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * a.loss, `${a.loss} vs ${b.loss}`);
    a.grads.forEach((ga, i) => {
      const gb = b.grads[i]!;
      const scale = ga.reduce((s, v) => Math.max(s, Math.abs(v)), 1e-12);
      for (let j = 0; j < ga.length; j++) assert.ok(Math.abs(ga[j]! - gb[j]!) <= 1e-3 * scale, `param ${i} [${j}]`);
    });
  });

  it("AdamW lowers the next-token loss on a fixed batch", () => {
    const m = build("float32");
    const opt = new optim.AdamW(m.parameters(), { lr: 1e-2, weightDecay: 0.01 });
    const first = lossAndGrads(m, idx, targets).loss;
    let last = first;
    for (let step = 0; step < 30; step++) {
      last = lossAndGrads(m, idx, targets).loss;
      opt.step();
    }
    assert.ok(last < 0.5 * first, `loss ${first} -> ${last}`);
  });
  it("mixed precision: bf16 and fp16 autocast (fp16 with GradScaler) track float32 and train", () => {
    const run = (precision: "fp32" | "bf16" | "fp16"): { first: number; last: number } => {
      const m = build("float32");
      const opt = new optim.AdamW(m.parameters(), { lr: 1e-2, weightDecay: 0.01 });
      const scaler = new amp.GradScaler({ enabled: precision === "fp16" });
      const dtype = precision === "fp16" ? "float16" : "bfloat16";
      let first = 0, last = 0;
      for (let step = 0; step < 30; step++) {
        opt.zeroGrad();
        const loss = amp.autocast({ dtype, enabled: precision !== "fp32" }, () =>
          nn.functional.crossEntropy(m.forward(idx).reshape([B * T, V]), targets.reshape([B * T])));
        assert.equal(loss.dtype, "float32");
        scaler.scale(loss).backward();
        scaler.unscale(opt);
        optim.clipGradNorm(m.parameters(), 1.0);
        scaler.step(opt);
        scaler.update();
        if (step === 0) first = loss.item();
        last = loss.item();
      }
      for (const p of m.parameters()) assert.equal(p.dtype, "float32");
      return { first, last };
    };
    const f32 = run("fp32"), bf16 = run("bf16"), fp16 = run("fp16");
    assert.ok(Math.abs(bf16.first - f32.first) < 0.02 * f32.first, `bf16 first loss ${bf16.first} vs ${f32.first}`);
    assert.ok(Math.abs(fp16.first - f32.first) < 0.005 * f32.first, `fp16 first loss ${fp16.first} vs ${f32.first}`);
    for (const r of [bf16, fp16]) assert.ok(r.last < 0.5 * r.first && r.last < f32.last * 1.5 + 0.05, `loss ${r.first} -> ${r.last} (fp32 ${f32.last})`);
  });
});
