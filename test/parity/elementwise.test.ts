// PyTorch parity of the elementwise ops (binary with broadcasting, unary, clamp, maximum/minimum,
// where, maskedFill): forward values and input gradients to 1e-10 relative, float64.

import {
  abs, add, clamp, div, exp, gelu, log, maskedFill, maximum, minimum, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh, where,
} from "../../src/index.js";
import { runParity } from "./harness.js";

runParity("elementwise", {
  add, sub, mul, div, pow, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, gelu, clamp, maximum, minimum, where, maskedFill,
});
