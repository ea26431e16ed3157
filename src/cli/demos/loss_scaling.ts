// `descent demo loss-scaling`: why float16 training scales the loss. Part 1: gradients computed by
// backward through a float16 graph flush to zero when small, and survive when the loss is multiplied
// by amp.GradScaler's 2¹⁶ (then divided back in float32). Part 2: the scaler's dynamics, step by
// step: a gradient that overflows float16 at the current scale makes it skip the step and halve the
// scale; after growthInterval clean steps it doubles again.

import { type HalfDType, amp, optim, tensor } from "../../index.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface SmallGradientRow {
  /** The exact gradient a·b (a and b are representable in float16). */
  exact: number;
  float16: number;
  float16Scaled: number;
  bfloat16: number;
}

export interface ScalerStepRow {
  step: number;
  /** |true gradient| of every parameter this step (c/4). */
  gradient: number;
  scaleBefore: number;
  /** The largest scaled gradient as float16 computed it (inf when it overflowed 65504). */
  scaledGradient: number;
  foundInf: boolean;
  stepped: boolean;
  scaleAfter: number;
  growthTracker: number;
}

export interface LossScalingResult {
  initScale: number;
  small: SmallGradientRow[];
  flushed: { float16: number; float16Scaled: number; bfloat16: number };
  growthInterval: number;
  steps: ScalerStepRow[];
  skipped: number;
}

// Gradient factors a, b: normal float16 numbers whose gradients a·b/8 go from 1e-3 down to 3e-9.
const PAIRS: readonly [number, number][] = [
  [8e-2, 1e-1], [8e-2, 1e-2], [8e-3, 1e-2], [8e-3, 1e-3], [8e-4, 1e-3], [2.4e-3, 1e-4], [8e-4, 1e-4], [2.4e-4, 1e-4],
];

/**
 * d/dp of mean(p · a · b) (8 terms, so d/dp_i = a_i·b_i / 8): p is a float32 master weight cast
 * down, the products run in `format`, and the loss is a float32 mean as under autocast. The
 * gradient enters the low-precision part as 1/8 (times the scale) and shrinks through the muls;
 * with a scaler it is unscaled in float32 afterwards.
 */
function lowPrecisionGradients(format: HalfDType, scaler: amp.GradScaler | null): number[] {
  const p = tensor(PAIRS.map(() => 1), { requiresGrad: true });
  const a = tensor(PAIRS.map(([x]) => x), { dtype: format });
  const b = tensor(PAIRS.map(([, y]) => y), { dtype: format });
  const loss = p.to(format).mul(a).mul(b).to("float32").mean();
  const opt = new optim.SGD([p], { lr: 0 });
  if (scaler) {
    scaler.scale(loss).backward();
    scaler.unscale(opt);
  } else loss.backward();
  return [...p.grad!.data];
}

export function lossScalingResult(): LossScalingResult {
  const initScale = 2 ** 16;
  const exact = PAIRS.map(([x, y]) => (x * y) / 8);
  const f16 = lowPrecisionGradients("float16", null);
  const f16s = lowPrecisionGradients("float16", new amp.GradScaler({ initScale }));
  const bf16 = lowPrecisionGradients("bfloat16", null);
  const small = exact.map((e, i) => ({ exact: e, float16: f16[i]!, float16Scaled: f16s[i]!, bfloat16: bf16[i]! }));
  const zeros = (k: keyof Omit<SmallGradientRow, "exact">): number => small.filter((r) => r[k] === 0).length;

  // Part 2: one float32 master weight vector, gradients computed in float16, SGD through the scaler.
  const growthInterval = 3;
  // d(mean of 4 terms)/dp = c/4: the gradient enters float16 as scale/4 · c, so c = 8 overflows 65504 at scale ≥ 32768.
  const schedule = [1, 8, 8, 8, 4, 4, 4, 4, 4, 4, 4, 1];
  const p = tensor([1, 1, 1, 1], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 1e-3 });
  const scaler = new amp.GradScaler({ initScale, growthInterval });
  const steps: ScalerStepRow[] = schedule.map((gradient, step) => {
    opt.zeroGrad();
    const c = tensor([gradient, -gradient, gradient, -gradient], { dtype: "float16" });
    const scaleBefore = scaler.getScale();
    scaler.scale(p.to("float16").mul(c).to("float32").mean()).backward();
    const scaledGradient = Math.max(...[...p.grad!.data].map(Math.abs));
    const stepped = scaler.step(opt);
    scaler.update();
    return {
      step, gradient: gradient / 4, scaleBefore, scaledGradient, foundInf: !stepped, stepped,
      scaleAfter: scaler.getScale(), growthTracker: scaler.getGrowthTracker(),
    };
  });
  return {
    initScale, small, flushed: { float16: zeros("float16"), float16Scaled: zeros("float16Scaled"), bfloat16: zeros("bfloat16") },
    growthInterval, steps, skipped: scaler.skippedSteps,
  };
}

const e = (x: number): string => (x === 0 ? "0" : !Number.isFinite(x) ? String(x) : x.toExponential(3));

export function formatLossScaling(r: LossScalingResult): string {
  const smallRows = [["exact gradient", "float16", "float16, loss × 2¹⁶ (GradScaler)", "bfloat16"],
    ...r.small.map((s) => [e(s.exact), e(s.float16), e(s.float16Scaled), e(s.bfloat16)])];
  const stepRows = [["step", "|grad|", "scale", "scaled grad (fp16)", "inf/NaN", "optimizer", "new scale", "clean steps"],
    ...r.steps.map((s) => [String(s.step), String(s.gradient), String(s.scaleBefore), String(s.scaledGradient),
      s.foundInf ? "yes" : "no", s.stepped ? "stepped" : "SKIPPED", String(s.scaleAfter), String(s.growthTracker)])];
  const n = r.small.length;
  return [
    "1. Small gradients, computed by backward through float16 (loss = float32 mean of 8 products p·a·b; d/dp = a·b/8):",
    ...columns(smallRows, { headerRule: true, align: ["right", "right", "right", "right"] }),
    `Flushed to zero: float16 ${r.flushed.float16}/${n}, float16 with loss scaling ${r.flushed.float16Scaled}/${n}, bfloat16 ${r.flushed.bfloat16}/${n}.`,
    `Scaling the loss by ${r.initScale} moves the backward pass's numbers into float16's normal range; the`,
    "scaler divides the gradients back in float32 (unscale) before the optimizer sees them.",
    "",
    `2. amp.GradScaler over ${r.steps.length} steps (initScale ${r.initScale}, backoff 0.5, growth 2 every ${r.growthInterval} clean steps):`,
    ...columns(stepRows, { headerRule: true, align: ["right", "right", "right", "right", "left", "left", "right", "right"] }),
    `A scaled gradient above 65504 overflows float16 to inf: the step is skipped (${r.skipped} skipped) and the scale halves;`,
    `after ${r.growthInterval} clean steps it doubles again, so it settles just below the overflow point.`,
  ].join("\n");
}

export const lossScalingDemo = defineDemo<{ json?: boolean }>({
  name: "loss-scaling",
  section: "Mixed precision and loss scaling",
  summary: "small float16 gradients flush to zero without loss scaling; GradScaler backs off and grows back",
  options: [jsonOption],
  run: (o) => jsonOrText(lossScalingResult(), o.json, formatLossScaling),
});
