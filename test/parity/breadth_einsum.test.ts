// PyTorch parity of einsum (tools/torch_ops_breadth_reference.py): contractions lowered to
// matmul, traces/diagonals, implicit output order, ellipsis and size-1 broadcasting; gradients.

import { einsum } from "../../src/index.js";
import { BREADTH_FIXTURE, runParity } from "./harness.js";

runParity("einsum", { einsum }, BREADTH_FIXTURE);
