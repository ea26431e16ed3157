// BatchNorm1d against PyTorch 1.13 (tools/torch_nn_reference.py): training outputs, input and
// affine gradients, running stats after each step, and eval outputs, all float64.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type NestedArray, tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

interface Step {
  x: NestedArray; gy: NestedArray; y: NestedArray; gx: NestedArray; yEval: NestedArray;
  gWeight: number[] | null; gBias: number[] | null; runningMean: number[] | null; runningVar: number[] | null;
}
interface BnCase {
  name: string;
  numFeatures: number;
  options: { momentum?: number | null; eps?: number; affine?: boolean; trackRunningStats?: boolean };
  weight: number[] | null;
  bias: number[] | null;
  steps: Step[];
}

const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_nn_reference.json", import.meta.url), "utf8")) as {
  batchNorm1d: BnCase[];
};

function allClose(actual: ArrayLike<number>, expected: NestedArray | number[], what: string, tol = 1e-12): void {
  const exp = [expected].flat(Infinity as 1) as number[];
  assert.equal(actual.length, exp.length, `${what}: length`);
  for (let i = 0; i < exp.length; i++) {
    assert.ok(Math.abs(actual[i]! - exp[i]!) <= tol * (1 + Math.abs(exp[i]!)), `${what}[${i}]: ${actual[i]} vs torch ${exp[i]}`);
  }
}

describe("BatchNorm1d matches PyTorch", () => {
  it("the fixture covers both input ranks, cumulative momentum, no affine and no running stats", () => {
    assert.deepEqual(fx.batchNorm1d.map((c) => c.name), ["nc", "ncl", "cumulative_no_affine", "no_running_stats"]);
  });
  for (const c of fx.batchNorm1d) {
    it(c.name, () => {
      assert.ok(c.steps.length > 0);
      // The optional checks below run exactly when the module has affine parameters / running stats.
      const affine = c.options.affine !== false, tracked = c.options.trackRunningStats !== false;
      for (const s of c.steps) {
        assert.equal(s.gWeight !== null && s.gBias !== null, affine);
        assert.equal(s.runningMean !== null && s.runningVar !== null, tracked);
      }
      const bn = new nn.BatchNorm1d(c.numFeatures, { ...c.options, dtype: "float64" });
      if (c.weight) bn.weight!.data.set(c.weight);
      if (c.bias) bn.bias!.data.set(c.bias);
      c.steps.forEach((s, k) => {
        bn.zeroGrad();
        bn.train();
        const x = tensor(s.x, { dtype: "float64", requiresGrad: true });
        const y = bn.forward(x);
        allClose(y.data, s.y, `step ${k} y`);
        y.backward(tensor(s.gy, { dtype: "float64" }));
        allClose(x.grad!.data, s.gx, `step ${k} gx`);
        if (s.gWeight) allClose(bn.weight!.grad!.data, s.gWeight, `step ${k} gWeight`);
        if (s.gBias) allClose(bn.bias!.grad!.data, s.gBias, `step ${k} gBias`);
        if (s.runningMean) allClose(bn.runningMean!.data, s.runningMean, `step ${k} runningMean`);
        if (s.runningVar) allClose(bn.runningVar!.data, s.runningVar, `step ${k} runningVar`);
        bn.eval();
        allClose(bn.forward(tensor(s.x, { dtype: "float64" })).data, s.yEval, `step ${k} eval y`);
      });
      if (c.options.trackRunningStats !== false) assert.equal(bn.numBatchesTracked!.item(), c.steps.length);
    });
  }
});
