// Negative log-likelihood over log-probabilities with int32 class-index targets and optional
// per-class weights: loss_i = -w[t_i] * logp[i, t_i]; "mean" divides by the sum of w[t_i]
// over non-ignored targets (PyTorch semantics). A gather, so plain loops over the targets.

import { autocastFloat32 } from "../autocast.js";
import type { FloatArray } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocate } from "../../util/dtype.js";
import {
  type Reduction, checkClassWeight, checkIgnoreIndex, checkIndexTargets, checkReduction, classLayout, reduceRows, rowGrads,
} from "./class_targets.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";

export interface NllLossOptions {
  /** Targets equal to this contribute nothing (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
  /** Per-class weights, shape [C]. */
  weight?: Tensor | null;
}

export const NLL_LOSS_OPTIONS = optionNames<NllLossOptions>({ ignoreIndex: true, reduction: true, weight: true });

export function nllLoss(logProbs: Tensor, targets: Tensor, opts: NllLossOptions = {}): Tensor {
  logProbs = autocastFloat32(logProbs); // autocast: runs in float32
  const op = "nllLoss";
  checkOptionKeys(op, opts, NLL_LOSS_OPTIONS);
  const lay = classLayout(op, logProbs);
  const ignoreIndex = checkIgnoreIndex(op, opts.ignoreIndex ?? -100);
  const reduction = checkReduction(op, opts.reduction ?? "mean");
  checkIndexTargets(op, logProbs, targets, lay, ignoreIndex);
  const dtype = logProbs.dtype;
  const w = opts.weight ? checkClassWeight(op, opts.weight, lay.C, dtype).data : null;
  const { C, inner, rows } = lay;
  const t = targets.data;
  const lp = logProbs.data;
  // Flat index of (n, t, s) in the (N, C, inner) input, and the weight of each row (0 if ignored).
  const at = (r: number, c: number): number => (Math.floor(r / inner) * C + c) * inner + (r % inner);
  const rowW = new Float64Array(rows);
  const loss = allocate(dtype, rows) as FloatArray;
  let wsum = 0;
  for (let r = 0; r < rows; r++) {
    const c = t[r]!;
    if (c === ignoreIndex) continue;
    rowW[r] = w ? w[c]! : 1;
    wsum += rowW[r]!;
    loss[r] = -rowW[r]! * lp[at(r, c)]!;
  }
  const out = reduceRows(loss, lay, reduction, wsum);
  const lpShape = logProbs.shape, lpNumel = logProbs.numel; // not logProbs: the closure would keep its storage alive
  return record(op, [logProbs], out, (g) => {
    const scale = rowGrads(g, lay, reduction, wsum, dtype);
    const gx = allocate(dtype, lpNumel);
    for (let r = 0; r < rows; r++) {
      if (t[r] !== ignoreIndex) gx[at(r, t[r]!)] = -rowW[r]! * scale[r]!;
    }
    return [new Tensor(gx, lpShape)];
  }, { saves: [targets], holds: [new Tensor(rowW, [rows])] }); // the per-row weights (float64)
}
