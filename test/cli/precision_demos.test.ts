// The precision and loss-scaling demos' numbers, pinned.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEMOS } from "../../src/cli/demos/index.js";
import { lossScalingDemo, lossScalingResult } from "../../src/cli/demos/loss_scaling.js";
import { precisionDemo, precisionResult } from "../../src/cli/demos/precision.js";

describe("demo precision", () => {
  it("format facts: max, min normal, min subnormal, epsilon, digits", () => {
    const r = precisionResult();
    const [f32, f16, bf16] = r.formats;
    assert.deepEqual(f16, {
      format: "float16", exponentBits: 5, mantissaBits: 10, max: 65504, minNormal: 2 ** -14, minSubnormal: 2 ** -24,
      epsilon: 2 ** -10, decimalDigits: 3.31,
    });
    assert.deepEqual(bf16, {
      format: "bfloat16", exponentBits: 8, mantissaBits: 7, max: 3.3895313892515355e38, minNormal: 2 ** -126, minSubnormal: 2 ** -133,
      epsilon: 2 ** -7, decimalDigits: 2.41,
    });
    assert.equal(f32!.max, 3.4028234663852886e38);
    assert.equal(f32!.epsilon, 2 ** -23);
    assert.equal(f32!.minSubnormal, 2 ** -149);
  });

  it("1e-8, 65504·2 and 1 + 2⁻¹⁰ in each format", () => {
    const r = precisionResult();
    const byLabel = new Map(r.probes.map((p) => [p.value, p]));
    const tiny = byLabel.get(1e-8)!, big = byLabel.get(131008)!, one = byLabel.get(1 + 2 ** -10)!;
    assert.equal(tiny.stored.float16, 0);
    assert.equal(tiny.note.float16, "flushed to 0");
    assert.equal(tiny.stored.bfloat16, 1.0011717677116394e-8);
    assert.equal(big.stored.float16, Infinity);
    assert.equal(big.stored.bfloat16, 131072);
    assert.equal(one.stored.float16, 1 + 2 ** -10);
    assert.equal(one.note.float16, "exact");
    assert.equal(one.stored.bfloat16, 1);
    assert.equal(r.tinyGradientsFlushed.bfloat16, 0);
    assert.ok(r.tinyGradientsFlushed.float16 > 0.02 && r.tinyGradientsFlushed.float16 < 0.03, String(r.tinyGradientsFlushed.float16));
    assert.deepEqual(r.updates, [
      { update: 1e-3, result: { float16: 1 + 2 ** -10, bfloat16: 1 } },
      { update: 1e-4, result: { float16: 1, bfloat16: 1 } },
    ]);
  });

  it("prints the table and the answer; --json parses", () => {
    const text = precisionDemo.run({});
    assert.match(text, /float16\s+5\s+10\s+65504\s+6\.1035e-5\s+5\.9605e-8\s+9\.7656e-4\s+3\.31/);
    assert.match(text, /float16 vs bfloat16 for training stability\?/);
    assert.match(text, /bfloat16 needs no loss scaling/);
    const j = JSON.parse(precisionDemo.run({ json: true })) as { formats: { max: number }[] };
    assert.equal(j.formats[1]!.max, 65504);
    assert.ok(DEMOS.some((d) => d.name === "precision") && DEMOS.some((d) => d.name === "loss-scaling"));
  });
});

describe("demo loss-scaling", () => {
  it("small gradients: float16 flushes the two smallest, the scaler keeps all; bfloat16 keeps all", () => {
    const r = lossScalingResult();
    assert.deepEqual(r.flushed, { float16: 2, float16Scaled: 0, bfloat16: 0 });
    const last = r.small[r.small.length - 1]!;
    assert.equal(last.float16, 0);
    assert.ok(Math.abs(last.float16Scaled - 3e-9) / 3e-9 < 1e-3, String(last.float16Scaled));
    // Subnormal float16 keeps few bits: 1e-7 comes out as 2 ulps of 2^-24.
    assert.equal(r.small[4]!.float16, 2 * 2 ** -24);
    for (const s of r.small) assert.ok(Math.abs(s.float16Scaled - s.exact) / s.exact < 2e-3, `${s.exact}: ${s.float16Scaled}`);
  });

  it("the scaler backs off on overflow and grows back, step by step", () => {
    const r = lossScalingResult();
    assert.deepEqual(r.steps.map((s) => [s.scaleBefore, s.stepped, s.scaleAfter, s.growthTracker]), [
      [65536, true, 65536, 1], [65536, false, 32768, 0], [32768, false, 16384, 0], [16384, true, 16384, 1],
      [16384, true, 16384, 2], [16384, true, 32768, 0], [32768, true, 32768, 1], [32768, true, 32768, 2],
      [32768, true, 65536, 0], [65536, false, 32768, 0], [32768, true, 32768, 1], [32768, true, 32768, 2],
    ]);
    assert.equal(r.skipped, 3);
    assert.equal(r.steps[1]!.scaledGradient, Infinity);
    assert.equal(r.steps[3]!.scaledGradient, 32768);
    const text = lossScalingDemo.run({});
    assert.match(text, /SKIPPED/);
    assert.match(text, /Flushed to zero: float16 2\/8, float16 with loss scaling 0\/8, bfloat16 0\/8\./);
    assert.equal((JSON.parse(lossScalingDemo.run({ json: true })) as { skipped: number }).skipped, 3);
  });
});
