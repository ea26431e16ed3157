// crossEntropy with PyTorch semantics: logits (C), (N, C) or (N, C, d1, ...) with classes on dim 1;
// int32 class-index targets (fused kernel, or logSoftmax + nllLoss when class weights are given)
// or float class-probability targets of the logits' shape.

import { autocastFloat32 } from "../../ops/autocast.js";
import { add, div, mul } from "../../ops/binary.js";
import {
  type ClassLayout, type Reduction, checkClassWeight, checkIgnoreIndex, checkIndexTargets, checkReduction, classLayout,
} from "../../ops/nn/class_targets.js";
import { crossEntropyFused } from "../../ops/nn/cross_entropy.js";
import { nllLoss } from "../../ops/nn/nll_loss.js";
import { logSoftmax } from "../../ops/nn/softmax.js";
import { requireTensor } from "../../ops/operand.js";
import { sum } from "../../ops/reduce.js";
import { neg } from "../../ops/unary.js";
import { where } from "../../ops/where.js";
import { fmt, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { DTypeError, ShapeError, ValueError } from "../../util/errors.js";
import { applyReduction } from "./reduction.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";

export interface CrossEntropyOptions {
  /** Index targets equal to this contribute no loss and no gradient (default -100). */
  ignoreIndex?: number;
  /** Mix the target with the uniform distribution: (1 - s) * target + s / C (default 0). */
  labelSmoothing?: number;
  /** "mean" (default), "sum" or "none" (per-target losses, the logits' shape without the class dim). */
  reduction?: Reduction;
  /** Per-class weights, shape [C]. */
  weight?: Tensor | null;
}

/** The weight reshaped to broadcast along the class dim: [C] unbatched, [C, 1, ...] otherwise. */
function classBroadcast(w: Tensor, x: Tensor, lay: ClassLayout): Tensor {
  const shape = x.shape.slice(lay.classDim).map((s, i) => (i === 0 ? s : 1));
  return new Tensor(w.data, shape);
}

export const CROSS_ENTROPY_OPTIONS = optionNames<CrossEntropyOptions>({ ignoreIndex: true, labelSmoothing: true, reduction: true, weight: true });

export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  logits = autocastFloat32(logits); // autocast: runs in float32
  const op = "crossEntropy";
  checkOptionKeys(op, opts, CROSS_ENTROPY_OPTIONS);
  const lay = classLayout(op, logits);
  requireTensor(op, targets, "targets");
  const ignoreIndex = checkIgnoreIndex(op, opts.ignoreIndex ?? -100);
  const reduction = checkReduction(op, opts.reduction ?? "mean");
  const ls = opts.labelSmoothing ?? 0;
  if (typeof ls !== "number" || !(ls >= 0 && ls <= 1)) {
    throw new ValueError(`${op}: labelSmoothing must be a number in [0, 1], got ${String(ls)}`);
  }
  const weight = opts.weight ? checkClassWeight(op, opts.weight, lay.C, logits.dtype) : null;

  if (targets.dtype !== "int32") return probabilityTargets(logits, targets, lay, ls, reduction, weight);
  checkIndexTargets(op, logits, targets, lay, ignoreIndex);
  if (!weight) return crossEntropyFused(logits, targets, lay, ignoreIndex, ls, reduction);

  // Weighted: per target (1 - s) * weighted NLL + (s / C) * smoothing term; "mean" divides the
  // total by the summed weights of the non-ignored targets (PyTorch's formula).
  const logp = logSoftmax(logits, lay.classDim);
  if (ls === 0) return nllLoss(logp, targets, { ignoreIndex, reduction, weight });
  const nll = nllLoss(logp, targets, { ignoreIndex, reduction: "none", weight });
  const ignored = new Tensor(Int32Array.from(targets.data, (v) => (v === ignoreIndex ? 1 : 0)), targets.shape);
  const smooth = where(ignored, 0, neg(sum(mul(logp, classBroadcast(weight, logits, lay)), lay.classDim)));
  const loss = add(mul(nll, 1 - ls), mul(smooth, ls / lay.C));
  if (reduction === "none") return loss;
  const total = sum(loss);
  if (reduction === "sum") return total;
  let wsum = 0;
  for (const v of targets.data) if (v !== ignoreIndex) wsum += weight.data[v]!;
  return div(total, wsum);
}

/** Soft targets: -sum_c w_c * target_c * logp_c per row; "mean" divides by the number of rows. */
function probabilityTargets(
  logits: Tensor, targets: Tensor, lay: ClassLayout, ls: number, reduction: Reduction, weight: Tensor | null,
): Tensor {
  const op = "crossEntropy";
  if (!shapesEqual(targets.shape, logits.shape)) {
    throw new ShapeError(
      `${op}: float (class-probability) targets must have the logits' shape ${fmt(logits.shape)}, got ${fmt(targets.shape)}` +
        ` (class-index targets must be int32 of shape ${fmt(lay.targetShape)})`,
    );
  }
  if (targets.dtype !== "float32" && targets.dtype !== "float64") {
    throw new DTypeError(`${op}: targets must be int32 class indices or float class probabilities, got ${targets.dtype}`);
  }
  const logp = logSoftmax(logits, lay.classDim);
  const t = ls > 0 ? add(mul(targets, 1 - ls), ls / lay.C) : targets;
  let prod = mul(logp, t);
  if (weight) prod = mul(prod, classBroadcast(weight, logits, lay));
  return applyReduction(neg(sum(prod, lay.classDim)), reduction); // one loss per row: "mean" divides by the rows
}
