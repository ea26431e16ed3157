// LayerNorm over the trailing normalizedShape dims, with learnable weight (ones) and bias (zeros).

import { layerNorm } from "../functional/index.js";
import { ones, zeros } from "../../tensor/create.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../util/dtype.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkSize } from "./linear.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";
import { describeValue } from "../../util/describe.js";
import { ValueError } from "../../util/errors.js";

export interface LayerNormOptions {
  eps?: number;
  /** Learnable per-element weight and bias (default true). */
  elementwiseAffine?: boolean;
  /** Whether the affine part has a bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
}

export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    checkOptionKeys("LayerNorm", opts, optionNames<LayerNormOptions>({ eps: true, elementwiseAffine: true, bias: true, dtype: true }));
    if (typeof normalizedShape !== "number" && !Array.isArray(normalizedShape)) {
      throw new ValueError(`LayerNorm: normalizedShape must be a size or an array of sizes, got ${describeValue(normalizedShape)}`);
    }
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    shape.forEach((s, i) => checkSize("LayerNorm", `normalizedShape[${i}]`, s));
    this.normalizedShape = Object.freeze(shape);
    this.eps = opts.eps ?? 1e-5;
    const dtype = opts.dtype ?? "float32";
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(shape, { dtype })) : null;
    this.bias = affine && (opts.bias ?? true) ? new Parameter(zeros(shape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
