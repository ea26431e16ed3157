// Regression and binary-classification losses: mseLoss, l1Loss, binaryCrossEntropy(WithLogits).

import { autocastFloat32 } from "../../ops/autocast.js";
import { mul, sub } from "../../ops/binary.js";
import { bceElementwise, bceWithLogitsElementwise } from "../../ops/nn/bce.js";
import { requireFloat, requireTensor } from "../../ops/operand.js";
import { abs, square } from "../../ops/unary.js";
import { broadcastShapes, canBroadcastTo, fmt } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ShapeError } from "../../util/errors.js";
import { type Reduction, applyReduction, checkReduction } from "./reduction.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";

export interface ReductionOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

export interface BceOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcasts against the input. */
  weight?: Tensor | null;
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term, broadcast against the input (typically shape [C]). */
  posWeight?: Tensor | null;
}

export const REDUCTION_OPTIONS = optionNames<ReductionOptions>({ reduction: true });
export const BCE_OPTIONS = optionNames<BceOptions>({ reduction: true, weight: true });
export const BCE_WITH_LOGITS_OPTIONS = optionNames<BceWithLogitsOptions>({ reduction: true, weight: true, posWeight: true });

function checkRegression(op: string, input: Tensor, target: Tensor): void {
  requireTensor(op, input);
  requireTensor(op, target, "target");
  requireFloat(op, input);
  requireFloat(op, target, "target");
  try {
    broadcastShapes(op, input.shape, target.shape);
  } catch {
    throw new ShapeError(`${op}: target of shape ${fmt(target.shape)} does not broadcast with input of shape ${fmt(input.shape)}`);
  }
}

function checkWeight(op: string, input: Tensor, weight: Tensor | null | undefined): void {
  if (!weight) return;
  requireTensor(op, input);
  requireTensor(op, weight, "weight");
  requireFloat(op, weight, "weight");
  if (!canBroadcastTo(weight.shape, input.shape)) {
    throw new ShapeError(`${op}: weight of shape ${fmt(weight.shape)} does not broadcast to the input's shape ${fmt(input.shape)}`);
  }
}

/** Mean squared error (input - target)^2, reduced. */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptionKeys("mseLoss", opts, REDUCTION_OPTIONS);
  input = autocastFloat32(input); target = autocastFloat32(target); // autocast: runs in float32
  checkRegression("mseLoss", input, target);
  const r = checkReduction("mseLoss", opts.reduction ?? "mean");
  return applyReduction(square(sub(input, target)), r);
}

/** Mean absolute error |input - target|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptionKeys("l1Loss", opts, REDUCTION_OPTIONS);
  input = autocastFloat32(input); target = autocastFloat32(target); // autocast: runs in float32
  checkRegression("l1Loss", input, target);
  const r = checkReduction("l1Loss", opts.reduction ?? "mean");
  return applyReduction(abs(sub(input, target)), r);
}

/** Sigmoid + binary cross-entropy in the stable log-sum-exp form. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  input = autocastFloat32(input); target = autocastFloat32(target); // autocast: runs in float32
  const op = "binaryCrossEntropyWithLogits";
  checkOptionKeys(op, opts, BCE_WITH_LOGITS_OPTIONS);
  const r = checkReduction(op, opts.reduction ?? "mean");
  checkWeight(op, input, opts.weight);
  const loss = bceWithLogitsElementwise(input, target, opts.posWeight ?? null);
  return applyReduction(opts.weight ? mul(loss, opts.weight) : loss, r);
}

/** Binary cross-entropy of probabilities in [0, 1]; each log is clamped to >= -100 like PyTorch. */
export function binaryCrossEntropy(probs: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  probs = autocastFloat32(probs); target = autocastFloat32(target); // autocast: runs in float32
  const op = "binaryCrossEntropy";
  checkOptionKeys(op, opts, BCE_OPTIONS);
  const r = checkReduction(op, opts.reduction ?? "mean");
  checkWeight(op, probs, opts.weight);
  const loss = bceElementwise(probs, target);
  return applyReduction(opts.weight ? mul(loss, opts.weight) : loss, r);
}
