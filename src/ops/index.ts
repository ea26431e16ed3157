// Every op, as functions; importing this module also attaches the Tensor methods.
import "./methods/arith.js";

export * from "./binary.js";
export { to } from "./cast.js";
export { linear, matmul } from "./matmul.js";
export type { TensorLike } from "./operand.js";
export { type Dims, mean, sum } from "./reduce.js";
export { broadcastTo, expand } from "./shape/expand.js";
export { flatten, reshape, view } from "./shape/reshape.js";
export * from "./unary.js";
export { maskedFill, where } from "./where.js";
