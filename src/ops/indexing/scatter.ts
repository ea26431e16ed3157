// scatter (torch.scatter, out of place) and scatterReduce (torch.scatter_reduce): write or
// combine src into a copy of x at the positions index names along dim. scatter's reduce
// "add"/"multiply" is scatterReduce "sum"/"prod" with includeSelf (PyTorch defines no gradient
// for scatter with reduce; Descent gives scatter_reduce's).

import { getBackend } from "../../backend/index.js";
import type { FloatArray, ScatterReduceOp } from "../../backend/backend.js";
import { record } from "../../autograd/index.js";
import { normalizeDim, shapesEqual } from "../../shape/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { DTypeError, ValueError } from "../../util/errors.js";
import { castTensor, empty, requireTensor } from "../operand.js";
import { checkGrid, flatPositions } from "./gather.js";
import { checkIndexRange, requireIndex } from "./validate.js";

const REDUCTIONS: readonly ScatterReduceOp[] = ["sum", "prod", "mean", "amax", "amin"];

interface Prepared {
  dst: Int32Array;
  srcPos: Int32Array | null;
  picked: Tensor;
}

/** Validate, and compute where each used src element goes (src's index-shaped leading block). */
function prepare(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor): Prepared {
  const d = normalizeDim(op, dim, x.ndim);
  checkGrid(op, index, x, "input", d, dim);
  checkGrid(op, index, src, "src", -1, dim);
  checkIndexRange(op, index.data as Int32Array, dim, x.ndim === 0 ? 1 : x.shape[d]!, x.shape);
  const dst = flatPositions(x.shape, index.shape, d, index.data as Int32Array);
  const srcPos = shapesEqual(src.shape, index.shape) ? null : flatPositions(src.shape, index.shape, d, null);
  let picked = src;
  if (srcPos) {
    picked = empty(index.shape, src.dtype);
    getBackend().embedding(src.data, srcPos, 1, picked.data);
  }
  return { dst, srcPos, picked };
}

/** What a Prepared keeps for backward: the positions, and the picked src block when it is a copy. */
function preparedBuffers(p: Prepared): Tensor[] {
  const ints = [p.dst, ...(p.srcPos ? [p.srcPos] : [])].map((a) => new Tensor(a, [a.length]));
  return p.srcPos ? [...ints, p.picked] : ints;
}

function srcTensor(op: string, x: Tensor, src: Tensor | number, index: Tensor): Tensor {
  if (typeof src === "number") {
    const t = empty(index.shape, x.dtype);
    getBackend().fill(t.data, src);
    return t;
  }
  requireTensor(op, src, "src");
  if (src.dtype !== x.dtype) throw new DTypeError(`${op}: src has dtype ${src.dtype} but the input has dtype ${x.dtype}; they must match`);
  return src;
}

/** A src-shaped gradient from one per used element (zeros where src was not used). */
function spread(p: Prepared, src: Tensor, perElement: Tensor): Tensor {
  if (!p.srcPos) return perElement;
  const g = empty(src.shape, src.dtype);
  getBackend().embeddingBackward(perElement.data as FloatArray, p.srcPos, 1, g.data as FloatArray);
  return g;
}

export interface ScatterReduceOptions {
  /** Whether x's own value takes part at the positions src reaches (default true). */
  includeSelf?: boolean;
}

/** out = x, then out[..index..] combined with src by `reduce` (torch.scatter_reduce). Differentiable in x and src. */
export function scatterReduce(
  x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduceOp, opts: ScatterReduceOptions = {},
): Tensor {
  return scatterReduceAs("scatterReduce", x, dim, index, src, reduce, opts.includeSelf ?? true);
}

function scatterReduceAs(
  op: string, x: Tensor, dim: number, index: Tensor, srcIn: Tensor | number, reduce: ScatterReduceOp, includeSelf: boolean,
): Tensor {
  requireTensor(op, x);
  requireIndex(op, index);
  if (!REDUCTIONS.includes(reduce)) {
    throw new ValueError(`${op}: reduce must be one of ${REDUCTIONS.map((r) => `"${r}"`).join(", ")}, got "${String(reduce)}"`);
  }
  if (typeof includeSelf !== "boolean") throw new ValueError(`${op}: includeSelf must be a boolean, got ${String(includeSelf)}`);
  const src = srcTensor(op, x, srcIn, index);
  const p = prepare(op, x, dim, index, src);
  const out = empty(x.shape, x.dtype);
  const be = getBackend();
  be.scatterReduce(reduce, x.data, p.picked.data, p.dst, includeSelf, out.data);
  const inputs = srcIn instanceof Tensor ? [x, srcIn] : [x];
  return record(op, inputs, out, (g, needs) => {
    const gSelf = needs[0] ? empty(x.shape, x.dtype) : null;
    const gPicked = needs[1] ? empty(index.shape, x.dtype) : null;
    be.scatterReduceBackward(reduce, x.data as FloatArray, p.picked.data as FloatArray, p.dst, includeSelf, out.data as FloatArray,
      castTensor(g, x.dtype).data as FloatArray, (gSelf?.data ?? null) as FloatArray | null, (gPicked?.data ?? null) as FloatArray | null);
    return inputs.length === 2 ? [gSelf, gPicked ? spread(p, src, gPicked) : null] : [gSelf];
  }, { holds: [out, ...preparedBuffers(p)] }); // the rule reads the output and the forward's positions
}

/**
 * torch.scatter (out of place): out = x, then out[..., index[i..], ...] = src[i..] along dim; src
 * may be a number. With reduce "add" or "multiply", values combine instead (scatterReduce "sum"/"prod",
 * includeSelf). Where index repeats a position, the last write wins (PyTorch leaves it unspecified).
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, reduce?: "add" | "multiply"): Tensor {
  requireTensor("scatter", x);
  requireIndex("scatter", index);
  if (reduce !== undefined) {
    if (reduce !== "add" && reduce !== "multiply") throw new ValueError(`scatter: reduce must be "add" or "multiply", got "${String(reduce)}"`);
    return scatterReduceAs("scatter", x, dim, index, src, reduce === "add" ? "sum" : "prod", true);
  }
  const s = srcTensor("scatter", x, src, index);
  const p = prepare("scatter", x, dim, index, s);
  const out = new Tensor(x.data.slice(), x.shape);
  for (let i = 0; i < p.dst.length; i++) out.data[p.dst[i]!] = p.picked.data[i]!;
  const inputs = src instanceof Tensor ? [x, src] : [x];
  return record("scatter", inputs, out, (gIn, needs) => {
    const g = castTensor(gIn, x.dtype);
    let gx: Tensor | null = null;
    if (needs[0]) {
      gx = new Tensor(g.data.slice(), x.shape); // overwritten positions get no gradient
      for (let i = 0; i < p.dst.length; i++) gx.data[p.dst[i]!] = 0;
    }
    let gs: Tensor | null = null;
    if (inputs.length === 2 && needs[1]) {
      const gathered = empty(index.shape, x.dtype);
      getBackend().embedding(g.data, p.dst, 1, gathered.data);
      gs = spread(p, s, gathered);
    }
    return inputs.length === 2 ? [gx, gs] : [gx];
  }, { saves: [], holds: preparedBuffers(p) });
}

