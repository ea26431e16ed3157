// Tensor methods for the shape (flip ... repeatInterleave), scan, sort, scatter and logic ops.

import type { ScatterReduceOp } from "../../backend/backend.js";
import { Tensor } from "../../tensor/tensor.js";
import * as sc from "../indexing/scatter.js";
import * as logic from "../logic.js";
import type { TensorLike } from "../operand.js";
import type { Dims } from "../reduce.js";
import * as scan from "../scan.js";
import * as sorting from "../sort.js";
import * as diag from "../shape/diagonal.js";
import * as flip from "../shape/flip.js";
import * as rep from "../shape/repeat.js";

declare module "../../tensor/tensor.js" {
  interface Tensor {
    flip(dims: number | readonly number[]): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
    diag(diagonal?: number): Tensor;
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    repeat(sizes: readonly number[]): Tensor;
    repeatInterleave(repeats: number | Tensor, dim?: number): Tensor;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    logcumsumexp(dim: number): Tensor;
    cummax(dim: number): scan.ValuesIndices;
    cummin(dim: number): scan.ValuesIndices;
    sort(dim?: number, descending?: boolean, opts?: sorting.SortOptions): scan.ValuesIndices;
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): scan.ValuesIndices;
    scatter(dim: number, index: Tensor, src: Tensor | number, reduce?: "add" | "multiply"): Tensor;
    scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduceOp, opts?: sc.ScatterReduceOptions): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    nonzero(): Tensor;
    nonzero(opts: logic.NonzeroOptions & { asTuple: true }): Tensor[];
    any(dim?: Dims, keepDim?: boolean): Tensor;
    all(dim?: Dims, keepDim?: boolean): Tensor;
    isclose(other: TensorLike, rtol?: number, atol?: number, equalNan?: boolean): Tensor;
    allclose(other: TensorLike, rtol?: number, atol?: number, equalNan?: boolean): boolean;
  }
}

const P = Tensor.prototype;
P.flip = function (dims) { return flip.flip(this, dims); };
P.roll = function (shifts, dims) { return flip.roll(this, shifts, dims); };
P.diag = function (d) { return diag.diag(this, d); };
P.diagonal = function (o, d1, d2) { return diag.diagonal(this, o, d1, d2); };
P.tril = function (d) { return diag.tril(this, d); };
P.triu = function (d) { return diag.triu(this, d); };
P.unflatten = function (dim, sizes) { return rep.unflatten(this, dim, sizes); };
P.repeat = function (sizes) { return rep.repeat(this, sizes); };
P.repeatInterleave = function (r, dim) { return rep.repeatInterleave(this, r, dim); };
P.cumsum = function (dim) { return scan.cumsum(this, dim); };
P.cumprod = function (dim) { return scan.cumprod(this, dim); };
P.logcumsumexp = function (dim) { return scan.logcumsumexp(this, dim); };
P.cummax = function (dim) { return scan.cummax(this, dim); };
P.cummin = function (dim) { return scan.cummin(this, dim); };
P.sort = function (dim, descending, opts) { return sorting.sort(this, dim, descending, opts); };
P.argsort = function (dim, descending) { return sorting.argsort(this, dim, descending); };
P.topk = function (k, dim, largest, sorted) { return sorting.topk(this, k, dim, largest, sorted); };
P.scatter = function (dim, index, src, reduce) { return sc.scatter(this, dim, index, src, reduce); };
P.scatterReduce = function (dim, index, src, reduce, opts) { return sc.scatterReduce(this, dim, index, src, reduce, opts); };
P.maskedSelect = function (mask) { return logic.maskedSelect(this, mask); };
P.nonzero = function (this: Tensor, opts?: logic.NonzeroOptions) { return logic.nonzero(this, opts); } as Tensor["nonzero"];
P.any = function (dim, keepDim) { return logic.any(this, dim, keepDim); };
P.all = function (dim, keepDim) { return logic.all(this, dim, keepDim); };
P.isclose = function (o, rtol, atol, equalNan) { return logic.isclose(this, o, rtol, atol, equalNan); };
P.allclose = function (o, rtol, atol, equalNan) { return logic.allclose(this, o, rtol, atol, equalNan); };
