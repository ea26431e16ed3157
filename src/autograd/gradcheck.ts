// gradcheck: compare backward() against float64 central differences.
// For an output y and a fixed random cotangent v, the analytic vector-Jacobian product
// (from y.backward(v)) must match d<v, y>/dx_j = (<v, f(x+eps e_j)> - <v, f(x-eps e_j)>) / 2eps.

import { Tensor } from "../tensor/tensor.js";
import { describeValue } from "../util/describe.js";
import { DTypeError, DescentError, ValueError } from "../util/errors.js";
import { Generator } from "../util/rng.js";
import { noGrad } from "./grad_mode.js";
import { checkOptionKeys, optionNames } from "../util/options.js";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed for the random cotangent (default 0). */
  seed?: number;
  /** Throw GradcheckError on failure (default true); otherwise return false. */
  throwOnFailure?: boolean;
}

export class GradcheckError extends DescentError {
  constructor(
    message: string,
    readonly inputIndex: number,
    readonly elementIndex: number,
    readonly analytic: number,
    readonly numeric: number,
  ) {
    super(message);
  }
}

export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  if (typeof fn !== "function") throw new ValueError(`gradcheck: fn must be a function of the input tensors, got ${describeValue(fn)}`);
  if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof Tensor)) {
    throw new ValueError(`gradcheck: inputs must be an array of Tensors, got ${describeValue(inputs)}`);
  }
  checkOptionKeys("gradcheck", opts, optionNames<GradcheckOptions>({ eps: true, atol: true, rtol: true, seed: true, throwOnFailure: true }));
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const throwOnFailure = opts.throwOnFailure ?? true;
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== "float64") {
      throw new DTypeError(`gradcheck: input ${i} has dtype ${t.dtype}; finite differences need float64 inputs`);
    }
  });
  const checked = inputs.map((t) => t.requiresGrad);
  if (!checked.some(Boolean)) throw new DescentError("gradcheck: no input requires grad");

  const y0 = fn(...inputs);
  const gen = new Generator(opts.seed ?? 0);
  const v = new Float64Array(y0.numel);
  for (let i = 0; i < v.length; i++) v[i] = gen.normal();
  const dot = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * y.data[i]!;
    return s;
  };

  // Analytic: backward with cotangent v, leaving the inputs' .grad as they were.
  const saved = inputs.map((t) => t.grad);
  inputs.forEach((t) => {
    if (t.requiresGrad) t.grad = null;
  });
  if (y0.requiresGrad) {
    const vt = new Tensor(y0.dtype === "float32" ? Float32Array.from(v) : v.slice(), y0.shape);
    y0.backward(vt);
  }
  const analytic = inputs.map((t) => (t.grad ? Float64Array.from(t.grad.data) : new Float64Array(t.numel)));
  inputs.forEach((t, i) => {
    if (t.requiresGrad) t.grad = saved[i]!;
  });

  let worst = { excess: -Infinity, input: -1, index: -1, a: 0, n: 0 };
  noGrad(() => {
    inputs.forEach((t, ti) => {
      if (!checked[ti]) return;
      const d = t.data;
      for (let j = 0; j < d.length; j++) {
        const orig = d[j]!;
        d[j] = orig + eps;
        const plus = dot(fn(...inputs));
        d[j] = orig - eps;
        const minus = dot(fn(...inputs));
        d[j] = orig;
        const numeric = (plus - minus) / (2 * eps);
        const a = analytic[ti]![j]!;
        const err = Math.abs(a - numeric);
        const excess = err - (atol + rtol * Math.abs(numeric));
        const bad = !(excess <= 0); // NaN counts as a failure
        if (bad && (worst.excess < excess || Number.isNaN(excess))) worst = { excess, input: ti, index: j, a, n: numeric };
      }
    });
  });
  if (worst.input < 0) return true;
  const msg =
    `gradcheck: gradient mismatch for input ${worst.input} (shape [${inputs[worst.input]!.shape.join(",")}]) at flat index ${worst.index}: ` +
    `analytic ${worst.a}, numeric ${worst.n}, |diff| ${Math.abs(worst.a - worst.n)} > atol ${atol} + rtol ${rtol} * |numeric|`;
  if (throwOnFailure) throw new GradcheckError(msg, worst.input, worst.index, worst.a, worst.n);
  return false;
}
