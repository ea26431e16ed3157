// Losses as modules, wrapping nn.functional; options are fixed at construction, and class/element
// weights are registered as buffers (as in PyTorch, so they appear in stateDict()).

import {
  type BceWithLogitsOptions, type CrossEntropyOptions, type NllLossOptions, type ReductionOptions,
  binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss,
} from "../functional/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

export class CrossEntropyLoss extends Module {
  constructor(readonly opts: CrossEntropyOptions = {}) {
    super();
    if (opts.weight) this.registerBuffer("weight", opts.weight);
  }
  /** logits (N, C) or (N, C, d...) or (C); targets int32 class indices or class probabilities. */
  forward(logits: Tensor, targets: Tensor): Tensor {
    return crossEntropy(logits, targets, this.opts);
  }
}

export class NLLLoss extends Module {
  constructor(readonly opts: NllLossOptions = {}) {
    super();
    if (opts.weight) this.registerBuffer("weight", opts.weight);
  }
  forward(logProbs: Tensor, targets: Tensor): Tensor {
    return nllLoss(logProbs, targets, this.opts);
  }
}

export class MSELoss extends Module {
  constructor(readonly opts: ReductionOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.opts);
  }
}

export class L1Loss extends Module {
  constructor(readonly opts: ReductionOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.opts);
  }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly opts: BceWithLogitsOptions = {}) {
    super();
    if (opts.weight) this.registerBuffer("weight", opts.weight);
    if (opts.posWeight) this.registerBuffer("posWeight", opts.posWeight);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.opts);
  }
}
