// Tensor methods that belong to autograd: backward(), registerHook() and retainGrad().

import { type GradHook, type HookHandle, Tensor } from "../tensor/tensor.js";
import { AutogradError } from "../util/errors.js";
import { type BackwardOptions, runBackward } from "./engine.js";
import type { Node } from "./node.js";

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** Backpropagate from this tensor; a non-scalar needs an explicit gradient. */
    backward(grad?: Tensor, opts?: BackwardOptions): void;
    /** Run `hook` on this tensor's gradient during backward; it may return a replacement. */
    registerHook(hook: GradHook): HookHandle;
    /** Keep this non-leaf tensor's gradient in .grad during backward (a no-op for leaves). */
    retainGrad(): this;
  }
}

Tensor.prototype.backward = function (this: Tensor, grad?: Tensor, opts?: BackwardOptions): void {
  runBackward(this, grad, opts);
};

Tensor.prototype.registerHook = function (this: Tensor, hook: GradHook): HookHandle {
  if (!this.requiresGrad) throw new AutogradError("registerHook: cannot register a hook on a tensor that does not require grad");
  const list = this.isLeaf ? this.leafHooks : (this.gradFn as Node).preHooks;
  list.push(hook);
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    },
  };
};

// A non-leaf keeps its gradient by letting its node point back at it (leaves always keep theirs).
Tensor.prototype.retainGrad = function (this: Tensor) {
  if (!this.requiresGrad) throw new AutogradError("retainGrad: the tensor does not require grad");
  if (!this.isLeaf) (this.gradFn as Node).retainTarget = this;
  return this;
};
