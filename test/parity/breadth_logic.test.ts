// PyTorch parity of scatter, scatterReduce (every reduction, includeSelf both ways, zeros, ties),
// maskedSelect, nonzero, any, all, isclose (tools/torch_ops_breadth_reference.py).

import { all, any, isclose, maskedSelect, nonzero, scatter, scatterReduce } from "../../src/index.js";
import { BREADTH_FIXTURE, runParity } from "./harness.js";

runParity("logic", { scatter, scatterReduce, maskedSelect, nonzero, any, all, isclose }, BREADTH_FIXTURE);
