// `descent demo backprop`: the reference's two-layer ReLU network, differentiated twice: by a
// hand-written chain rule over plain arrays, and by Descent's autograd; the two must agree.

import { type Tensor, tensor } from "../../index.js";
import { matrixLines, sci, sideBySide } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

type Matrix = number[][];

export const GRAD_NAMES = ["d_w1", "d_b1", "d_w2", "d_b2"] as const;
export type GradName = (typeof GRAD_NAMES)[number];

export interface Grads {
  loss: number;
  d_w1: Matrix;
  d_b1: Matrix;
  d_w2: Matrix;
  d_b2: Matrix;
}

// The worked example's inputs: x = [1, 2]^T, target y = 1.
const X: Matrix = [[1], [2]];
const Y = 1;
const W1: Matrix = [[0.1, 0.2], [0.3, 0.4]];
const B1: Matrix = [[0.01], [0.02]];
const W2: Matrix = [[0.5, 0.6]];
const B2: Matrix = [[0.03]];

// --- Plain-array helpers for the manual pass.
const matmul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((acc, v, k) => acc + v * b[k]![j]!, 0)));
const add = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v + b[i]![j]!));
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const scale = (a: Matrix, s: number): Matrix => a.map((row) => row.map((v) => v * s));
const map = (a: Matrix, f: (v: number, i: number, j: number) => number): Matrix => a.map((row, i) => row.map((v, j) => f(v, i, j)));

/** Manual backpropagation, line for line the reference's manual_two_layer_grads(). */
export function manualTwoLayerGrads(): Grads {
  // Forward
  const z1 = add(matmul(W1, X), B1); // (2, 1)
  const h = map(z1, (v) => Math.max(0, v)); // ReLU
  const z2 = add(matmul(W2, h), B2)[0]![0]!; // scalar
  const loss = (z2 - Y) ** 2;
  // Backward: L = (z2 - y)^2 => dL/dz2 = 2(z2 - y)
  const dz2 = 2 * (z2 - Y);
  const dw2 = scale(transpose(h), dz2); // (1, 2)
  const db2 = [[dz2]];
  const dh = scale(transpose(W2), dz2); // (2, 1)
  const dz1 = map(dh, (v, i, j) => v * (z1[i]![j]! > 0 ? 1 : 0)); // ReLU'(z1) = 1[z1 > 0]
  const dw1 = matmul(dz1, transpose(X)); // (2, 2)
  const db1 = dz1;
  return { loss, d_w1: dw1, d_b1: db1, d_w2: dw2, d_b2: db2 };
}

/** The same network through Descent's autograd in float64. */
export function autogradTwoLayerGrads(): Grads {
  const param = (m: Matrix, name: string): Tensor => {
    const t = tensor(m, { dtype: "float64", requiresGrad: true });
    t.name = name;
    return t;
  };
  const x = tensor(X, { dtype: "float64" });
  const w1 = param(W1, "w1");
  const b1 = param(B1, "b1");
  const w2 = param(W2, "w2");
  const b2 = param(B2, "b2");

  const z1 = w1.matmul(x).add(b1); // (2, 1)
  const h = z1.relu();
  const z2 = w2.matmul(h).add(b2).reshape([]); // (1, 1) -> scalar, like .squeeze()
  const loss = z2.sub(Y).pow(2);
  loss.backward();

  const grad = (t: Tensor): Matrix => t.grad!.toArray() as Matrix;
  return { loss: loss.item(), d_w1: grad(w1), d_b1: grad(b1), d_w2: grad(w2), d_b2: grad(b2) };
}

function maxAbsDiff(a: Matrix, b: Matrix): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

export interface BackpropResult {
  loss: { manual: number; autograd: number; absDiff: number };
  grads: Record<GradName, { manual: Matrix; autograd: Matrix; maxAbsDiff: number }>;
  /** Largest |manual - autograd| over all four gradients. */
  maxAbsDiff: number;
}

export function backpropResult(): BackpropResult {
  const m = manualTwoLayerGrads();
  const a = autogradTwoLayerGrads();
  const grads = {} as BackpropResult["grads"];
  let worst = 0;
  for (const name of GRAD_NAMES) {
    const d = maxAbsDiff(m[name], a[name]);
    grads[name] = { manual: m[name], autograd: a[name], maxAbsDiff: d };
    worst = Math.max(worst, d);
  }
  return { loss: { manual: m.loss, autograd: a.loss, absDiff: Math.abs(m.loss - a.loss) }, grads, maxAbsDiff: worst };
}

export function formatBackprop(r: BackpropResult): string {
  const out: string[] = [
    "Manual backprop vs Descent autograd: two-layer ReLU network, squared loss (float64)",
    "  x = [1, 2]ᵀ, y = 1, w1 = [[0.1, 0.2], [0.3, 0.4]], b1 = [[0.01], [0.02]], w2 = [[0.5, 0.6]], b2 = [[0.03]]",
    "  z1 = w1·x + b1,  h = relu(z1),  z2 = w2·h + b2,  L = (z2 − y)²",
    "",
    `Loss (manual):   ${r.loss.manual}`,
    `Loss (autograd): ${r.loss.autograd}`,
    `|manual − autograd|: ${sci(r.loss.absDiff)}`,
  ];
  for (const name of GRAD_NAMES) {
    const g = r.grads[name];
    const left = matrixLines(g.manual);
    const width = Math.max(left[0]!.length, `${name} manual:`.length);
    out.push("", ...sideBySide([`${name} manual:`, ...left], [`${name} autograd:`, ...matrixLines(g.autograd)], width));
    out.push(`max |manual − autograd|: ${sci(g.maxAbsDiff)}`);
  }
  const verdict = r.maxAbsDiff <= 1e-15 ? "agree" : "DISAGREE";
  out.push("", `Manual chain rule and autograd ${verdict}: largest difference ${sci(r.maxAbsDiff)} over all gradients.`);
  return out.join("\n");
}

export const backpropDemo = defineDemo<{ json?: boolean }>({
  name: "backprop",
  section: "Backpropagation",
  summary: "manual backpropagation vs autograd on a two-layer ReLU network (gradients side by side)",
  options: [jsonOption],
  run: (o) => jsonOrText(backpropResult(), o.json, formatBackprop),
});
