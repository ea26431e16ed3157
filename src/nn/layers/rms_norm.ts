// RMSNorm (torch.nn.RMSNorm, PyTorch >= 2.4) over the trailing normalizedShape dims, with a
// learnable per-element weight initialised to ones and no bias.

import { rmsNorm } from "../functional/index.js";
import { ones } from "../../tensor/create.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../util/dtype.js";
import { ValueError } from "../../util/errors.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkSize } from "./linear.js";

export interface RMSNormOptions {
  /** Added to mean(x²); null (default) means torch.finfo(input dtype).eps, as in PyTorch. */
  eps?: number | null;
  /** A learnable per-element weight (default true). */
  elementwiseAffine?: boolean;
  dtype?: FloatDType;
}

export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: RMSNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    shape.forEach((s, i) => checkSize("RMSNorm", `normalizedShape[${i}]`, s));
    const eps = opts.eps ?? null;
    if (eps !== null && (typeof eps !== "number" || !(eps >= 0) || eps === Infinity)) {
      throw new ValueError(`RMSNorm: eps must be a finite non-negative number or null, got ${String(eps)}`);
    }
    this.normalizedShape = Object.freeze(shape);
    this.eps = eps;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(shape, { dtype: opts.dtype ?? "float32" })) : null;
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps === null ? "null" : this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
