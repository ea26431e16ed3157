// Tensor methods for the rounding, trigonometric, log/exp-base and NaN/Inf ops and the extra
// binary ops (fmod remainder floorDivide copysign logaddexp atan2 lerp), plus leakyRelu.

import { Tensor } from "../../tensor/tensor.js";
import * as mb from "../math_binary.js";
import * as mu from "../math_unary.js";
import type { TensorLike } from "../operand.js";
import { leakyRelu } from "../unary.js";

declare module "../../tensor/tensor.js" {
  interface Tensor {
    floor(): Tensor;
    ceil(): Tensor;
    round(opts?: mu.RoundOptions): Tensor;
    trunc(): Tensor;
    frac(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    exp2(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    fmod(other: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor;
    floorDivide(other: TensorLike): Tensor;
    copysign(other: TensorLike): Tensor;
    logaddexp(other: TensorLike): Tensor;
    atan2(other: TensorLike): Tensor;
    lerp(end: Tensor, weight: TensorLike): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
  }
}

const P = Tensor.prototype;
P.floor = function () { return mu.floor(this); };
P.ceil = function () { return mu.ceil(this); };
P.round = function (opts) { return mu.round(this, opts); };
P.trunc = function () { return mu.trunc(this); };
P.frac = function () { return mu.frac(this); };
P.tan = function () { return mu.tan(this); };
P.asin = function () { return mu.asin(this); };
P.acos = function () { return mu.acos(this); };
P.atan = function () { return mu.atan(this); };
P.sinh = function () { return mu.sinh(this); };
P.cosh = function () { return mu.cosh(this); };
P.asinh = function () { return mu.asinh(this); };
P.acosh = function () { return mu.acosh(this); };
P.atanh = function () { return mu.atanh(this); };
P.log2 = function () { return mu.log2(this); };
P.log10 = function () { return mu.log10(this); };
P.exp2 = function () { return mu.exp2(this); };
P.isnan = function () { return mu.isnan(this); };
P.isinf = function () { return mu.isinf(this); };
P.isfinite = function () { return mu.isfinite(this); };
P.fmod = function (o) { return mb.fmod(this, o); };
P.remainder = function (o) { return mb.remainder(this, o); };
P.floorDivide = function (o) { return mb.floorDivide(this, o); };
P.copysign = function (o) { return mb.copysign(this, o); };
P.logaddexp = function (o) { return mb.logaddexp(this, o); };
P.atan2 = function (o) { return mb.atan2(this, o); };
P.lerp = function (end, weight) { return mb.lerp(this, end, weight); };
P.leakyRelu = function (negativeSlope) { return leakyRelu(this, negativeSlope); };
