// The pre-norm residual pair of a transformer layer, h = x + f(n1(x)), out = h + g(n2(h)), as GPT's
// Block and LLaMA's decoder layer compute it. With `owned` (all four callbacks are the library's
// stock layers, which keep no reference to what they are given or return) the temporaries are
// handed to the buffer pool: the normalized inputs and the mid-layer residual once backward has
// freed the nodes saving them, the branch outputs as soon as the residual add (which saves
// nothing) has run.
import { markGraphOwned, recycleUnsaved } from "../autograd/saved_memory.js";
import { add } from "../ops/binary.js";
import type { Tensor } from "../tensor/tensor.js";

type Step = (t: Tensor) => Tensor;

export function preNormResidualPair(x: Tensor, n1: Step, f: Step, n2: Step, g: Step, owned: boolean): Tensor {
  if (!owned) {
    const h = add(x, f(n1(x)));
    return add(h, g(n2(h)));
  }
  const a = f(markGraphOwned(n1(x)));
  const h = add(x, a);
  recycleUnsaved(a);
  markGraphOwned(h);
  const m = g(markGraphOwned(n2(h)));
  const out = add(h, m);
  recycleUnsaved(m);
  return out;
}
