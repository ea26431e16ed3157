// flip / roll: reverse or cyclically shift along dims (both copy; the gradient moves back).

import { normalizeDim } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { describeValue } from "../../util/describe.js";
import { IndexError, ShapeError, ValueError } from "../../util/errors.js";
import { requireTensor } from "../operand.js";
import { mapPositions, takeFlat } from "../indexing/take.js";
import { alias } from "./reshape.js";

/** A number or an array of numbers, as a list; integrality and range are the caller's checks. */
function numberList(op: string, v: unknown, arg: string, ErrorType: typeof IndexError | typeof ValueError): number[] {
  if (typeof v === "number") return [v];
  if (!Array.isArray(v) || v.some((d) => typeof d !== "number")) {
    throw new ErrorType(`${op}: ${arg} must be an integer or an array of integers, got ${describeValue(v)}`);
  }
  return [...(v as number[])];
}

function dimList(op: string, dims: unknown, ndim: number): number[] {
  const list = numberList(op, dims, "dims", IndexError);
  const out = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(out).size !== out.length) throw new ValueError(`${op}: dims [${list.join(",")}] repeat a dimension`);
  return out;
}

/** Reverse the order of elements along each of `dims`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  requireTensor("flip", x);
  const flipped = new Set(dimList("flip", dims, x.ndim));
  if (x.ndim === 0) return takeFlat("flip", x, new Int32Array(1), []);
  const pos = mapPositions(x.shape, x.shape, (d, o) => (flipped.has(d) ? x.shape[d]! - 1 - o : o));
  return takeFlat("flip", x, pos, x.shape);
}

/**
 * Shift elements by `shifts` along `dims` (elements pushed off one end come back at the other).
 * Without dims, the flattened tensor is rolled and the shape restored.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  requireTensor("roll", x);
  const shiftList = numberList("roll", shifts, "shifts", ValueError);
  if (shiftList.length === 0) throw new ValueError("roll: shifts must hold at least one shift, got an empty array");
  if (shiftList.some((s) => !Number.isInteger(s))) throw new ValueError(`roll: shifts must be integers, got [${shiftList.join(",")}]`);
  if (dims === undefined) {
    if (shiftList.length !== 1) throw new ValueError(`roll: without dims, shifts must be a single number, got [${shiftList.join(",")}]`);
    const flat = alias("roll", x, [x.numel]);
    return alias("roll", roll(flat, shiftList[0]!, 0), x.shape);
  }
  const dimsList = numberList("roll", dims, "dims", IndexError);
  if (dimsList.length !== shiftList.length) {
    throw new ShapeError(`roll: shifts (${shiftList.length}) and dims (${dimsList.length}) must have the same length`);
  }
  const shiftBy = new Array<number>(x.ndim).fill(0);
  dimsList.forEach((d, i) => {
    const nd = normalizeDim("roll", d, x.ndim);
    shiftBy[nd] = shiftBy[nd]! + shiftList[i]!;
  });
  const n = x.shape;
  const pos = mapPositions(n, n, (d, o) => (((o - shiftBy[d]!) % n[d]!) + n[d]!) % n[d]!);
  return takeFlat("roll", x, pos, n);
}

