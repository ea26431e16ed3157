// Every op, as functions; importing this module also attaches the Tensor methods.
import "./methods/arith.js";

export * from "./binary.js";
export { to } from "./cast.js";
export { linear, matmul } from "./matmul.js";
export * from "./nn/index.js";
export type { TensorLike } from "./operand.js";
export { type Dims, mean, sum } from "./reduce.js";
export * from "./shape/index.js";
export * from "./unary.js";
export { maskedFill, where } from "./where.js";
