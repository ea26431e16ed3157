// RMSprop: divide the gradient by a running RMS of recent gradients (optionally centered, with
// momentum and L2 weight decay). The math is the pure rmspropUpdate in rmsprop_update.ts.

import type { FloatArray } from "../backend/backend.js";
import type { Tensor } from "../tensor/tensor.js";
import { type ParamGroup, type ParamState, type ParamsInput, Optimizer, checkBool, checkNumber } from "./optimizer.js";
import { type RmspropParams, rmspropUpdate } from "./rmsprop_update.js";
import { checkOptionKeys, optionNames } from "../util/options.js";

/** RMSprop's per-group hyperparameters are exactly the update rule's parameters. */
export type RMSpropHyper = RmspropParams;

export type RMSpropOptions = Partial<RMSpropHyper>;
const RMSPROP_OPTIONS = optionNames<RMSpropOptions>({ lr: true, alpha: true, eps: true, weightDecay: true, momentum: true, centered: true });

export class RMSprop extends Optimizer<RMSpropHyper> {
  constructor(params: ParamsInput<RMSpropHyper>, opts?: RMSpropOptions) {
    checkOptionKeys("RMSprop", opts, RMSPROP_OPTIONS);
    super("RMSprop", params, {
      lr: opts?.lr ?? 1e-2,
      alpha: opts?.alpha ?? 0.99,
      eps: opts?.eps ?? 1e-8,
      weightDecay: opts?.weightDecay ?? 0,
      momentum: opts?.momentum ?? 0,
      centered: opts?.centered ?? false,
    });
  }

  protected validateHyper(h: RMSpropHyper): void {
    checkNumber("RMSprop", "lr", h.lr, 0);
    checkNumber("RMSprop", "alpha", h.alpha, 0, 1, false);
    checkNumber("RMSprop", "eps", h.eps, 0);
    checkNumber("RMSprop", "weightDecay", h.weightDecay, 0);
    checkNumber("RMSprop", "momentum", h.momentum, 0);
    checkBool("RMSprop", "centered", h.centered);
  }

  protected override knownBufferNames(): readonly string[] {
    return ["squareAvg", "momentumBuffer", "gradAvg"];
  }
  protected bufferNames(h: RMSpropHyper): string[] {
    const names = ["squareAvg"];
    if (h.momentum > 0) names.push("momentumBuffer");
    if (h.centered) names.push("gradAvg");
    return names;
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<RMSpropHyper>): void {
    const sq = this.buffer(param, state, "squareAvg");
    const buf = group.momentum > 0 ? this.buffer(param, state, "momentumBuffer") : null;
    const ga = group.centered ? this.buffer(param, state, "gradAvg") : null;
    state.step += 1;
    rmspropUpdate(param.data as FloatArray, grad.data as FloatArray, sq, ga, buf, {
      lr: group.lr,
      alpha: group.alpha,
      eps: group.eps,
      weightDecay: group.weightDecay,
      momentum: group.momentum,
      centered: group.centered,
    });
  }
}
