// vectorNorm (torch.linalg.vector_norm): the ord-norm over dims, with PyTorch's backward, which
// gives 0 (not NaN) where the norm is 0 and splits the inf-norm's gradient evenly over ties.

import { record } from "../autograd/index.js";
import { normalizeDim, normalizeDims } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { describeValue } from "../util/describe.js";
import { DTypeError, IndexError, ValueError } from "../util/errors.js";
import { binaryForward, div, eq, mul, pow } from "./binary.js";
import { requireFloat, requireTensor } from "./operand.js";
import { type Dims, reduceRaw, reducedShape, sum } from "./reduce.js";
import { abs, sign, unaryRaw } from "./unary.js";
import { where } from "./where.js";

/** (sum |x|^ord)^(1/ord) over `dim` (all dims when omitted); ord may be ±Infinity or 0 (count of nonzeros). */
export function vectorNorm(x: Tensor, ord = 2, dim?: Dims, keepDim = false): Tensor {
  return vectorNormAs("vectorNorm", "ord", x, ord, dim, keepDim);
}

/** vectorNorm whose argument errors name `op` (the function the user called) and call the order `ordName`. */
function vectorNormAs(op: string, ordName: string, x: Tensor, ord: number, dim: Dims | undefined, keepDim: boolean): Tensor {
  requireTensor(op, x);
  requireFloat(op, x);
  if (typeof ord !== "number" || Number.isNaN(ord)) throw new ValueError(`${op}: ${ordName} must be a number or ±Infinity, got ${describeValue(ord)}`);
  if (typeof keepDim !== "boolean") throw new DTypeError(`${op}: keepDim must be a boolean, got ${describeValue(keepDim)}`);
  const dims = normalizeDims(op, dim, x.ndim);
  const ax = unaryRaw("abs", x);
  let kept: Tensor;
  if (ord === Infinity || ord === -Infinity) {
    kept = reduceRaw(ord > 0 ? "max" : "min", ax, dims);
  } else if (ord === 0) {
    kept = reduceRaw("sum", binaryForward("ne", x, 0)[2], dims);
  } else if (ord === 1) {
    kept = reduceRaw("sum", ax, dims);
  } else if (ord === 2) {
    kept = unaryRaw("sqrt", reduceRaw("sum", binaryForward("mul", x, x)[2], dims));
  } else {
    kept = binaryForward("pow", reduceRaw("sum", binaryForward("pow", ax, ord)[2], dims), 1 / ord)[2];
  }
  const out = new Tensor(kept.data, reducedShape(x.shape, dims, keepDim));
  return record("vectorNorm", [x], out, (gOut) => {
    const g = new Tensor(gOut.data, kept.shape); // keepDim layout, broadcasts against x
    if (ord === 0) return [mul(x, 0)];
    if (ord === 1) return [mul(sign(x), g)];
    if (ord === Infinity || ord === -Infinity) {
      const hit = eq(abs(x), kept); // ties share the gradient evenly
      const count = sum(hit, dims, true);
      return [mul(mul(sign(x), hit), div(g, count))];
    }
    const zeroNorm = eq(kept, 0);
    if (ord === 2) return [mul(x, where(zeroNorm, 0, div(g, kept)))];
    if (ord < 1) {
      const scaled = mul(sign(x), where(eq(x, 0), 0, pow(abs(x), ord - 1)));
      return [mul(mul(scaled, g), pow(kept, 1 - ord))];
    }
    const scale = where(zeroNorm, 0, div(g, pow(kept, ord - 1)));
    const scaled = ord < 2 ? mul(sign(x), pow(abs(x), ord - 1)) : mul(x, pow(abs(x), ord - 2));
    return [mul(scaled, scale)];
  });
}

/** x / max(‖x‖_p over dim, eps) (torch.nn.functional.normalize; defaults p = 2, dim = 1, eps = 1e-12). */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  requireTensor("normalize", x);
  requireFloat("normalize", x);
  if (typeof eps !== "number" || !(eps >= 0)) throw new ValueError(`normalize: eps must be a non-negative number, got ${describeValue(eps)}`);
  if (typeof dim !== "number") throw new IndexError(`normalize: dim must be an integer, got ${describeValue(dim)}`);
  normalizeDim("normalize", dim, x.ndim);
  const norm = vectorNormAs("normalize", "p", x, p, dim, true);
  return div(x, clampMin(norm, eps));
}

/** max(x, lo) with the gradient where x >= lo (PyTorch's clamp_min). */
function clampMin(x: Tensor, lo: number): Tensor {
  const out = binaryForward("maximum", x, lo)[2];
  const keep = binaryForward("ge", x, lo)[2];
  return record("clampMin", [x], out, (g) => [mul(g, keep)], { saves: [] });
}

