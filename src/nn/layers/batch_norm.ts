// BatchNorm1d over (N, C) or (N, C, L) inputs. Training: normalize with the batch mean and biased
// variance, and update running stats with the unbiased variance (PyTorch). Eval: running stats.

import { fmt } from "../../shape/shape.js";
import { ones, zeros } from "../../tensor/create.js";
import { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../util/dtype.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkSize } from "./linear.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";
import { requireTensor } from "../../ops/operand.js";

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1); null: cumulative average. */
  momentum?: number | null;
  /** Learnable weight (ones) and bias (zeros); default true. */
  affine?: boolean;
  /** Keep running mean/var buffers and use them in eval mode; default true. */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

export class BatchNorm1d extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    checkOptionKeys("BatchNorm1d", opts, optionNames<BatchNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true, dtype: true }));
    checkSize("BatchNorm1d", "numFeatures", numFeatures);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (!(this.eps >= 0)) throw new ValueError(`BatchNorm1d: eps must be >= 0, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ValueError(`BatchNorm1d: momentum must be in [0, 1] or null, got ${this.momentum}`);
    }
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? "float32";
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = this.trackRunningStats;
    this.registerBuffer("runningMean", track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("runningVar", track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer("numBatchesTracked", track ? zeros([], { dtype: "int32" }) : null);
  }

  /** x (N, C) or (N, C, L). */
  forward(x: Tensor): Tensor {
    requireTensor("BatchNorm1d", x);
    const C = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) {
      throw new ShapeError(`BatchNorm1d: expected input (N, ${C}) or (N, ${C}, L), got ${fmt(x.shape)}`);
    }
    const dims = x.ndim === 2 ? [0] : [0, 2];
    const bshape = x.ndim === 2 ? [1, C] : [1, C, 1]; // per-channel values broadcast against x
    const useBatchStats = this.training || !this.trackRunningStats;
    let xhat: Tensor;
    if (useBatchStats) {
      const n = x.numel / C;
      if (this.training && n <= 1) {
        throw new ValueError(`BatchNorm1d: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`);
      }
      const mean = x.mean(dims, true);
      const diff = x.sub(mean);
      const varBiased = diff.mul(diff).mean(dims, true);
      xhat = diff.mul(varBiased.add(this.eps).rsqrt());
      if (this.training && this.trackRunningStats) this.updateRunningStats(mean, varBiased, n);
    } else {
      const rm = new Tensor(this.runningMean!.data, bshape);
      const rv = new Tensor(this.runningVar!.data, bshape);
      xhat = x.sub(rm).mul(rv.add(this.eps).rsqrt());
    }
    if (this.weight && this.bias) xhat = xhat.mul(this.weight.reshape(bshape)).add(this.bias.reshape(bshape));
    return xhat;
  }

  /** running <- (1 - f) running + f batch, f = momentum (or 1/numBatchesTracked when null). */
  private updateRunningStats(mean: Tensor, varBiased: Tensor, n: number): void {
    // Plain writes to the buffers' storage: nothing here records a graph.
    const nbt = this.numBatchesTracked!;
    nbt.data[0] = nbt.data[0]! + 1;
    const f = this.momentum ?? 1 / nbt.data[0]!;
    const rm = this.runningMean!.data, rv = this.runningVar!.data;
    const unbias = n / (n - 1);
    for (let c = 0; c < this.numFeatures; c++) {
      rm[c] = (1 - f) * rm[c]! + f * mean.data[c]!;
      rv[c] = (1 - f) * rv[c]! + f * varBiased.data[c]! * unbias;
    }
    nbt.markModified();
    this.runningMean!.markModified();
    this.runningVar!.markModified();
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}
