// PyTorch parity of matmul (every rank combination, broadcast batch dims) and the reductions
// sum, mean, max, min, var, argmax, logsumexp: values and input gradients to 1e-10, float64.

import { argmax, logsumexp, matmul, max, mean, min, sum, var as variance } from "../../src/index.js";
import { runParity } from "./harness.js";

runParity("matmul_reduce", { matmul, sum, mean, max, min, var: variance, argmax, logsumexp });
