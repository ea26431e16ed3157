// to(dtype): dtype conversion, differentiable between float dtypes.

import { record } from "../autograd/index.js";
import { Tensor } from "../tensor/tensor.js";
import { type DType, isDType, isFloat, isHalf } from "../util/dtype.js";
import { DTypeError } from "../util/errors.js";
import { checkInt32 } from "../util/int32.js";
import { castTensor } from "./operand.js";

export function to(x: Tensor, dtype: DType): Tensor {
  if (!isDType(dtype)) throw new DTypeError(`to: unknown dtype "${String(dtype)}" (expected float64, float32, float16, bfloat16, int32 or bool)`);
  if (x.dtype === dtype) return x;
  // Truncates toward zero like PyTorch, but NaN, ±Inf and out-of-range values are refused
  // (PyTorch leaves them undefined; an Int32Array would wrap them or make them 0).
  if (dtype === "int32") checkInt32("to", isHalf(x.dtype) ? castTensor(x, "float32").data : x.data, "element"); // values, not half bits
  const out = castTensor(x, dtype);
  if (!isFloat(dtype)) return out; // int32/bool results carry no gradient
  const from = x.dtype;
  return record("to", [x], out, (g) => [castTensor(g, from)], { saves: [] });
}
