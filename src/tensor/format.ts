// Printing in PyTorch's style: tensor([[1.0000, 2.0000]], dtype=float64, requiresGrad=true).

import { type Tensor, valueAt } from "./tensor.js";

const MAX_ELEMENTS = 1000;
const EDGE = 3;

export function formatTensor(t: Tensor): string {
  const isInt = t.dtype === "int32";
  const isBool = t.dtype === "bool";
  const fmtNum = (v: number): string => {
    if (isBool) return v !== 0 ? "True" : "False";
    if (isInt) return String(v);
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e8 || a < 1e-4)) return v.toExponential(4);
    return v.toFixed(4);
  };
  const summarize = t.numel > MAX_ELEMENTS;
  const strides: number[] = [];
  let s = 1;
  for (let d = t.ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= t.shape[d]!;
  }
  // Only the elements that will be shown are formatted (a summary shows EDGE per side of each dim).
  const shownIndices = (n: number): number[] => (summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n));
  const cells = new Map<number, string>();
  const collect = (dim: number, offset: number): void => {
    if (dim === t.ndim) cells.set(offset, fmtNum(valueAt(t.data, offset)));
    else for (const i of shownIndices(t.shape[dim]!)) if (i !== -1) collect(dim + 1, offset + i * strides[dim]!);
  };
  collect(0, 0);
  let width = 0;
  for (const c of cells.values()) width = Math.max(width, c.length);
  const indent = "tensor(".length;
  const render = (dim: number, offset: number): string => {
    if (dim === t.ndim) return cells.get(offset)!.padStart(width);
    const parts = shownIndices(t.shape[dim]!).map((i) => (i === -1 ? "..." : render(dim + 1, offset + i * strides[dim]!)));
    const sep = dim === t.ndim - 1 ? ", " : "," + "\n".repeat(t.ndim - dim - 1) + " ".repeat(indent + dim + 1);
    return "[" + parts.join(sep) + "]";
  };
  const body = t.ndim === 0 ? cells.get(0)! : render(0, 0);
  const extras: string[] = [];
  if (t.dtype !== "float32" && t.dtype !== "int32" && t.dtype !== "bool") extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`gradFn=${(t.gradFn as { name?: string }).name ?? "?"}`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.length ? ", " + extras.join(", ") : ""})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
