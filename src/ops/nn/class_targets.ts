// Shared by the losses over class scores (crossEntropy, nllLoss): input (C), (N, C) or
// (N, C, d1, ...) with the class dim at 1 (0 when unbatched), int32 class-index targets of the
// input's shape minus that dim, and the reduction of one loss per target row.

import { getBackend } from "../../backend/index.js";
import type { FloatArray } from "../../backend/backend.js";
import { fmt, numel } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocate, dtypeOfArray } from "../../util/dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, requireFloat, requireTensor } from "../operand.js";

export type Reduction = "mean" | "sum" | "none";

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new ValueError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
  return reduction;
}

/** The input viewed as (outer, C, inner): outer = N (1 unbatched), inner = d1 * d2 * ... */
export interface ClassLayout {
  classDim: number;
  C: number;
  outer: number;
  inner: number;
  /** outer * inner: one row of C class scores per target. */
  rows: number;
  /** Shape of index targets and of reduction "none" output: the input's shape without the class dim. */
  targetShape: number[];
}

export function classLayout(op: string, input: Tensor): ClassLayout {
  requireTensor(op, input);
  requireFloat(op, input);
  if (input.ndim === 0) {
    throw new ShapeError(`${op}: input must have shape (C), (N, C) or (N, C, d1, ...), got a 0-d tensor ${fmt(input.shape)}`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  const outer = classDim === 0 ? 1 : input.shape[0]!;
  const inner = numel(input.shape.slice(classDim + 1));
  const targetShape = input.shape.filter((_, i) => i !== classDim);
  return { classDim, C, outer, inner, rows: outer * inner, targetShape };
}

/** Validate int32 class-index targets: shape, and every value in [0, C) or equal to ignoreIndex. */
export function checkIndexTargets(op: string, input: Tensor, targets: Tensor, lay: ClassLayout, ignoreIndex: number): void {
  requireTensor(op, targets, "targets");
  if (targets.dtype !== "int32") {
    throw new DTypeError(`${op}: class-index targets must be int32, got dtype ${targets.dtype}`);
  }
  const shapeOk = targets.ndim === lay.targetShape.length && targets.shape.every((s, i) => s === lay.targetShape[i]);
  if (!shapeOk) {
    throw new ShapeError(
      `${op}: expected int32 class-index targets of shape ${fmt(lay.targetShape)} for input of shape ${fmt(input.shape)}` +
        ` (class dim ${lay.classDim} removed), got targets of shape ${fmt(targets.shape)}`,
    );
  }
  const t = targets.data;
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= lay.C)) {
      throw new IndexError(
        `${op}: target ${v} (at flat index ${i}) is out of bounds for ${lay.C} classes: expected 0..${lay.C - 1} or ignoreIndex ${ignoreIndex}`,
      );
    }
  }
}

export function checkIgnoreIndex(op: string, ignoreIndex: unknown): number {
  if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) {
    throw new ValueError(`${op}: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  }
  return ignoreIndex;
}

/** Per-class weights: a float tensor of shape [C], returned in `dtype` (never differentiated, like PyTorch). */
export function checkClassWeight(op: string, weight: Tensor, C: number, dtype: Tensor["dtype"]): Tensor {
  requireTensor(op, weight, "weight");
  requireFloat(op, weight, "weight");
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new ShapeError(`${op}: weight must have shape [${C}] (one entry per class), got ${fmt(weight.shape)}`);
  }
  return castTensor(weight, dtype);
}

/** Per-row losses (lay.rows of them) reduced: "none" keeps them in the targets' shape, "mean" divides the sum by `denom`. */
export function reduceRows(loss: FloatArray, lay: ClassLayout, reduction: Reduction, denom: number): Tensor {
  if (reduction === "none") return new Tensor(loss, lay.targetShape);
  const total = allocate(dtypeOfArray(loss), 1) as FloatArray;
  getBackend().reduce("sum", loss, 1, lay.rows, 1, total);
  if (reduction === "mean") total[0] = total[0]! / denom;
  return new Tensor(total, []);
}

/** The backward of reduceRows: the upstream gradient of each row, in `dtype`. */
export function rowGrads(g: Tensor, lay: ClassLayout, reduction: Reduction, denom: number, dtype: Tensor["dtype"]): FloatArray {
  const gd = castTensor(g, dtype).data as FloatArray;
  if (reduction === "none") return gd;
  const scale = allocate(dtype, lay.rows) as FloatArray;
  return scale.fill(reduction === "mean" ? gd[0]! / denom : gd[0]!);
}
