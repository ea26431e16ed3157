// Embedding: a (num, dim) table looked up by int32 indices. Default init N(0, 1), with the
// padding row (if any) zeroed and excluded from gradients, like PyTorch.

import { embedding } from "../functional/index.js";
import { empty } from "../../ops/operand.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import { normal_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { type LayerOptions, checkSize } from "./linear.js";
import { checkOptionKeys } from "../../util/options.js";

export class Embedding extends Module {
  weight: Parameter;
  /** Normalised (non-negative) padding index, or null. */
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: LayerOptions & { paddingIdx?: number | null } = {}) {
    super();
    checkOptionKeys("Embedding", opts, ["dtype", "generator", "paddingIdx"]);
    checkSize("Embedding", "numEmbeddings", numEmbeddings);
    checkSize("Embedding", "embeddingDim", embeddingDim);
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings) {
        throw new ValueError(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${pad}`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], opts.dtype ?? "float32"));
    normal_(this.weight, 0, 1, opts.generator ? { generator: opts.generator } : {});
    if (pad !== null) this.weight.data.fill(0, pad * embeddingDim, (pad + 1) * embeddingDim);
  }

  /** idx (any shape, int32) -> (..., dim). */
  forward(idx: Tensor): Tensor {
    return embedding(idx, this.weight, { paddingIdx: this.paddingIdx });
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ""}`;
  }
}
