// PyTorch parity of the scans (cumsum cumprod logcumsumexp cummax cummin) and sort argsort topk
// (tools/torch_ops_breadth_reference.py): zeros in cumprod, ties, NaN; values, indices, gradients.

import { argsort, cummax, cummin, cumprod, cumsum, logcumsumexp, sort, topk } from "../../src/index.js";
import { BREADTH_FIXTURE, runParity } from "./harness.js";

runParity("scan_sort", { cumsum, cumprod, logcumsumexp, cummax, cummin, sort, argsort, topk }, BREADTH_FIXTURE);
