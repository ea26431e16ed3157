// Statistical reductions: var and std (with Bessel-style correction, default 1 like torch.var)
// and prod (whose gradient stays exact when the slice contains zeros).

import { autocastFloat32 } from "./autocast.js";
import { record } from "../autograd/index.js";
import { normalizeDims } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { binaryForward, div, eq, mul } from "./binary.js";
import { requireFloat, requireTensor } from "./operand.js";
import { type Dims, reduceRaw, reducedShape } from "./reduce.js";
import { where } from "./where.js";
import { checkOptionKeys } from "../util/options.js";

export interface VarOptions {
  /** Subtracted from the element count in the divisor: 1 (default) is unbiased, 0 the population variance. */
  correction?: number;
}

interface Moments {
  /** x - mean, kept for the backward. */
  diff: Tensor;
  /** The variance in the keepDim shape. */
  v: Tensor;
  /** max(0, N - correction). */
  denom: number;
  outShape: number[];
}

function moments(op: string, x: Tensor, dim: Dims | undefined, keepDim: boolean, opts: VarOptions): Moments {
  requireTensor(op, x);
  requireFloat(op, x);
  checkOptionKeys(op, opts, ["correction"]);
  const correction = opts.correction ?? 1;
  if (typeof correction !== "number" || !Number.isFinite(correction)) {
    throw new ValueError(`${op}: correction must be a finite number, got ${String(correction)}`);
  }
  const ds = normalizeDims(op, dim, x.ndim);
  const n = ds.reduce((a, d) => a * x.shape[d]!, 1);
  const denom = Math.max(0, n - correction);
  const mean = binaryForward("div", reduceRaw("sum", x, ds), n)[2];
  const diff = binaryForward("sub", x, mean)[2];
  const v = binaryForward("div", reduceRaw("sum", binaryForward("mul", diff, diff)[2], ds), denom)[2];
  return { diff, v, denom, outShape: reducedShape(x.shape, ds, keepDim) };
}

/** Variance over dims (all when omitted): sum((x - mean)^2) / (N - correction). */
export function variance(x: Tensor, dim?: Dims, keepDim = false, opts: VarOptions = {}): Tensor {
  const { diff, v, denom, outShape } = moments("var", x, dim, keepDim, opts);
  const out = new Tensor(v.data, outShape);
  // d var / dx = 2 (x - mean) / denom (the mean's own dependence sums to zero).
  return record("var", [x], out, (g) => [mul(diff, div(new Tensor(g.data, v.shape), denom / 2))], { saves: [], holds: [diff] }); // diff is private
}

/** Standard deviation: sqrt(var). Where it is 0 the gradient is 0 (PyTorch's convention). */
export function std(x: Tensor, dim?: Dims, keepDim = false, opts: VarOptions = {}): Tensor {
  const { diff, v, denom, outShape } = moments("std", x, dim, keepDim, opts);
  const s = binaryForward("pow", v, 0.5)[2];
  const out = new Tensor(s.data, outShape);
  return record("std", [x], out, (g) => {
    const scale = where(eq(s, 0), 0, div(new Tensor(g.data, s.shape), mul(s, denom))); // g / (denom std)
    return [mul(diff, scale)];
  }, { saves: [out], holds: [diff] }); // s is the output's storage; diff is private
}

export { variance as var };

/**
 * Product over dims (all when omitted). Gradient of each element is the product of the others:
 * out / x when the slice has no zero; at a lone zero, the product of the rest; otherwise 0.
 */
export function prod(x: Tensor, dim?: Dims, keepDim = false): Tensor {
  x = autocastFloat32(x); // autocast: runs in float32
  requireTensor("prod", x);
  const ds = normalizeDims("prod", dim, x.ndim);
  const kept = reduceRaw("prod", x, ds);
  const out = new Tensor(kept.data, reducedShape(x.shape, ds, keepDim));
  return record("prod", [x], out, (g) => {
    const zero = eq(x, 0);
    const zeros = reduceRaw("sum", zero, ds); // zeros per slice (kept shape)
    const safe = where(zero, 1, x);
    const nonzeroProd = reduceRaw("prod", safe, ds);
    const atZero = where(eq(zeros, 1), nonzeroProd, 0);
    const atOther = where(eq(zeros, 0), div(nonzeroProd, safe), 0);
    return [mul(new Tensor(g.data, kept.shape), where(zero, atZero, atOther))];
  });
}
