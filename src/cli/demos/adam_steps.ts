// `descent demo adam-steps`: the reference's two Adam steps (β₁ 0.9, β₂ 0.999, ε 1e-8, η 0.01,
// w = 1.0, gradients 0.4 then −0.2) at full precision: optim.Adam's w beside the moments m, v and
// their bias-corrected m̂, v̂ computed from the formulas. Then the same two steps with each bias
// correction removed, to show what the correction is for.

import { tensor } from "../../index.js";
import * as optim from "../../optim/index.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface AdamStep {
  step: number;
  grad: number;
  m: number;
  v: number;
  mHat: number;
  vHat: number;
  /** w from the formulas. */
  w: number;
  /** w from optim.Adam fed the same gradients. */
  wOptim: number;
  /** The step actually taken, w_{t−1} − w_t. */
  stepSize: number;
}

export interface AdamVariant {
  name: string;
  description: string;
  /** w after each step. */
  w: number[];
  /** Each step's size divided by the bias-corrected step's size. */
  ratioToCorrected: number[];
}

export interface AdamStepsResult {
  hyper: { lr: number; beta1: number; beta2: number; eps: number; w0: number };
  steps: AdamStep[];
  variants: AdamVariant[];
}

const LR = 0.01;
const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;
const GRADS = [0.4, -0.2];

/** Two Adam steps from the formulas; `correctM`/`correctV` switch each bias correction. */
function formulaSteps(correctM: boolean, correctV: boolean): { m: number; v: number; mHat: number; vHat: number; w: number }[] {
  let m = 0;
  let v = 0;
  let w = 1.0;
  return GRADS.map((g, i) => {
    const t = i + 1;
    m = B1 * m + (1 - B1) * g;
    v = B2 * v + (1 - B2) * g * g;
    const mHat = correctM ? m / (1 - B1 ** t) : m;
    const vHat = correctV ? v / (1 - B2 ** t) : v;
    w = w - (LR * mHat) / (Math.sqrt(vHat) + EPS);
    return { m, v, mHat, vHat, w };
  });
}

export function adamStepsResult(): AdamStepsResult {
  const p = tensor([1.0], { dtype: "float64", requiresGrad: true });
  const adam = new optim.Adam([p], { lr: LR, betas: [B1, B2], eps: EPS });
  const wOptim = GRADS.map((g) => {
    p.grad = tensor([g], { dtype: "float64" });
    adam.step();
    return p.data[0]!;
  });
  const full = formulaSteps(true, true);
  let prev = 1.0;
  const steps = full.map((s, i) => {
    const out = { step: i + 1, grad: GRADS[i]!, ...s, wOptim: wOptim[i]!, stepSize: prev - s.w };
    prev = s.w;
    return out;
  });
  const variant = (name: string, description: string, cm: boolean, cv: boolean): AdamVariant => {
    const ws = formulaSteps(cm, cv).map((s) => s.w);
    const sizes = ws.map((w, i) => (i === 0 ? 1.0 : ws[i - 1]!) - w);
    return { name, description, w: ws, ratioToCorrected: sizes.map((s, i) => s / steps[i]!.stepSize) };
  };
  return {
    hyper: { lr: LR, beta1: B1, beta2: B2, eps: EPS, w0: 1.0 },
    steps,
    variants: [
      variant("full Adam", "m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)", true, true),
      variant("m uncorrected", "m used raw: biased toward 0 by (1−β₁ᵗ)", false, true),
      variant("v uncorrected", "v used raw: biased toward 0 by (1−β₂ᵗ)", true, false),
      variant("neither corrected", "both raw", false, false),
    ],
  };
}

const p = (x: number): string => String(+x.toPrecision(12));

export function formatAdamSteps(r: AdamStepsResult): string {
  const h = r.hyper;
  return [
    `Adam, two steps: β₁ = ${h.beta1}, β₂ = ${h.beta2}, ε = ${h.eps}, η = ${h.lr}, w₀ = ${h.w0}, m₀ = v₀ = 0 (float64)`,
    "  m = β₁m + (1−β₁)g,  v = β₂v + (1−β₂)g²,  m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ),  w ← w − η·m̂/(√v̂ + ε)",
    "",
    ...columns([
      ["t", "g", "m", "v", "m̂", "v̂", "w (formulas)", "w (optim.Adam)"],
      ...r.steps.map((s) => [String(s.step), String(s.grad), p(s.m), p(s.v), p(s.mHat), p(s.vHat), String(s.w), String(s.wOptim)]),
    ], { headerRule: true, indent: "  ", align: ["right", "right", "right", "right", "right", "right", "right", "right"] }),
    "",
    "Without bias correction (the same gradients; step size relative to full Adam's):",
    "",
    ...columns([
      ["variant", "what changes", "w₁", "w₂", "step 1 ×", "step 2 ×"],
      ...r.variants.map((v) => [v.name, v.description, p(v.w[0]!), p(v.w[1]!), v.ratioToCorrected[0]!.toFixed(3), v.ratioToCorrected[1]!.toFixed(3)]),
    ], { headerRule: true, indent: "  ", align: ["left", "left", "right", "right", "right", "right"] }),
    "",
    "m starts at 0, so raw m is 10× too small at t = 1 (1−β₁ = 0.1): without its correction the",
    "first steps are timid. v is biased too (1−β₂ = 0.001, √ of it ≈ 0.032), which alone would make",
    "steps 31.6× too bold; with both left raw the biases partly cancel (3.16×), but neither estimate",
    "means what it should. The correction fixes both, and its effect fades as βᵗ → 0.",
  ].join("\n");
}

export const adamStepsDemo = defineDemo<{ json?: boolean }>({
  name: "adam-steps",
  section: "Adam",
  summary: "the two-step Adam example at full precision (0.99, then ≈ 0.98734), with and without bias correction",
  options: [jsonOption],
  run: (o) => jsonOrText(adamStepsResult(), o.json, formatAdamSteps),
});
