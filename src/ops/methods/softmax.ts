// Tensor methods softmax(dim) and logSoftmax(dim), attached by declaration merging.

import { Tensor } from "../../tensor/tensor.js";
import { logSoftmax, softmax } from "../nn/softmax.js";

declare module "../../tensor/tensor.js" {
  interface Tensor {
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
  }
}

const P = Tensor.prototype;
P.softmax = function (dim) { return softmax(this, dim); };
P.logSoftmax = function (dim) { return logSoftmax(this, dim); };
