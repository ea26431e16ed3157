// Losses as modules, wrapping nn.functional; options are fixed at construction, and tensor options
// (class/element weights) are registered as buffers (as in PyTorch, so they appear in stateDict()).

import {
  type BceWithLogitsOptions, type CrossEntropyOptions, type NllLossOptions, type ReductionOptions,
  binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss,
} from "../functional/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/** The shared part of every loss module: the options object, and its tensors registered as buffers. */
abstract class Loss<O extends object> extends Module {
  constructor(readonly opts: O = {} as O) {
    super();
    for (const [name, v] of Object.entries(opts)) if (v instanceof Tensor) this.registerBuffer(name, v);
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  /** logits (N, C) or (N, C, d...) or (C); targets int32 class indices or class probabilities. */
  forward(logits: Tensor, targets: Tensor): Tensor {
    return crossEntropy(logits, targets, this.opts);
  }
}

export class NLLLoss extends Loss<NllLossOptions> {
  forward(logProbs: Tensor, targets: Tensor): Tensor {
    return nllLoss(logProbs, targets, this.opts);
  }
}

export class MSELoss extends Loss<ReductionOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.opts);
  }
}

export class L1Loss extends Loss<ReductionOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.opts);
  }
}

export class BCEWithLogitsLoss extends Loss<BceWithLogitsOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.opts);
  }
}
