// linearGelu(x, W, b) = gelu(x W^T + b) as one op: the GEMM adds the bias and applies GELU in its
// epilogue while each output tile is hot, writing the activation and, in place of the
// pre-activation, GELU's derivative there (all the backward needs of it: GELU cannot be inverted,
// and the derivative costs as much as GELU itself, while the tile is in cache). The backward turns
// the gradient into the pre-activation's (a multiply) in one pass that also sums the bias
// gradient. Same values as linear followed by gelu, bit for bit, on the native backend (the TS
// reference rounds the kept float32 derivative once more: within 1 ulp of its unfused gradient).

import { getBackend } from "../backend/index.js";
import type { EpilogueActivation, FloatArray } from "../backend/backend.js";
import { autocastState } from "../autograd/autocast_state.js";
import { record } from "../autograd/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { release } from "../util/buffer_pool.js";
import { promoteTypes } from "../util/dtype.js";
import { ValueError } from "../util/errors.js";
import { checkOptionKeys } from "../util/options.js";
import { checkLinear, gemmParams, linear, linearInputGrads } from "./matmul.js";
import { castTensor, emptyUninit } from "./operand.js";
import { type GeluOptions, gelu } from "./unary.js";

/** gelu(linear(x, weight, bias), opts) for x (..., in), weight (out, in), bias (out) or null. */
export function linearGelu(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: GeluOptions = {}): Tensor {
  const [outF, inF] = checkLinear("linearGelu", x, weight, bias);
  checkOptionKeys("linearGelu", opts, ["approximate"]);
  const approximate = opts.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new ValueError(`linearGelu: approximate must be "none" or "tanh", got "${String(approximate)}"`);
  }
  const dtype = promoteTypes(x.dtype, weight.dtype);
  // Under autocast the composed ops round the pre-activation to the low dtype before GELU;
  // the fused epilogue would not, so keep their semantics there (and for mixed dtypes).
  if (autocastState() || (bias && bias.dtype !== dtype) || !(dtype === "float32" || dtype === "float64")) {
    return gelu(linear(x, weight, bias), { approximate });
  }
  const act: EpilogueActivation = approximate === "tanh" ? "geluTanh" : "gelu";
  const X = castTensor(x, dtype);
  const W = castTensor(weight, dtype);
  const rows = x.numel / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const deriv = emptyUninit(outShape, dtype); // gelu'(x W^T + b): all the backward needs of the pre-activation
  const out = emptyUninit(outShape, dtype); // gelu(x W^T + b)
  const be = getBackend();
  be.gemm(X.data as FloatArray, W.data as FloatArray, deriv.data as FloatArray, gemmParams(1, rows, outF, inF, {
    transB: true, bias: bias ? (bias.data as FloatArray) : null, activation: act, activationOut: out.data as FloatArray,
    keepDerivative: true,
  }));
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("linearGelu", inputs, out, (g, needs) => {
    const G = castTensor(g, dtype);
    const gPre = emptyUninit(outShape, dtype); // dL/dpre = g * gelu'(pre)
    const gb = bias && needs[2] ? emptyUninit([outF], dtype) : null;
    be.biasActivationBackward("derivative", deriv.data as FloatArray, G.data as FloatArray, rows, outF,
      gPre.data as FloatArray, gb ? (gb.data as FloatArray) : null);
    const [gx, gw] = linearInputGrads(gPre, X, W, x.shape, needs[0]!, needs[1]!);
    release(gPre.data); // read by the two GEMMs only, never returned: back to the pool for the next rule
    return bias ? [gx, gw, gb] : [gx, gw];
  }, { saves: [x, weight], privates: [deriv] }); // private, back to the pool with the node
}
