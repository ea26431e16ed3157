// dropout: keep-fraction statistics, 1/(1-p) scaling, reproducible masks, identity cases, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, Generator, ValueError, manualSeed, ones, randn, tensor } from "../../../src/index.js";
import { dropout } from "../../../src/nn/functional/index.js";

describe("dropout", () => {
  it("keeps ~(1 - p) of a large tensor, scales kept values by 1/(1-p), preserves the mean", () => {
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      const n = 200_000;
      const y = dropout(ones([n], { dtype: "float64" }), p, true, { generator: new Generator(42) });
      let kept = 0;
      let sum = 0;
      for (const v of y.data) {
        if (v !== 0) {
          kept++;
          assert.equal(v, 1 / (1 - p));
        }
        sum += v;
      }
      const sd = Math.sqrt((p * (1 - p)) / n);
      assert.ok(Math.abs(kept / n - (1 - p)) < 5 * sd, `p=${p}: kept ${kept / n}`);
      assert.ok(Math.abs(sum / n - 1) < (5 * sd) / (1 - p), `p=${p}: mean ${sum / n}`);
    }
  });

  it("same seed gives the same mask (explicit generator and manualSeed), other seeds differ", () => {
    const x = randn([64, 32]);
    const a = dropout(x, 0.4, true, { generator: new Generator(7) });
    const b = dropout(x, 0.4, true, { generator: new Generator(7) });
    const c = dropout(x, 0.4, true, { generator: new Generator(8) });
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    assert.notDeepEqual(Array.from(a.data), Array.from(c.data));
    manualSeed(123);
    const d = dropout(x, 0.4);
    manualSeed(123);
    const e = dropout(x, 0.4);
    assert.deepEqual(Array.from(d.data), Array.from(e.data));
  });

  it("gradient is the same scaled mask", () => {
    const x = randn([1000], { dtype: "float64", requiresGrad: true });
    const y = dropout(x, 0.25, true, { generator: new Generator(1) });
    x.markModified(); // the backward keeps only the mask, so a later in-place write to x is harmless
    y.sum().backward();
    for (let i = 0; i < x.numel; i++) assert.equal(x.grad!.data[i], y.data[i] === 0 ? 0 : 1 / 0.75);
  });

  it("identity when not training or p = 0; zeros (and zero gradient) when p = 1", () => {
    const x = randn([3, 4], { requiresGrad: true });
    assert.equal(dropout(x, 0.5, false), x);
    assert.equal(dropout(x, 0), x);
    const z = dropout(x, 1);
    assert.ok(z.data.every((v) => v === 0));
    z.sum().backward();
    assert.ok(x.grad!.data.every((v) => v === 0));
  });

  it("errors: p outside [0, 1], integer input", () => {
    for (const p of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => dropout(randn([2]), p), (e: Error) => e instanceof ValueError && /dropout/.test(e.message) && /between 0 and 1/.test(e.message));
    }
    assert.throws(() => dropout(tensor([1, 2], { dtype: "int32" }), 0.5), DTypeError);
  });
});
