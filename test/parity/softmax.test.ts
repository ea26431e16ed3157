// PyTorch parity of softmax and logSoftmax over several dims (incl. large logits and size-1
// dims): values and input gradients to 1e-10, float64.

import { logSoftmax, softmax } from "../../src/index.js";
import { runParity } from "./harness.js";

runParity("softmax", { softmax, logSoftmax });
