// `descent demo momentum-steps`: the reference's two momentum steps (w = 1.0, η = 0.1, β = 0.9,
// gradients 0.5 then −0.3) run by optim.SGD with momentum, step by step, beside plain SGD fed the
// same gradients: the velocity remembers the first gradient after the second points the other way.

import { tensor } from "../../index.js";
import * as optim from "../../optim/index.js";
import { UsageError } from "../errors.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText, numberOption } from "./registry.js";

export interface MomentumStepsOptions {
  lr?: number;
  beta?: number;
  json?: boolean;
}

export interface MomentumStep {
  step: number;
  grad: number;
  /** Momentum: v_t = β·v_{t−1} + g_t, w_t = w_{t−1} − η·v_t (PyTorch's form, dampening 0). */
  velocity: number;
  wMomentum: number;
  /** Plain SGD on the same gradients: w_t = w_{t−1} − η·g_t. */
  wSgd: number;
}

export interface MomentumStepsResult {
  w0: number;
  lr: number;
  beta: number;
  steps: MomentumStep[];
}

const GRADS = [0.5, -0.3];

export function momentumStepsResult(o: MomentumStepsOptions = {}): MomentumStepsResult {
  const lr = o.lr ?? 0.1;
  const beta = o.beta ?? 0.9;
  if (!(lr > 0)) throw new UsageError(`momentum-steps demo: --lr must be > 0, got ${lr}`);
  if (!(beta >= 0 && beta < 1)) throw new UsageError(`momentum-steps demo: --beta must be in [0, 1), got ${beta}`);
  const wm = tensor([1.0], { dtype: "float64", requiresGrad: true });
  const ws = tensor([1.0], { dtype: "float64", requiresGrad: true });
  const momentum = new optim.SGD([wm], { lr, momentum: beta });
  const sgd = new optim.SGD([ws], { lr });
  const steps = GRADS.map((g, i) => {
    wm.grad = tensor([g], { dtype: "float64" });
    ws.grad = tensor([g], { dtype: "float64" });
    momentum.step();
    sgd.step();
    const velocity = momentum.stateDict().state[0]!.buffers["momentumBuffer"]!.data[0]!;
    return { step: i + 1, grad: g, velocity, wMomentum: wm.data[0]!, wSgd: ws.data[0]! };
  });
  return { w0: 1.0, lr, beta, steps };
}

export function formatMomentumSteps(r: MomentumStepsResult): string {
  return [
    `Momentum, two steps: w₀ = ${r.w0}, η = ${r.lr}, β = ${r.beta}, v₀ = 0 (optim.SGD with momentum, float64)`,
    "  v_t = β·v_{t−1} + g_t,   w_t = w_{t−1} − η·v_t        plain SGD: w_t = w_{t−1} − η·g_t",
    "",
    ...columns([
      ["step", "gradient", "velocity v", "w (momentum)", "w (plain SGD)"],
      ...r.steps.map((s) => [String(s.step), String(s.grad), String(+s.velocity.toPrecision(15)), String(+s.wMomentum.toPrecision(15)), String(+s.wSgd.toPrecision(15))]),
    ], { headerRule: true, indent: "  ", align: ["right", "right", "right", "right", "right"] }),
    "",
    "The second gradient points the other way, but the velocity still carries the first step's",
    "memory (0.9·0.5 − 0.3 = 0.15 > 0), so momentum keeps moving w down while plain SGD turns back.",
  ].join("\n");
}

export const momentumStepsDemo = defineDemo<MomentumStepsOptions>({
  name: "momentum-steps",
  section: "Momentum",
  summary: "the two-step momentum example (0.95, then 0.935; v = 0.5, then 0.15) beside plain SGD",
  options: [numberOption("--lr <η>", "learning rate", 0.1), numberOption("--beta <β>", "momentum", 0.9), jsonOption],
  run: (o) => jsonOrText(momentumStepsResult(o), o.json, formatMomentumSteps),
});
