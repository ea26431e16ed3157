// Losses as modules, wrapping nn.functional; options are fixed at construction, and tensor options
// (class/element weights) are registered as buffers (as in PyTorch, so they appear in stateDict()).

import {
  type BceWithLogitsOptions, type CrossEntropyOptions, type NllLossOptions, type ReductionOptions,
  binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss,
} from "../functional/index.js";
import { CROSS_ENTROPY_OPTIONS } from "../functional/cross_entropy.js";
import { BCE_WITH_LOGITS_OPTIONS, REDUCTION_OPTIONS } from "../functional/losses.js";
import { NLL_LOSS_OPTIONS } from "../../ops/nn/nll_loss.js";
import { checkOptionKeys } from "../../util/options.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";

/** The shared part of every loss module: the options object, and its tensors registered as buffers. */
abstract class Loss<O extends object> extends Module {
  readonly opts: O;

  constructor(opts: O, allowed: readonly string[]) {
    super();
    checkOptionKeys(new.target.name, opts, allowed);
    this.opts = opts ?? ({} as O);
    for (const [name, v] of Object.entries(this.opts)) if (v instanceof Tensor) this.registerBuffer(name, v);
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  constructor(opts: CrossEntropyOptions = {}) {
    super(opts, CROSS_ENTROPY_OPTIONS);
  }

  /** logits (N, C) or (N, C, d...) or (C); targets int32 class indices or class probabilities. */
  forward(logits: Tensor, targets: Tensor): Tensor {
    return crossEntropy(logits, targets, this.opts);
  }
}

export class NLLLoss extends Loss<NllLossOptions> {
  constructor(opts: NllLossOptions = {}) {
    super(opts, NLL_LOSS_OPTIONS);
  }

  forward(logProbs: Tensor, targets: Tensor): Tensor {
    return nllLoss(logProbs, targets, this.opts);
  }
}

export class MSELoss extends Loss<ReductionOptions> {
  constructor(opts: ReductionOptions = {}) {
    super(opts, REDUCTION_OPTIONS);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.opts);
  }
}

export class L1Loss extends Loss<ReductionOptions> {
  constructor(opts: ReductionOptions = {}) {
    super(opts, REDUCTION_OPTIONS);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.opts);
  }
}

export class BCEWithLogitsLoss extends Loss<BceWithLogitsOptions> {
  constructor(opts: BceWithLogitsOptions = {}) {
    super(opts, BCE_WITH_LOGITS_OPTIONS);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.opts);
  }
}
