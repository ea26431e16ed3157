// PyTorch parity of nn.functional's activations, normalize/vectorNorm, oneHot and pad
// (tools/torch_ops_breadth_reference.py): values and input gradients, float64.

import { nn, vectorNorm } from "../../src/index.js";
import { BREADTH_FIXTURE, runParity } from "./harness.js";

const F = nn.functional;
runParity("activations", {
  silu: F.silu, mish: F.mish, selu: F.selu, hardswish: F.hardswish, hardsigmoid: F.hardsigmoid, relu6: F.relu6,
  logsigmoid: F.logsigmoid, softsign: F.softsign, softplus: F.softplus, elu: F.elu, celu: F.celu, hardtanh: F.hardtanh,
  leakyRelu: F.leakyRelu, softmin: F.softmin, normalize: F.normalize, vectorNorm, oneHot: F.oneHot, pad: F.pad,
}, BREADTH_FIXTURE);
