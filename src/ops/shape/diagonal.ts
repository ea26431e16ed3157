// diag / diagonal / tril / triu: the diagonals of matrices and the triangles around them.

import { getBackend } from "../../backend/index.js";
import { record } from "../../autograd/index.js";
import { contiguousStrides, fmt, normalizeDim } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, empty, requireTensor } from "../operand.js";
import { putFlat, takeFlat } from "../indexing/take.js";

function requireInt(op: string, name: string, v: number): void {
  if (!Number.isInteger(v)) throw new ValueError(`${op}: ${name} must be an integer, got ${String(v)}`);
}

/**
 * The `offset` diagonal of the (dim1, dim2) planes, as a new last dim: out[..., i] =
 * x[..., i, i + offset] (offset ≥ 0) or x[..., i - offset, i] (offset < 0), other dims in order.
 */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  requireTensor("diagonal", x);
  requireInt("diagonal", "offset", offset);
  if (x.ndim < 2) throw new ShapeError(`diagonal: needs at least 2 dimensions, got shape ${fmt(x.shape)}`);
  const d1 = normalizeDim("diagonal", dim1, x.ndim);
  const d2 = normalizeDim("diagonal", dim2, x.ndim);
  if (d1 === d2) throw new ValueError(`diagonal: dim1 and dim2 must differ, both are ${d1}`);
  const n1 = x.shape[d1]!, n2 = x.shape[d2]!;
  const len = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  const rest = x.shape.map((_, d) => d).filter((d) => d !== d1 && d !== d2);
  const outShape = [...rest.map((d) => x.shape[d]!), len];
  const strides = contiguousStrides(x.shape);
  const start = offset >= 0 ? offset * strides[d2]! : -offset * strides[d1]!;
  const step = strides[d1]! + strides[d2]!;
  const restShape = rest.map((d) => x.shape[d]!);
  let count = len;
  for (const s of restShape) count *= s;
  const pos = new Int32Array(count);
  const idx = new Array<number>(rest.length).fill(0);
  let base = 0;
  for (let p = 0; p < count; p += len) {
    for (let i = 0; i < len; i++) pos[p + i] = base + start + i * step;
    for (let k = rest.length - 1; k >= 0; k--) {
      idx[k]!++;
      base += strides[rest[k]!]!;
      if (idx[k]! < restShape[k]!) break;
      base -= strides[rest[k]!]! * restShape[k]!;
      idx[k] = 0;
    }
  }
  return takeFlat("diagonal", x, pos, outShape);
}

/** 1-D input: the square matrix with x on diagonal `k`; 2-D input: its diagonal `k` (torch.diag). */
export function diag(x: Tensor, k = 0): Tensor {
  requireTensor("diag", x);
  requireInt("diag", "diagonal", k);
  if (x.ndim === 2) return diagonal(x, k, 0, 1);
  if (x.ndim !== 1) throw new ShapeError(`diag: expects a 1-D or 2-D tensor, got shape ${fmt(x.shape)}`);
  const n = x.shape[0]! + Math.abs(k);
  const pos = new Int32Array(x.shape[0]!);
  for (let i = 0; i < pos.length; i++) pos[i] = k >= 0 ? i * n + i + k : (i - k) * n + i;
  return putFlat("diag", x, pos, [n, n]);
}

/** Keep elements on one side of diagonal k of the last two dims, zero the rest. */
function triangle(op: "tril" | "triu", x: Tensor, k: number): Tensor {
  requireTensor(op, x);
  requireInt(op, "diagonal", k);
  if (x.ndim < 2) throw new ShapeError(`${op}: needs at least 2 dimensions, got shape ${fmt(x.shape)}`);
  const rows = x.shape[x.ndim - 2]!, cols = x.shape[x.ndim - 1]!;
  const mask = empty([rows, cols], "int32");
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) mask.data[i * cols + j] = (op === "tril" ? j - i <= k : j - i >= k) ? 1 : 0;
  }
  const be = getBackend();
  const { shape, dtype } = x; // only these: the rule must not keep x alive
  const keep = (src: Tensor): Tensor => {
    const zero = empty([], src.dtype);
    const out = empty(shape, src.dtype);
    be.where(mask.data, mask.shape, src.data, src.shape, zero.data, zero.shape, out.data, shape);
    return out;
  };
  return record(op, [x], keep(x), (g) => [keep(castTensor(g, dtype))], { saves: [], holds: [mask] });
}

/** Lower triangle: keeps x[..., i, j] where j - i <= diagonal. */
export const tril = (x: Tensor, diagonal = 0): Tensor => triangle("tril", x, diagonal);
/** Upper triangle: keeps x[..., i, j] where j - i >= diagonal. */
export const triu = (x: Tensor, diagonal = 0): Tensor => triangle("triu", x, diagonal);
