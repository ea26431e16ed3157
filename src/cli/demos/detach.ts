// `descent demo detach`: gradients do not flow through a detached tensor. The same two-branch
// network three ways (nothing detached, one branch detached, the hidden layer detached) shows which
// parameters receive gradients and which keep `grad === null`; then a few SGD steps with the first
// layer's output detached train the head while the frozen layer stays bit-for-bit unchanged.

import { manualSeed, noGrad, type Tensor, tensor } from "../../index.js";
import * as nn from "../../nn/index.js";
import * as optim from "../../optim/index.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

type Mode = "none" | "branch" | "hidden";

export interface DetachCase {
  mode: Mode;
  description: string;
  /** Parameter name → gradient norm, or null when it received no gradient. */
  gradNorms: Record<string, number | null>;
}

export interface DetachDemoResult {
  cases: DetachCase[];
  freeze: { steps: number; lossBefore: number; lossAfter: number; frozenMaxChange: number; headMaxChange: number };
}

class TwoBranch extends nn.Module {
  body = new nn.Linear(3, 4, { dtype: "float64" });
  headA = new nn.Linear(4, 1, { dtype: "float64" });
  headB = new nn.Linear(4, 1, { dtype: "float64" });

  forward(x: Tensor, mode: Mode): Tensor {
    let h = this.body.forward(x).relu();
    if (mode === "hidden") h = h.detach();
    const b = mode === "branch" ? h.detach() : h;
    return this.headA.forward(h).add(this.headB.forward(b)).pow(2).mean();
  }
}

const X = tensor([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.9, 1.1], [0.3, 0.3, 0.3]], { dtype: "float64" });

const norm = (t: Tensor | null): number | null => (t === null ? null : Math.hypot(...t.data));

export function detachDemoResult(): DetachDemoResult {
  const descriptions: Record<Mode, string> = {
    none: "nothing detached",
    branch: "headB reads h.detach()",
    hidden: "h = body(x).relu().detach()",
  };
  const cases = (["none", "branch", "hidden"] as const).map((mode) => {
    manualSeed(0);
    const net = new TwoBranch();
    net.forward(X, mode).backward();
    const gradNorms: Record<string, number | null> = {};
    for (const [name, p] of net.namedParameters()) gradNorms[name] = norm(p.grad);
    return { mode, description: descriptions[mode], gradNorms };
  });

  // Freezing: the body's output is detached during training, so SGD never changes it.
  manualSeed(0);
  const net = new TwoBranch();
  const params = net.parameters();
  const opt = new optim.SGD(params, { lr: 0.1 });
  const before = params.map((p) => Float64Array.from(p.data));
  const steps = 20;
  const lossBefore = noGrad(() => net.forward(X, "hidden").item());
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    net.forward(X, "hidden").backward();
    opt.step();
  }
  const lossAfter = noGrad(() => net.forward(X, "hidden").item());
  const maxChange = (names: readonly string[]): number => {
    let m = 0;
    for (const [name, p] of net.namedParameters()) {
      if (!names.some((n) => name.startsWith(n))) continue;
      const b = before[params.indexOf(p)]!;
      for (let i = 0; i < p.data.length; i++) m = Math.max(m, Math.abs(p.data[i]! - b[i]!));
    }
    return m;
  };
  return { cases, freeze: { steps, lossBefore, lossAfter, frozenMaxChange: maxChange(["body."]), headMaxChange: maxChange(["headA.", "headB."]) } };
}

export function formatDetachDemo(r: DetachDemoResult): string {
  const names = Object.keys(r.cases[0]!.gradNorms);
  const cell = (v: number | null): string => (v === null ? "null" : v === 0 ? "0" : v.toFixed(6));
  return [
    "L = mean((headA(h) + headB(h))²), h = relu(body(x)); ‖grad‖ of each parameter after backward (float64)",
    "",
    ...columns([
      ["parameter", ...r.cases.map((c) => c.description)],
      ...names.map((n) => [n, ...r.cases.map((c) => cell(c.gradNorms[n]!))]),
    ], { headerRule: true, indent: "  ", align: ["left", "right", "right", "right"] }),
    "",
    "Detaching headB's input leaves headB's own weights a gradient but stops its credit from reaching",
    "body (body's gradient now comes from headA alone). Detaching h cuts body off: its .grad stays null.",
    "",
    `Freezing body by detaching its output, ${r.freeze.steps} SGD steps (lr 0.1): loss ${r.freeze.lossBefore.toFixed(6)} → ${r.freeze.lossAfter.toFixed(6)};`,
    `largest change in body's weights ${r.freeze.frozenMaxChange}, in the heads' ${r.freeze.headMaxChange.toFixed(6)}.`,
  ].join("\n");
}

export const detachDemo = defineDemo<{ json?: boolean }>({
  name: "detach",
  section: "Interview questions",
  summary: "a detached branch: which parameters get gradients and which stay null; freezing a layer",
  options: [jsonOption],
  run: (o) => jsonOrText(detachDemoResult(), o.json, formatDetachDemo),
});
