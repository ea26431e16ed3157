// Tensor methods for shape, indexing and the extrema/statistics reductions.

import { Tensor } from "../../tensor/tensor.js";
import * as ex from "../extrema.js";
import { gather, scatterAdd } from "../indexing/gather.js";
import { indexSelect } from "../indexing/index_select.js";
import type { Dims } from "../reduce.js";
import { permute, transpose } from "../shape/permute.js";
import { narrow, slice } from "../shape/slice.js";
import { chunk, split } from "../shape/split.js";
import { squeeze, unsqueeze } from "../shape/squeeze.js";
import { type VarOptions, prod, std, variance } from "../variance.js";

declare module "../../tensor/tensor.js" {
  interface Tensor {
    transpose(dim0: number, dim1: number): Tensor;
    permute(dims: readonly number[]): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    max(dim?: number, keepDim?: boolean): Tensor;
    min(dim?: number, keepDim?: boolean): Tensor;
    amax(dims?: Dims, keepDim?: boolean): Tensor;
    amin(dims?: Dims, keepDim?: boolean): Tensor;
    argmax(dim?: number, keepDim?: boolean): Tensor;
    argmin(dim?: number, keepDim?: boolean): Tensor;
    var(dim?: Dims, keepDim?: boolean, opts?: VarOptions): Tensor;
    std(dim?: Dims, keepDim?: boolean, opts?: VarOptions): Tensor;
    logsumexp(dim: Dims, keepDim?: boolean): Tensor;
    prod(dim?: Dims, keepDim?: boolean): Tensor;
  }
}

const P = Tensor.prototype;
P.transpose = function (a, b) { return transpose(this, a, b); };
P.permute = function (dims) { return permute(this, dims); };
P.squeeze = function (dim) { return squeeze(this, dim); };
P.unsqueeze = function (dim) { return unsqueeze(this, dim); };
P.split = function (s, dim) { return split(this, s, dim); };
P.chunk = function (c, dim) { return chunk(this, c, dim); };
P.narrow = function (dim, start, length) { return narrow(this, dim, start, length); };
P.slice = function (dim, start, end, step) { return slice(this, dim, start, end, step); };
P.indexSelect = function (dim, index) { return indexSelect(this, dim, index); };
P.gather = function (dim, index) { return gather(this, dim, index); };
P.scatterAdd = function (dim, index, src) { return scatterAdd(this, dim, index, src); };
P.max = function (dim, keepDim) { return ex.max(this, dim, keepDim); };
P.min = function (dim, keepDim) { return ex.min(this, dim, keepDim); };
P.amax = function (dims, keepDim) { return ex.amax(this, dims, keepDim); };
P.amin = function (dims, keepDim) { return ex.amin(this, dims, keepDim); };
P.argmax = function (dim, keepDim) { return ex.argmax(this, dim, keepDim); };
P.argmin = function (dim, keepDim) { return ex.argmin(this, dim, keepDim); };
P.var = function (dim, keepDim, opts) { return variance(this, dim, keepDim, opts); };
P.std = function (dim, keepDim, opts) { return std(this, dim, keepDim, opts); };
P.logsumexp = function (dim, keepDim) { return ex.logsumexp(this, dim, keepDim); };
P.prod = function (dim, keepDim) { return prod(this, dim, keepDim); };
