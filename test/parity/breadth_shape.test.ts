// PyTorch parity of flip roll diag diagonal tril triu unflatten repeat repeatInterleave
// (tools/torch_ops_breadth_reference.py): values and input gradients, float64.

import { diag, diagonal, flip, repeat, repeatInterleave, roll, tril, triu, unflatten } from "../../src/index.js";
import { BREADTH_FIXTURE, runParity } from "./harness.js";

runParity("shape", { flip, roll, diag, diagonal, tril, triu, unflatten, repeat, repeatInterleave }, BREADTH_FIXTURE);
