// linearGelu(x, W, b) = gelu(x W^T + b) and linearRelu(x, W, b) = relu(x W^T + b), each as one
// op. GELU: the GEMM adds the bias and applies GELU in its epilogue while each output tile is hot,
// writing the activation and, in place of the pre-activation, GELU's derivative there (all the
// backward needs of it: GELU cannot be inverted, and the derivative costs as much as GELU itself,
// while the tile is in cache). ReLU: the GEMM adds the bias, one pass applies ReLU. Either
// backward turns the gradient into the pre-activation's in one pass that also sums the bias
// gradient. Same values as linear followed by the activation, bit for bit, on the native backend
// (the TS reference rounds the kept float32 GELU derivative once more: within 1 ulp of its
// unfused gradient).

import { getBackend } from "../backend/index.js";
import type { EpilogueActivation, FloatArray } from "../backend/backend.js";
import { autocastState } from "../autograd/autocast_state.js";
import { record } from "../autograd/index.js";
import { Tensor } from "../tensor/tensor.js";
import { release } from "../util/buffer_pool.js";
import { promoteTypes } from "../util/dtype.js";
import { ValueError } from "../util/errors.js";
import { checkOptionKeys } from "../util/options.js";
import { checkLinear, gemmParams, linear, linearInputGrads } from "./matmul.js";
import { castTensor, emptyUninit, intoFor } from "./operand.js";
import { type GeluOptions, gelu, relu } from "./unary.js";

/** gelu(linear(x, weight, bias), opts) for x (..., in), weight (out, in), bias (out) or null. */
export function linearGelu(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: GeluOptions = {}): Tensor {
  checkLinear("linearGelu", x, weight, bias);
  checkOptionKeys("linearGelu", opts, ["approximate"]);
  const approximate = opts.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new ValueError(`linearGelu: approximate must be "none" or "tanh", got "${String(approximate)}"`);
  }
  return fusedLinear("linearGelu", approximate === "tanh" ? "geluTanh" : "gelu", x, weight, bias ?? null,
    (pre) => gelu(pre, { approximate }));
}

/** relu(linear(x, weight, bias)) for x (..., in), weight (out, in), bias (out) or null. */
export function linearRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return fusedLinear("linearRelu", "relu", x, weight, bias ?? null, relu);
}

function fusedLinear(name: string, act: EpilogueActivation | "relu", x: Tensor, weight: Tensor, bias: Tensor | null,
  composed: (pre: Tensor) => Tensor): Tensor {
  const [outF, inF] = checkLinear(name, x, weight, bias);
  const dtype = promoteTypes(x.dtype, weight.dtype);
  // Under autocast the composed ops round the pre-activation to the low dtype before the
  // activation; the fused epilogue would not, so keep their semantics there (and for mixed dtypes).
  if (autocastState() || (bias && bias.dtype !== dtype) || !(dtype === "float32" || dtype === "float64")) {
    return composed(linear(x, weight, bias));
  }
  const X = castTensor(x, dtype);
  const W = castTensor(weight, dtype);
  const rows = x.numel / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  // GELU: gelu'(x W^T + b), all the backward needs of the pre-activation. ReLU: the pre-activation.
  const saved = emptyUninit(outShape, dtype);
  const out = emptyUninit(outShape, dtype); // act(x W^T + b)
  const be = getBackend();
  const epilogue = act === "relu" ? null : act;
  be.gemm(X.data as FloatArray, W.data as FloatArray, saved.data as FloatArray, gemmParams(1, rows, outF, inF, {
    transB: true, bias: bias ? (bias.data as FloatArray) : null, activation: epilogue,
    activationOut: epilogue ? (out.data as FloatArray) : null, keepDerivative: epilogue !== null,
  }));
  // ReLU in the epilogue measured no faster than this separate pass (the MLP benchmark step, Intel
  // AVX-512): its output stores displace the packed panels from L2 while the GEMM still reads them.
  if (!epilogue) be.unary("relu", saved.data, out.data);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(name, inputs, out, (g, needs, into) => {
    const G = castTensor(g, dtype);
    const gPre = emptyUninit(outShape, dtype); // dL/dpre = g * act'(pre)
    const gbInto = bias ? intoFor(into, 2, bias, dtype) : null;
    const gb = bias && needs[2] ? (gbInto ? new Tensor(gbInto, [outF]) : emptyUninit([outF], dtype)) : null;
    be.biasActivationBackward(epilogue ? "derivative" : "relu", saved.data as FloatArray, G.data as FloatArray, rows, outF,
      gPre.data as FloatArray, gb ? (gb.data as FloatArray) : null);
    const [gx, gw] = linearInputGrads(gPre, X, W, x.shape, needs[0]!, needs[1]!, intoFor(into, 1, weight, dtype));
    release(gPre.data); // read by the two GEMMs only, never returned: back to the pool for the next rule
    return bias ? [gx, gw, gb] : [gx, gw];
  }, { saves: [x, weight], privates: [saved] }); // private, back to the pool with the node
}
