// Elementwise binary cross-entropy ops with explicit backward rules (PyTorch's formulas), so the
// gradient is exact where the composed forward has kinks (|x| at 0) or 0/0 (p = 0 or 1).

import { noGrad, record } from "../../autograd/index.js";
import { canBroadcastTo, fmt, shapesEqual } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { add, div, maximum, mul, sub } from "../binary.js";
import { requireFloat, requireTensor } from "../operand.js";
import { abs, exp, log, log1p, neg, relu, sigmoid } from "../unary.js";

function checkPair(op: string, input: Tensor, target: Tensor): void {
  requireTensor(op, input);
  requireTensor(op, target, "target");
  requireFloat(op, input);
  requireFloat(op, target, "target");
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: target size ${fmt(target.shape)} must be the same as input size ${fmt(input.shape)}`);
  }
}

/** softplus(-x) = log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)), stable for any x. */
function softplusNeg(x: Tensor): Tensor {
  return add(relu(neg(x)), log1p(exp(neg(abs(x)))));
}

/**
 * Unreduced -[p t log σ(x) + (1 - t) log(1 - σ(x))] = (1 - t) x + (1 + (p - 1) t) softplus(-x).
 * posWeight p broadcasts against x (typically shape [C]).
 */
export function bceWithLogitsElementwise(x: Tensor, t: Tensor, posWeight: Tensor | null): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkPair(op, x, t);
  if (posWeight) {
    requireTensor(op, posWeight, "posWeight");
    requireFloat(op, posWeight, "posWeight");
    if (!canBroadcastTo(posWeight.shape, x.shape)) {
      throw new ShapeError(`${op}: posWeight of shape ${fmt(posWeight.shape)} does not broadcast to the input's shape ${fmt(x.shape)}`);
    }
  }
  const pw = posWeight;
  const [out, sp] = noGrad(() => {
    const s = softplusNeg(x);
    const coef = pw ? add(1, mul(sub(pw, 1), t)) : null; // 1 + (p - 1) t
    const first = mul(sub(1, t), x);
    return [add(first, coef ? mul(coef, s) : s), s] as const;
  });
  const inputs = pw ? [x, t, pw] : [x, t];
  return record(op, inputs, out, (g, needs) => {
    const gx = needs[0]
      ? mul(g, pw ? sub(mul(sigmoid(x), add(1, mul(sub(pw, 1), t))), mul(pw, t)) : sub(sigmoid(x), t))
      : null;
    const gt = needs[1] ? mul(g, pw ? sub(mul(sub(pw, 1), sp), x) : neg(x)) : null;
    const grads = [gx, gt];
    if (pw) grads.push(needs[2] ? mul(g, mul(t, sp)) : null);
    return grads;
  }, { holds: [sp] }); // softplus(-x), computed in the forward pass
}

/** Unreduced -[t log p + (1 - t) log(1 - p)] with each log clamped to >= -100 (PyTorch). */
export function bceElementwise(p: Tensor, t: Tensor): Tensor {
  const op = "binaryCrossEntropy";
  checkPair(op, p, t);
  const d = p.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new ValueError(`${op}: all elements of input should be between 0 and 1, got ${v} at flat index ${i} (shape ${fmt(p.shape)})`);
    }
  }
  const [out, logP, log1mP] = noGrad(() => {
    const lp = maximum(log(p), -100);
    const l1p = maximum(log1p(neg(p)), -100);
    return [neg(add(mul(t, lp), mul(sub(1, t), l1p))), lp, l1p] as const;
  });
  return record(op, [p, t], out, (g, needs) => [
    // (p - t) / max(p (1 - p), 1e-12): PyTorch's epsilon keeps p = 0 or 1 finite.
    needs[0] ? mul(g, div(sub(p, t), maximum(mul(p, sub(1, p)), 1e-12))) : null,
    needs[1] ? mul(g, sub(log1mP, logP)) : null,
  ], { holds: [logP, log1mP] }); // the clamped logs, computed in the forward pass
}
