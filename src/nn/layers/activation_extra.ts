// Activation modules over the functional activations: SiLU, Softplus, ELU, SELU, CELU, Mish,
// Hardswish, Hardsigmoid, ReLU6, Hardtanh, LogSigmoid, Softsign, Softmin, LeakyReLU.

import * as F from "../functional/activations.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import { Module } from "../module.js";

function requireNumber(module: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new ValueError(`${module}: ${arg} must be a number, got ${String(v)}`);
  return v;
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor { return F.silu(x); }
}

export class Mish extends Module {
  forward(x: Tensor): Tensor { return F.mish(x); }
}

export class SELU extends Module {
  forward(x: Tensor): Tensor { return F.selu(x); }
}

export class Hardswish extends Module {
  forward(x: Tensor): Tensor { return F.hardswish(x); }
}

export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor { return F.hardsigmoid(x); }
}

export class ReLU6 extends Module {
  forward(x: Tensor): Tensor { return F.relu6(x); }
}

export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor { return F.logsigmoid(x); }
}

export class Softsign extends Module {
  forward(x: Tensor): Tensor { return F.softsign(x); }
}

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    requireNumber("Softplus", "beta", beta);
    requireNumber("Softplus", "threshold", threshold);
  }
  forward(x: Tensor): Tensor { return F.softplus(x, this.beta, this.threshold); }
  protected override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    requireNumber("ELU", "alpha", alpha);
  }
  forward(x: Tensor): Tensor { return F.elu(x, this.alpha); }
  protected override extraRepr(): string { return `alpha=${this.alpha}`; }
}

export class CELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    requireNumber("CELU", "alpha", alpha);
    if (alpha === 0) throw new ValueError("CELU: alpha must not be 0 (it divides x)");
  }
  forward(x: Tensor): Tensor { return F.celu(x, this.alpha); }
  protected override extraRepr(): string { return `alpha=${this.alpha}`; }
}

export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
    requireNumber("Hardtanh", "minVal", minVal);
    requireNumber("Hardtanh", "maxVal", maxVal);
    if (minVal > maxVal) throw new ValueError(`Hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  }
  forward(x: Tensor): Tensor { return F.hardtanh(x, this.minVal, this.maxVal); }
  protected override extraRepr(): string { return `minVal=${this.minVal}, maxVal=${this.maxVal}`; }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    requireNumber("LeakyReLU", "negativeSlope", negativeSlope);
  }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  protected override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

export class Softmin extends Module {
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ValueError(`Softmin: dim must be an integer, got ${String(dim)}`);
  }
  forward(x: Tensor): Tensor { return F.softmin(x, this.dim); }
  protected override extraRepr(): string { return `dim=${this.dim}`; }
}
