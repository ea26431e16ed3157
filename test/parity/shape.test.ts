// PyTorch parity of the shape and indexing ops (reshape ... gather): values and input gradients
// to 1e-10, float64; split's pieces each get their own cotangent.

import {
  broadcastTo, cat, expand, flatten, gather, indexSelect, narrow, permute, reshape, slice, split, squeeze, stack, transpose,
  unsqueeze, view,
} from "../../src/index.js";
import { runParity } from "./harness.js";

runParity("shape", {
  reshape, view, transpose, permute, squeeze, unsqueeze, expand, broadcastTo, flatten, cat, stack, split, narrow, slice,
  indexSelect, gather,
});
