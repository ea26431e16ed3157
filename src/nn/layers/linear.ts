// Linear (y = x Wᵀ + b) and Identity. Linear's default init is PyTorch's: kaiming_uniform with
// a = √5, i.e. W, b ~ U(-1/√in, 1/√in).

import { linear } from "../../ops/matmul.js";
import { empty } from "../../ops/operand.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../util/dtype.js";
import { ValueError } from "../../util/errors.js";
import type { Generator } from "../../util/rng.js";
import { kaimingUniform_, uniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkOptionKeys } from "../../util/options.js";

export interface LayerOptions {
  /** Parameter dtype, default "float32". */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the global one). */
  generator?: Generator;
}

export function checkSize(layer: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ValueError(`${layer}: ${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    checkOptionKeys("Linear", opts, ["dtype", "generator", "bias"]);
    checkSize("Linear", "inFeatures", inFeatures);
    checkSize("Linear", "outFeatures", outFeatures);
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(empty([outFeatures, inFeatures], dtype));
    this.bias = opts.bias ?? true ? new Parameter(empty([outFeatures], dtype)) : null;
    this.resetParameters(opts.generator);
  }

  resetParameters(generator?: Generator): void {
    const g = generator ? { generator } : {};
    kaimingUniform_(this.weight, { a: Math.sqrt(5), ...g });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound, g);
    }
  }

  /** x (..., in) -> (..., out). */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Returns its input unchanged (a placeholder in Sequential stacks). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
