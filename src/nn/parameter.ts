// nn.Parameter: a leaf tensor that a Module registers as trainable. It shares the storage of the
// tensor it wraps and requires grad by default; only floating-point dtypes are allowed.

import { Tensor } from "../tensor/tensor.js";
import { isFloat } from "../util/dtype.js";
import { DTypeError } from "../util/errors.js";

export class Parameter extends Tensor {
  /** Wrap `t` (its storage is shared, its graph history dropped). */
  constructor(t: Tensor, requiresGrad = true) {
    if (!(t instanceof Tensor)) throw new DTypeError(`Parameter: expected a Tensor, got ${t === null ? "null" : typeof t}`);
    if (!isFloat(t.dtype)) throw new DTypeError(`Parameter: only floating-point tensors can be parameters, got dtype ${t.dtype}`);
    super(t.data, t.shape);
    this.requiresGrad = requiresGrad;
  }
}
