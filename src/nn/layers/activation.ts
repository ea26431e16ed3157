// Activation and dropout modules: thin wrappers over the elementwise ops and functional dropout.

import { dropout } from "../functional/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { GeluOptions } from "../../ops/unary.js";
import { ValueError } from "../../util/errors.js";
import type { Generator } from "../../util/rng.js";
import { Module } from "../module.js";
import { checkOptionKeys } from "../../util/options.js";
import { requireTensor } from "../../ops/operand.js";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    requireTensor(this.constructor.name, x);
    return x.relu();
  }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(opts: GeluOptions = {}) {
    super();
    checkOptionKeys("GELU", opts, ["approximate"]);
    this.approximate = opts.approximate ?? "none";
    if (this.approximate !== "none" && this.approximate !== "tanh") {
      throw new ValueError(`GELU: approximate must be "none" or "tanh", got "${String(this.approximate)}"`);
    }
  }
  forward(x: Tensor): Tensor {
    requireTensor(this.constructor.name, x);
    return x.gelu({ approximate: this.approximate });
  }
  protected override extraRepr(): string {
    return `approximate="${this.approximate}"`;
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    requireTensor(this.constructor.name, x);
    return x.tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    requireTensor(this.constructor.name, x);
    return x.sigmoid();
  }
}

/** Inverted dropout in training mode, identity in eval mode. */
export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly opts: { generator?: Generator } = {}) {
    super();
    checkOptionKeys("Dropout", opts, ["generator"]);
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be between 0 and 1, got ${String(p)}`);
  }
  forward(x: Tensor): Tensor {
    requireTensor(this.constructor.name, x);
    return dropout(x, this.p, this.training, this.opts.generator ? { generator: this.opts.generator } : {});
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
