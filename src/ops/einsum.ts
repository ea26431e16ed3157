// einsum: Einstein summation over labelled dims, e.g. einsum("bij,bjk->bik", a, b). Each operand
// first takes diagonals for repeated labels and sums labels no one else needs; operands are then
// contracted left to right, each pair lowered to permute + reshape + one batched matmul. Size-1
// dims broadcast; "..." stands for broadcast leading dims (summed when the output omits it).
// int32 operands contract by a broadcast multiply and sum instead of matmul.
// Gradients come from the ops it is built of.

import { fmt } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { DTypeError, ShapeError, ValueError } from "../util/errors.js";
import { mul } from "./binary.js";
import { matmul } from "./matmul.js";
import { requireTensor } from "./operand.js";
import { sum } from "./reduce.js";
import { diagonal } from "./shape/diagonal.js";
import { expand } from "./shape/expand.js";
import { permute } from "./shape/permute.js";
import { reshape } from "./shape/reshape.js";

/** Labels are numbers: 0..51 for A-Z, a-z (ASCII order, as PyTorch's implicit output), 52+ for ellipsis dims. */
const ELLIPSIS_BASE = 52;

interface Term {
  labels: number[];
  hasEllipsis: boolean;
}

function labelOf(ch: string): number {
  const c = ch.charCodeAt(0);
  return c <= 90 ? c - 65 : c - 97 + 26;
}

function parseTerm(term: string, offset: number): Term {
  const labels: number[] = [];
  let hasEllipsis = false;
  for (let i = 0; i < term.length; i++) {
    const ch = term[i]!;
    if (ch === ".") {
      if (term.slice(i, i + 3) !== "..." || hasEllipsis) {
        throw new ValueError(`einsum: malformed ellipsis at index ${offset + i} of the equation (use "..." once per term)`);
      }
      hasEllipsis = true;
      labels.push(-1); // placeholder, expanded per operand
      i += 2;
    } else if (/^[a-zA-Z]$/.test(ch)) {
      labels.push(labelOf(ch));
    } else {
      throw new ValueError(`einsum: invalid subscript "${ch}" at index ${offset + i} of the equation; subscripts must be in [a-zA-Z]`);
    }
  }
  return { labels, hasEllipsis };
}

function labelName(l: number): string {
  return l >= ELLIPSIS_BASE ? "..." : String.fromCharCode(l < 26 ? 65 + l : 97 + l - 26);
}

/** One operand with a label per dim. */
interface Labelled {
  t: Tensor;
  labels: number[];
}

/** einsum("ij,jk->ik", a, b); the operands may also come as one array, as torch.einsum allows. */
export function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor;
export function einsum(equation: string, ...args: unknown[]): Tensor {
  const operands = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  if (typeof equation !== "string") throw new ValueError(`einsum: equation must be a string, got ${typeof equation}`);
  operands.forEach((t, i) => requireTensor("einsum", t, `operand ${i}`));
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  if (arrow !== -1 && eq.indexOf("->", arrow + 1) !== -1) throw new ValueError(`einsum: the equation "${equation}" has more than one "->"`);
  const lhs = arrow === -1 ? eq : eq.slice(0, arrow);
  const termStrings = lhs.split(",");
  if (termStrings.length !== operands.length) {
    throw new ValueError(`einsum: the equation "${equation}" names ${termStrings.length} operand(s) but ${operands.length} were given`);
  }
  if (operands.length === 0) throw new ValueError("einsum: needs at least one operand");
  let offset = 0;
  const terms = termStrings.map((s) => {
    const t = parseTerm(s, offset);
    offset += s.length + 1;
    return t;
  });
  const dtypes = new Set(operands.map((t) => t.dtype));
  if (dtypes.size > 1) throw new DTypeError(`einsum: operands must share one dtype, got ${operands.map((t) => t.dtype).join(", ")}`);

  // Expand "..." into per-operand labels, right-aligned across operands.
  let ellipsisDims = 0;
  terms.forEach((term, i) => {
    const named = term.labels.length - (term.hasEllipsis ? 1 : 0);
    const nd = operands[i]!.ndim;
    if (term.hasEllipsis ? named > nd : named !== nd) {
      throw new ShapeError(
        `einsum: operand ${i} has ${nd} dim(s) (shape ${fmt(operands[i]!.shape)}) but its subscripts name ${named}${term.hasEllipsis ? " plus an ellipsis" : " and there is no ellipsis"}`,
      );
    }
    if (term.hasEllipsis) ellipsisDims = Math.max(ellipsisDims, nd - named);
  });
  const ellipsisLabels = Array.from({ length: ellipsisDims }, (_, k) => ELLIPSIS_BASE + k);
  let ops: Labelled[] = terms.map((term, i) => {
    const nd = operands[i]!.ndim;
    const e = nd - (term.labels.length - (term.hasEllipsis ? 1 : 0));
    const labels = term.labels.flatMap((l) => (l === -1 ? ellipsisLabels.slice(ellipsisDims - e) : [l]));
    return { t: operands[i]!, labels };
  });

  // The output labels: explicit, or "..." then every label seen once, in ASCII order.
  let output: number[];
  if (arrow !== -1) {
    const outTerm = parseTerm(eq.slice(arrow + 2), arrow + 2);
    output = outTerm.labels.flatMap((l) => (l === -1 ? ellipsisLabels : [l]));
    const seen = new Set<number>();
    for (const l of outTerm.labels) {
      if (l === -1) continue;
      if (seen.has(l)) throw new ValueError(`einsum: output subscript ${labelName(l)} appears more than once in the output`);
      seen.add(l);
      if (!ops.some((o) => o.labels.includes(l))) throw new ValueError(`einsum: output subscript ${labelName(l)} does not appear in any input operand`);
    }
  } else {
    const counts = new Map<number, number>();
    for (const o of ops) for (const l of o.labels) if (l < ELLIPSIS_BASE) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ellipsisLabels, ...[...counts].filter(([, c]) => c === 1).map(([l]) => l).sort((x, y) => x - y)];
  }

  // Every label's size; size-1 dims broadcast to it. A label repeated within one operand must match exactly.
  ops.forEach((o, i) => o.labels.forEach((l, d) => {
    const first = o.labels.indexOf(l);
    if (first !== d && o.t.shape[first] !== o.t.shape[d]) {
      throw new ShapeError(`einsum: subscript ${labelName(l)} is repeated for operand ${i} but the sizes don't match, ${o.t.shape[first]} != ${o.t.shape[d]}`);
    }
  }));
  const sizes = new Map<number, number>();
  ops.forEach((o, i) => o.labels.forEach((l, d) => {
    const s = o.t.shape[d]!;
    const prev = sizes.get(l);
    if (prev === undefined || prev === 1) sizes.set(l, s);
    else if (s !== prev && s !== 1) {
      throw new ShapeError(`einsum: subscript ${labelName(l)} has size ${s} for operand ${i} which does not broadcast with previously seen size ${prev}`);
    }
  }));

  ops = ops.map((o, i) => {
    let cur = takeDiagonals(o, i);
    cur = broadcastLabels(cur, sizes);
    const elsewhere = new Set([...output, ...ops.filter((_, j) => j !== i).flatMap((p) => p.labels)]);
    return sumLabels(cur, cur.labels.filter((l) => !elsewhere.has(l)));
  });

  let acc = ops[0]!;
  for (let k = 1; k < ops.length; k++) {
    const later = new Set([...output, ...ops.slice(k + 1).flatMap((p) => p.labels)]);
    acc = contract(acc, ops[k]!, later, sizes);
  }
  acc = sumLabels(acc, acc.labels.filter((l) => !output.includes(l)));
  const perm = output.map((l) => acc.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? acc.t : permute(acc.t, perm);
}

