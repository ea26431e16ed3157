// Every op, as functions; importing this module also attaches the Tensor methods.
import "./methods/shape.js";
import "./methods/arith.js";
import "./methods/softmax.js";
import "./methods/math.js";
import "./methods/breadth.js";

export * from "./binary.js";
export { to } from "./cast.js";
export { amax, amin, argmax, argmin, logsumexp, max, min } from "./extrema.js";
export { linear, matmul } from "./matmul.js";
export { linearGelu, linearRelu } from "./linear_activation.js";
export * from "./nn/index.js";
export type { TensorLike } from "./operand.js";
export { type Dims, mean, sum } from "./reduce.js";
export * from "./shape/index.js";
export * from "./unary.js";
export { type VarOptions, prod, std, var, variance } from "./variance.js";
export { maskedFill, where } from "./where.js";
export * from "./math_unary.js";
export * from "./math_binary.js";
export * from "./activation.js";
export { normalize, vectorNorm } from "./norm.js";
export { oneHot } from "./nn/one_hot.js";
export { type PadMode, pad } from "./shape/pad.js";
export { type ValuesIndices, cummax, cummin, cumprod, cumsum, logcumsumexp } from "./scan.js";
export { type SortOptions, argsort, sort, topk } from "./sort.js";
export { type NonzeroOptions, all, allclose, any, isclose, maskedSelect, nonzero } from "./logic.js";
export { einsum } from "./einsum.js";
