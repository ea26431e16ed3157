// amp.GradScaler against PyTorch's GradScaler state machine on a scripted sequence of gradients
// (test/fixtures/torch_grad_scaler_reference.json, written by tools/torch_grad_scaler_reference.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ValueError, amp, optim, tensor } from "../../src/index.js";

type Num = number | string;
interface Step { grad: Num[]; stepped: boolean; foundInf: number; scale: number; growthTracker: number; p: number[]; clipNorm: Num | null }
interface Case {
  name: string; initScale: number; growthFactor: number; backoffFactor: number; growthInterval: number;
  unscaleClipSteps: number[]; steps: Step[];
  stateDict: { scale: number; growth_factor: number; backoff_factor: number; growth_interval: number; _growth_tracker: number };
}
interface Misuse { calls: string[]; error: { at: number; type: string; message: string } | null }
const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_grad_scaler_reference.json", import.meta.url), "utf8")) as {
  cases: Case[]; misuse: Misuse[];
};
const num = (v: Num): number => (typeof v === "number" ? v : v === "inf" ? Infinity : v === "-inf" ? -Infinity : NaN);

describe("GradScaler matches PyTorch's", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const p = tensor([0.5, -1, 2, 0.25], { requiresGrad: true });
      const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
      const scaler = new amp.GradScaler({
        initScale: c.initScale, growthFactor: c.growthFactor, backoffFactor: c.backoffFactor, growthInterval: c.growthInterval,
      });
      let skipped = 0;
      c.steps.forEach((s, i) => {
        opt.zeroGrad();
        const loss = p.mul(tensor(s.grad.map(num))).sum();
        scaler.scale(loss).backward();
        if (c.unscaleClipSteps.includes(i)) {
          scaler.unscale(opt);
          const norm = optim.clipGradNorm([p], 1.0);
          assert.ok(Math.abs(norm - num(s.clipNorm!)) <= 1e-6 * Math.abs(num(s.clipNorm!)), `step ${i}: clip norm ${norm}`);
        }
        const stepped = scaler.step(opt);
        scaler.update();
        assert.equal(stepped, s.stepped, `step ${i}: stepped`);
        assert.equal(stepped ? 0 : 1, s.foundInf, `step ${i}: found inf`);
        if (!stepped) skipped++;
        assert.equal(scaler.getScale(), s.scale, `step ${i}: scale`);
        assert.equal(scaler.getGrowthTracker(), s.growthTracker, `step ${i}: growth tracker`);
        [...p.data].forEach((v, j) => assert.ok(Math.abs(v - s.p[j]!) <= 1e-6 * Math.max(1, Math.abs(s.p[j]!)), `step ${i}: p[${j}] ${v} vs ${s.p[j]}`));
      });
      assert.equal(scaler.skippedSteps, skipped);
      const sd = scaler.stateDict();
      assert.deepEqual(sd, {
        scale: c.stateDict.scale, growthFactor: c.stateDict.growth_factor, backoffFactor: c.stateDict.backoff_factor,
        growthInterval: c.stateDict.growth_interval, growthTracker: c.stateDict._growth_tracker,
      });
    });
  }

  it("rejects the call sequences PyTorch's state machine rejects, at the same call", () => {
    for (const m of fx.misuse) {
      const p = tensor([1, 2], { requiresGrad: true });
      const opt = new optim.SGD([p], { lr: 0.1 });
      const scaler = new amp.GradScaler({ initScale: 4 });
      let loss = p.sum();
      let failedAt: number | null = null;
      for (let i = 0; i < m.calls.length; i++) {
        try {
          switch (m.calls[i]) {
            case "scale": loss = scaler.scale(p.mul(p).sum()); break;
            case "backward": loss.backward(); break;
            case "unscale": scaler.unscale(opt); break;
            case "step": scaler.step(opt); break;
            case "update": scaler.update(); break;
          }
        } catch (e) {
          assert.ok(e instanceof amp.GradScalerError, `${m.calls.join(",")}: ${String(e)}`);
          failedAt = i;
          break;
        }
      }
      assert.equal(failedAt, m.error ? m.error.at : null, `sequence ${m.calls.join(", ")}`);
    }
  });
});

describe("GradScaler behaviour", () => {
  it("scale keeps the loss dtype; unscale divides in place; a failing call changes nothing", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const scaler = new amp.GradScaler({ initScale: 1024 });
    assert.equal(scaler.getScale(), 1024);
    const scaled = scaler.scale(p.mul(3).sum().to("float16"));
    assert.equal(scaled.dtype, "float16");
    assert.equal(scaled.item(), 9 * 1024);
    scaler.scale(p.mul(3).sum()).backward();
    assert.deepEqual([...p.grad!.data], [3072, 3072]);
    scaler.unscale(opt);
    assert.deepEqual([...p.grad!.data], [3, 3]);
    assert.throws(() => scaler.unscale(opt), amp.GradScalerError);
    assert.deepEqual([...p.grad!.data], [3, 3]);
    assert.equal(scaler.step(opt), true);
    assert.deepEqual([...p.data], [-2, -1]);
  });

  it("float16 gradients are refused (master weights stay float32), as in PyTorch", () => {
    const p = tensor([1, 2], { dtype: "float16", requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const scaler = new amp.GradScaler();
    scaler.scale(p.sum()).backward();
    assert.throws(() => scaler.unscale(opt), ValueError);
  });

  it("disabled: a pass-through with scale 1 and an empty state dict", () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const scaler = new amp.GradScaler({ enabled: false });
    const l = p.sum();
    assert.equal(scaler.scale(l), l);
    l.backward();
    assert.equal(scaler.step(opt), true);
    scaler.update();
    assert.equal(scaler.getScale(), 1);
    assert.deepEqual(scaler.stateDict(), {});
    assert.throws(() => new amp.GradScaler().loadStateDict({}), amp.GradScalerError);
  });

  it("stateDict / loadStateDict resume the scale and growth tracker", () => {
    const a = new amp.GradScaler({ initScale: 8, growthInterval: 3 });
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    for (let i = 0; i < 4; i++) {
      opt.zeroGrad();
      a.scale(p.sum()).backward();
      a.step(opt);
      a.update();
    }
    assert.equal(a.getScale(), 16);
    const b = new amp.GradScaler();
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    assert.deepEqual(b.stateDict(), { scale: 16, growthFactor: 2, backoffFactor: 0.5, growthInterval: 3, growthTracker: 1 });
    assert.throws(() => b.loadStateDict({ scale: -1 } as never), ValueError);
    assert.equal(b.getScale(), 16);
  });

  it("bad options are typed errors", () => {
    assert.throws(() => new amp.GradScaler({ growthFactor: 1 }), ValueError);
    assert.throws(() => new amp.GradScaler({ backoffFactor: 1 }), ValueError);
    assert.throws(() => new amp.GradScaler({ growthInterval: 0 }), ValueError);
    assert.throws(() => new amp.GradScaler({ init_scale: 2 } as never), ValueError);
  });
});

describe("optim.GradScaler", () => {
  it("is amp.GradScaler (DESIGN.md places the loss scaler beside the optimizers)", () => {
    assert.equal(optim.GradScaler, amp.GradScaler);
    assert.equal(optim.GradScalerError, amp.GradScalerError);
  });
});
