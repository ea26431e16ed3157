// Stochastic gradient descent with PyTorch's momentum rule: v <- mu v + (1 - dampening) g (v = g on
// the first step), w <- w - lr v (Nesterov: w <- w - lr (g + mu v)). Math in the backend's sgdUpdate.

import { getBackend } from "../backend/index.js";
import type { FloatArray } from "../backend/backend.js";
import type { Tensor } from "../tensor/tensor.js";
import { type ParamGroup, type ParamState, type ParamsInput, Optimizer, OptimizerError, checkBool, checkNumber } from "./optimizer.js";
import { checkOptionKeys, optionNames } from "../util/options.js";

export type SGDHyper = {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
};

export type SGDOptions = Partial<SGDHyper> & { lr: number };
const SGD_OPTIONS = optionNames<SGDOptions>({ lr: true, momentum: true, dampening: true, nesterov: true, weightDecay: true });

export class SGD extends Optimizer<SGDHyper> {
  constructor(params: ParamsInput<SGDHyper>, opts: SGDOptions) {
    checkOptionKeys("SGD", opts, SGD_OPTIONS);
    super("SGD", params, {
      lr: opts?.lr,
      momentum: opts?.momentum ?? 0,
      dampening: opts?.dampening ?? 0,
      nesterov: opts?.nesterov ?? false,
      weightDecay: opts?.weightDecay ?? 0,
    });
  }

  protected validateHyper(h: SGDHyper): void {
    checkNumber("SGD", "lr", h.lr, 0);
    checkNumber("SGD", "momentum", h.momentum, 0);
    checkNumber("SGD", "dampening", h.dampening, 0, 1);
    checkNumber("SGD", "weightDecay", h.weightDecay, 0);
    checkBool("SGD", "nesterov", h.nesterov);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new OptimizerError(`SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${h.momentum}, dampening ${h.dampening}`);
    }
  }

  protected override knownBufferNames(): readonly string[] {
    return ["momentumBuffer"];
  }
  protected bufferNames(h: SGDHyper): string[] {
    return h.momentum !== 0 ? ["momentumBuffer"] : [];
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<SGDHyper>): void {
    const hasBuf = state.buffers["momentumBuffer"] !== undefined;
    const buf = group.momentum !== 0 ? this.buffer(param, state, "momentumBuffer") : null;
    getBackend().sgdUpdate(param.data as FloatArray, grad.data as FloatArray, buf, {
      lr: group.lr,
      momentum: group.momentum,
      dampening: group.dampening,
      nesterov: group.nesterov,
      weightDecay: group.weightDecay,
      firstStep: !hasBuf,
    });
    state.step += 1;
  }
}
