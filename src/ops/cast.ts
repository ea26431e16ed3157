// to(dtype): dtype conversion, differentiable between float dtypes.

import { record } from "../autograd/index.js";
import { Tensor } from "../tensor/tensor.js";
import { type DType, isDType, isFloat } from "../util/dtype.js";
import { DTypeError } from "../util/errors.js";
import { castTensor } from "./operand.js";

export function to(x: Tensor, dtype: DType): Tensor {
  if (!isDType(dtype)) throw new DTypeError(`to: unknown dtype "${String(dtype)}" (expected float64, float32, float16, bfloat16, int32 or bool)`);
  if (x.dtype === dtype) return x;
  const out = castTensor(x, dtype);
  if (!isFloat(dtype)) return out; // int32/bool results carry no gradient
  const from = x.dtype;
  return record("to", [x], out, (g) => [castTensor(g, from)], { saves: [] });
}
