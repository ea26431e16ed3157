// Kernel-level helpers the engine needs: reduce a broadcast gradient to an input's shape,
// cast to the input's dtype, and add two gradients. They never record a graph.

import { getBackend } from "../backend/index.js";
import { fmt, numel, shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { allocateUninit } from "../util/buffer_pool.js";
import type { DType } from "../util/dtype.js";
import { ShapeError } from "../util/errors.js";

/** Sum `g` over the dims that broadcasting expanded so it has `shape`. */
export function sumToShape(op: string, g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`${op}: backward produced a gradient of shape ${fmt(g.shape)} for an input of shape ${fmt(shape)}`);
  let cur = g;
  let curShape = [...g.shape];
  // Reduce from the last dim backwards so earlier dim indices stay valid.
  for (let d = g.ndim - 1; d >= 0; d--) {
    const target = d < lead ? 1 : shape[d - lead]!;
    if (curShape[d] === target) continue;
    if (target !== 1) throw new ShapeError(`${op}: backward produced a gradient of shape ${fmt(g.shape)} for an input of shape ${fmt(shape)}`);
    const outer = numel(curShape.slice(0, d));
    const inner = numel(curShape.slice(d + 1));
    const out = allocateUninit(cur.dtype, outer * inner);
    getBackend().reduce("sum", cur.data, outer, curShape[d]!, inner, out);
    curShape[d] = 1;
    cur = new Tensor(out, curShape);
  }
  return new Tensor(cur.data, shape);
}

export function castTo(g: Tensor, dtype: DType): Tensor {
  if (g.dtype === dtype) return g;
  const out = allocateUninit(dtype, g.numel);
  getBackend().cast(g.data, out);
  return new Tensor(out, g.shape);
}

export function addGrads(a: Tensor, b: Tensor): Tensor {
  const out = allocateUninit(a.dtype, a.numel);
  getBackend().binary("add", a.data, a.shape, b.data, b.shape, out, a.shape);
  return new Tensor(out, a.shape);
}

/** a += b in place (same shape and dtype). */
export function addInto(a: Tensor, b: Tensor): void {
  getBackend().binary("add", a.data, a.shape, b.data, b.shape, a.data, a.shape);
}

export function copyTensor(t: Tensor): Tensor {
  const out = allocateUninit(t.dtype, t.numel);
  out.set(t.data);
  return new Tensor(out, t.shape);
}
