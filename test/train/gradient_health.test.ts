// Gradient health: gradientReport's norms, counts and update ratios; the spike monitor; the
// trainer's health lines, warnings and anomaly mode.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autograd, tensor, train } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { SpikeMonitor, captureUpdate, compactHealth, gradientReport, layerGradNorms } from "../../src/train/gradient_health.js";
import { sparkline } from "../../src/cli/format.js";
import { tinyTrainer } from "./helpers.js";

class Two extends nn.Module {
  a = new nn.Linear(2, 2, { dtype: "float64" });
  b = new nn.Linear(2, 1, { bias: false, dtype: "float64" });
}

describe("train.gradientReport", () => {
  it("norms, zero/NaN/Inf counts per parameter and per layer, update ratio of the last step", () => {
    const m = new Two();
    m.a.weight.data.set([3, 4, 0, 0]);
    m.a.bias!.data.set([0, 0]);
    m.b.weight.data.set([1, 0]);
    m.a.weight.grad = tensor([[0, 3], [4, 0]], { dtype: "float64" });
    m.a.bias!.grad = tensor([Number.NaN, 0], { dtype: "float64" });
    m.b.weight.grad = tensor([[Infinity, 2]], { dtype: "float64" });
    const done = captureUpdate(m.parameters());
    m.a.weight.data[0] = 3 + 0.5; // ||Δw|| = 0.5, ||w|| = 5
    done();
    const r = gradientReport(m);
    const [aw, ab, bw] = r.parameters;
    assert.deepEqual([aw!.name, aw!.layer, aw!.gradNorm, aw!.weightNorm, aw!.updateRatio, aw!.zeros], ["a.weight", "a", 5, Math.hypot(3.5, 4), 0.1, 2]);
    assert.deepEqual([ab!.nans, ab!.zeros, ab!.gradNorm, ab!.updateRatio], [1, 1, 0, null]); // ||w_before|| = 0
    assert.deepEqual([bw!.infs, bw!.gradNorm], [1, 2]);
    assert.deepEqual(r.layers.map((l) => [l.layer, l.gradNorm, l.nans, l.infs, l.numel]), [["a", 5, 1, 0, 6], ["b", 2, 0, 1, 2]]);
    assert.equal(r.layers[0]!.updateRatio, 0.1);
    assert.ok(Math.abs(r.gradNorm - Math.hypot(5, 2)) < 1e-12);
    const c = compactHealth(r);
    assert.deepEqual(c.layers["a"], [5, 5.315, 0.1]);
    assert.deepEqual([c.nans, c.infs, c.zeros], [1, 1, 3]);
    assert.deepEqual([...layerGradNorms([...m.namedParameters()])].map(([l]) => l), ["a", "b"]);
  });
});

describe("SpikeMonitor", () => {
  it("warns on a loss above k x the running median and names the layers whose norm jumped", () => {
    const mon = new SpikeMonitor({ spikeFactor: 3, gradNormWarn: 10 });
    const norms = (a: number, b: number) => new Map([["h.0", a], ["h.1", b]]);
    for (let s = 1; s <= 12; s++) assert.deepEqual(mon.check(s, 2 + 0.01 * s, 1, norms(1, 1)), []);
    const w = mon.check(13, 7, 1, norms(1, 8));
    assert.equal(w.length, 1);
    assert.equal(w[0]!.kind, "loss spike");
    assert.match(w[0]!.message, /^step 13: loss 7\.0000 > 3 × running median 2\.0650; grad norm jumped most in h\.1 ×8\.0, h\.0 ×1\.0$/);
    const g = mon.check(14, 2, 12.5, norms(1, 1));
    assert.deepEqual(g.map((x) => x.kind), ["exploding gradient"]);
    assert.match(g[0]!.message, /gradient norm 12\.50 before clipping > 10/);
    assert.deepEqual(new SpikeMonitor({ spikeFactor: 0, gradNormWarn: 0 }).check(1, 1e9, 1e9, norms(1, 1)), []);
  });

  it("sparkline: low to high in 8 levels", () => {
    assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), "▁▂▃▄▅▆▇█");
    assert.equal(sparkline([5, 5]), "▁▁");
    assert.equal(sparkline(Array.from({ length: 100 }, (_, i) => 100 - i), 10).length, 10);
  });
});

describe("Trainer health, warnings and anomaly mode", () => {
  it("logs compact health every healthInterval steps and emits warnings", async () => {
    const { trainer } = tinyTrainer({ config: { steps: 6, healthInterval: 3, gradNormWarn: 1e-6, evalInterval: 0 } });
    const recs: { step: number; health?: unknown; warnings?: unknown[] }[] = [];
    const warnings: string[] = [];
    trainer.on("step", (r) => recs.push(r));
    trainer.on("warning", (w) => warnings.push(w.kind));
    await trainer.run();
    assert.deepEqual(recs.filter((r) => r.health).map((r) => r.step), [3, 6]);
    const h = recs[2]!.health as { layers: Record<string, [number, number, number | null]> };
    const attn = h.layers["transformer.h.0.attn.c_attn"]!;
    assert.ok(attn[0] > 0 && attn[1] > 0 && attn[2] !== null && attn[2] > 0 && attn[2] < 1, JSON.stringify(attn));
    assert.equal(warnings.length, 6); // every step's norm exceeds 1e-6
    assert.ok(recs.every((r) => r.warnings?.length === 1));
  });

  it("detectAnomaly: a NaN weight stops the step with an AnomalyError naming the module", () => {
    const run = tinyTrainer({}).trainer;
    const t = new train.Trainer({
      model: run.model, train: run.trainBatches.tokens, val: run.evalBatches.val.tokens, config: run.config, detectAnomaly: true,
    });
    const ln = [...t.model.namedParameters()].find(([n]) => n === "transformer.h.0.ln_1.weight")![1];
    ln.data[0] = Number.NaN;
    assert.throws(() => t.trainStep(), (e: unknown) =>
      e instanceof autograd.AnomalyError && e.modulePath === "transformer.h.0.ln_1" && e.phase === "forward" && e.nonFiniteInput === 1);
    assert.equal(autograd.isAnomalyEnabled(), false);
  });
});
