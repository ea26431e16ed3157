// Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay w <- w (1 - lr wd)),
// with bias correction and optional AMSGrad. The math is the backend's adamUpdate kernel; a step
// updates every parameter in one adamUpdateMany call (one pool job natively, same results).

import { getBackend } from "../backend/index.js";
import type { AdamParams, AdamTensorUpdate, FloatArray } from "../backend/backend.js";
import type { Tensor } from "../tensor/tensor.js";
import { type ParamGroup, type ParamState, type ParamsInput, type StepItem, Optimizer, OptimizerError, checkBool, checkNumber } from "./optimizer.js";
import { checkOptionKeys, optionNames } from "../util/options.js";

export type AdamHyper = {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
};

export type AdamOptions = Partial<AdamHyper>;
const ADAM_OPTIONS = optionNames<AdamOptions>({ lr: true, betas: true, eps: true, weightDecay: true, amsgrad: true });

abstract class AdamBase extends Optimizer<AdamHyper> {
  protected abstract readonly decoupled: boolean;

  protected validateHyper(h: AdamHyper): void {
    checkNumber(this.name, "lr", h.lr, 0);
    checkNumber(this.name, "eps", h.eps, 0);
    checkNumber(this.name, "weightDecay", h.weightDecay, 0);
    checkBool(this.name, "amsgrad", h.amsgrad);
    if (!Array.isArray(h.betas) || h.betas.length !== 2) {
      throw new OptimizerError(`${this.name}: invalid betas ${JSON.stringify(h.betas)}; expected a pair [beta1, beta2]`);
    }
    checkNumber(this.name, "betas[0]", h.betas[0], 0, 1, false);
    checkNumber(this.name, "betas[1]", h.betas[1], 0, 1, false);
  }

  protected override knownBufferNames(): readonly string[] {
    return ["expAvg", "expAvgSq", "maxExpAvgSq"];
  }
  protected bufferNames(h: AdamHyper): string[] {
    return h.amsgrad ? ["expAvg", "expAvgSq", "maxExpAvgSq"] : ["expAvg", "expAvgSq"];
  }

  /** The kernel's view of one parameter, its buffers created on first use (the step not yet counted). */
  private tensorUpdate(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamHyper>): AdamTensorUpdate {
    const p: AdamParams = {
      lr: group.lr,
      beta1: group.betas[0],
      beta2: group.betas[1],
      eps: group.eps,
      weightDecay: group.weightDecay,
      decoupled: this.decoupled,
      step: state.step + 1,
      amsgrad: group.amsgrad,
      gradScale: 1,
    };
    return {
      param: param.data as FloatArray, grad: grad.data as FloatArray,
      m: this.buffer(param, state, "expAvg"), v: this.buffer(param, state, "expAvgSq"),
      vmax: group.amsgrad ? this.buffer(param, state, "maxExpAvgSq") : null, p,
    };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamHyper>): void {
    const u = this.tensorUpdate(param, grad, state, group);
    getBackend().adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
    state.step += 1;
  }

  protected override updateAll(items: readonly StepItem<AdamHyper>[]): void {
    const updates = items.map(({ param, grad, state, group }) => this.tensorUpdate(param, grad, state, group));
    getBackend().adamUpdateMany(updates);
    for (const { state } of items) state.step += 1; // counted once the kernel has run
  }
}

function hyper(name: string, opts: AdamOptions | undefined, weightDecay: number): AdamHyper {
  checkOptionKeys(name, opts, ADAM_OPTIONS);
  return {
    lr: opts?.lr ?? 1e-3,
    // A copy (the defaults are frozen and shared by groups), kept whole so validateHyper sees a bad one.
    betas: Array.isArray(opts?.betas) ? ([...opts.betas] as unknown as [number, number]) : (opts?.betas ?? [0.9, 0.999]),
    eps: opts?.eps ?? 1e-8,
    weightDecay: opts?.weightDecay ?? weightDecay,
    amsgrad: opts?.amsgrad ?? false,
  };
}

/** Adam; weightDecay (default 0) is classic L2: g <- g + wd w. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamHyper>, opts?: AdamOptions) {
    super("Adam", params, hyper("Adam", opts, 0));
  }
}

/** AdamW; weightDecay (default 1e-2) is decoupled: w <- w (1 - lr wd) before the Adam step. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamHyper>, opts?: AdamOptions) {
    super("AdamW", params, hyper("AdamW", opts, 1e-2));
  }
}
