// PyTorch parity of the rounding, trigonometric/hyperbolic, log2/log10/exp2, NaN/Inf tests and the
// extra binary ops and sign (tools/torch_ops_breadth_reference.py): values incl. ±0/Inf/NaN, gradients.

import * as d from "../../src/index.js";
import { BREADTH_FIXTURE, runParity } from "./harness.js";

runParity("elementwise", {
  floor: d.floor, ceil: d.ceil, round: d.round, trunc: d.trunc, frac: d.frac, tan: d.tan, asin: d.asin, acos: d.acos,
  atan: d.atan, sinh: d.sinh, cosh: d.cosh, asinh: d.asinh, acosh: d.acosh, atanh: d.atanh, log2: d.log2, log10: d.log10,
  exp2: d.exp2, isnan: d.isnan, isinf: d.isinf, isfinite: d.isfinite, fmod: d.fmod, remainder: d.remainder,
  floorDivide: d.floorDivide, copysign: d.copysign, logaddexp: d.logaddexp, atan2: d.atan2, lerp: d.lerp,
  sign: d.sign,
}, BREADTH_FIXTURE);
