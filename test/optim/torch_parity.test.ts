// Replays PyTorch 1.13 float64 trajectories (tools/torch_optim_reference.py) for every optimizer
// option combination, param groups, gradient clipping and the OneCycleLR curve; no PyTorch needed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type Tensor, tensor } from "../../src/index.js";
import * as optim from "../../src/optim/index.js";

interface Case {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop";
  options: Record<string, number | boolean | number[]>;
  trajectory: number[][];
  groups?: Record<string, number | boolean | number[]>[];
  clip?: { maxNorm: number; normType: number | "inf" };
  norms?: number[];
}

interface Fixture {
  steps: number;
  X: number[][];
  Y: number[][];
  W0: number[][];
  b0: number[];
  tanhPenalty: number;
  cases: Case[];
  oneCycle: { options: optim.schedules.OneCycleOptions; lrs: number[] }[];
}

const url = new URL("../../../test/fixtures/torch_optim_reference.json", import.meta.url);
const fx = JSON.parse(readFileSync(url, "utf8")) as Fixture;

const TOL = 1e-10;
function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOL * (1 + Math.abs(expected)), `${what}: ${actual} vs torch ${expected}`);
}

function makeOptimizer(c: Case, W: Tensor, b: Tensor): { step(): unknown; zeroGrad(): void } {
  const params = c.groups ? [{ params: [W], ...c.groups[0] }, { params: [b], ...c.groups[1] }] : [W, b];
  const opts = c.options as never;
  switch (c.optimizer) {
    case "SGD": return new optim.SGD(params as never, opts);
    case "Adam": return new optim.Adam(params as never, opts);
    case "AdamW": return new optim.AdamW(params as never, opts);
    case "RMSprop": return new optim.RMSprop(params as never, opts);
    default: return c.optimizer satisfies never;
  }
}

describe("optimizers match PyTorch 1.13 trajectories (float64, 1e-10)", () => {
  const X = tensor(fx.X, { dtype: "float64" });
  const Y = tensor(fx.Y, { dtype: "float64" });
  for (const c of fx.cases) {
    it(`${c.name}: ${fx.steps} steps`, () => {
      const W = tensor(fx.W0, { dtype: "float64", requiresGrad: true });
      const b = tensor(fx.b0, { dtype: "float64", requiresGrad: true });
      const opt = makeOptimizer(c, W, b);
      assert.equal(c.trajectory.length, fx.steps);
      if (c.clip) {
        assert.equal(c.norms?.length, fx.steps, "one total norm per step");
        // The case must exercise clipping, not only the norm.
        assert.ok(c.norms!.some((n) => n > c.clip!.maxNorm), `${c.name}: no step is clipped`);
      }
      c.trajectory.forEach((expected, step) => {
        assert.equal(expected.length, W.numel + b.numel, `${c.name} step ${step}: every parameter value`);
        opt.zeroGrad();
        const loss = X.matmul(W).add(b).sub(Y).pow(2).mean().add(W.tanh().pow(2).sum().mul(fx.tanhPenalty));
        loss.backward();
        if (c.clip) {
          const normType = c.clip.normType === "inf" ? Infinity : c.clip.normType;
          const n = optim.clipGradNorm([W, b], c.clip.maxNorm, { normType });
          close(n, c.norms![step]!, `${c.name} step ${step} total norm`);
        }
        opt.step();
        const got = [...W.data, ...b.data];
        expected.forEach((v, i) => close(got[i]!, v, `${c.name} step ${step} param ${i}`));
      });
    });
  }
  it("covers every optimizer and option family", () => {
    const names = fx.cases.map((c) => c.name);
    for (const n of ["sgd_momentum", "sgd_dampening", "sgd_nesterov", "sgd_weight_decay", "adam_weight_decay", "adam_amsgrad", "adamw",
      "rmsprop_momentum", "rmsprop_centered", "rmsprop_weight_decay", "sgd_groups", "adamw_groups", "sgd_clip_l2", "adam_clip_inf"]) {
      assert.ok(names.includes(n), n);
    }
    assert.ok(fx.steps >= 50);
  });
});

describe("oneCycle matches OneCycleLR", () => {
  it("the fixture has curves", () => assert.ok(fx.oneCycle.length >= 2));
  for (const oc of fx.oneCycle) {
    it(`${JSON.stringify(oc.options)}`, () => {
      assert.equal(oc.lrs.length, oc.options.totalSteps, "one lr per step");
      const f = optim.schedules.oneCycle(oc.options);
      oc.lrs.forEach((lr, t) => close(f(t), lr, `step ${t}`));
    });
  }
});