/** Repeated labels within one operand: keep only their diagonal (which moves to the last dim). */
function takeDiagonals(o: Labelled, i: number): Labelled {
  let { t, labels } = o;
  for (;;) {
    const d1 = labels.findIndex((l, k) => labels.indexOf(l) !== k);
    if (d1 === -1) return { t, labels };
    const d0 = labels.indexOf(labels[d1]!);
    if (t.shape[d0] !== t.shape[d1]) {
      throw new ShapeError(`einsum: subscript ${labelName(labels[d0]!)} is repeated for operand ${i} but the sizes don't match, ${t.shape[d0]} != ${t.shape[d1]}`);
    }
    const l = labels[d0]!;
    t = diagonal(t, 0, d0, d1);
    labels = [...labels.filter((_, k) => k !== d0 && k !== d1), l];
  }
}

function broadcastLabels(o: Labelled, sizes: ReadonlyMap<number, number>): Labelled {
  const target = o.labels.map((l) => sizes.get(l)!);
  return target.every((s, d) => s === o.t.shape[d]) ? o : { t: expand(o.t, target), labels: o.labels };
}

function sumLabels(o: Labelled, drop: readonly number[]): Labelled {
  if (drop.length === 0) return o;
  const dims = drop.map((l) => o.labels.indexOf(l));
  return { t: sum(o.t, dims), labels: o.labels.filter((l) => !drop.includes(l)) };
}

/** A·B over their shared labels: batch (shared, needed later), contracted (shared, not needed), the rest kept. */
function contract(a: Labelled, b: Labelled, later: ReadonlySet<number>, sizes: ReadonlyMap<number, number>): Labelled {
  const shared = a.labels.filter((l) => b.labels.includes(l));
  const batch = shared.filter((l) => later.has(l));
  const summed = shared.filter((l) => !later.has(l));
  const aOnly = a.labels.filter((l) => !shared.includes(l));
  const bOnly = b.labels.filter((l) => !shared.includes(l));
  const size = (ls: readonly number[]): number => ls.reduce((n, l) => n * sizes.get(l)!, 1);
  const arrange = (o: Labelled, order: readonly number[], shape: number[]): Tensor => {
    const perm = order.map((l) => o.labels.indexOf(l));
    const moved = perm.every((p, i) => p === i) ? o.t : permute(o.t, perm);
    return reshape(moved, shape);
  };
  const A = arrange(a, [...batch, ...aOnly, ...summed], [size(batch), size(aOnly), size(summed)]); // (Bt, M, K)
  const B = arrange(b, [...batch, ...summed, ...bOnly], [size(batch), size(summed), size(bOnly)]); // (Bt, K, N)
  // int32 has no GEMM: the same contraction as a broadcast product summed over K.
  const C = A.dtype === "int32"
    ? sum(mul(reshape(A, [...A.shape, 1]), reshape(B, [B.shape[0]!, 1, B.shape[1]!, B.shape[2]!])), 2)
    : matmul(A, B); // (Bt, M, N)
  const labels = [...batch, ...aOnly, ...bOnly];
  return { t: reshape(C, labels.map((l) => sizes.get(l)!)), labels };
}
