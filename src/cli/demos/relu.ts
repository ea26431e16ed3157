// `descent demo relu`: what a ReLU node keeps for its backward pass, read from the graph itself
// (which tensor, its shape, dtype and bytes), what a mask alone would cost, and that an input of
// exactly zero gets gradient zero (ReLU'(0) is taken as 0, as in PyTorch).

import { Tensor, tensor } from "../../index.js";
import type { Node } from "../../autograd/node.js";
import { versionCounterOf } from "../../tensor/tensor.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface SavedEntry {
  /** Which tensor of the forward pass the node keeps: "input x" or "output y" when recognised. */
  what: string;
  shape: number[];
  dtype: string;
  bytes: number;
}

export interface ReluDemoResult {
  x: number[];
  y: number[];
  /** d(sum y)/dx: 1 where x > 0, else 0 (also at x = 0). */
  grad: number[];
  saved: SavedEntry[];
  /** The same for a GPT MLP activation of shape (B, T, 4C) = (16, 128, 512), float32. */
  gptActivation: { shape: number[]; savedBytes: number; boolMaskBytes: number; bitMaskBytes: number };
}

function savedOf(y: Tensor, named: readonly [string, Tensor][]): SavedEntry[] {
  const node = y.gradFn as Node;
  return node.saved.map((s) => {
    const match = named.find(([, t]) => versionCounterOf(t.data) === s.counter);
    const t = match?.[1];
    const numel = s.shape.reduce((a, b) => a * b, 1);
    const itemBytes = t ? t.data.BYTES_PER_ELEMENT : 0;
    return { what: match?.[0] ?? "another tensor", shape: [...s.shape], dtype: t?.dtype ?? "?", bytes: numel * itemBytes };
  });
}

export function reluDemoResult(): ReluDemoResult {
  const x = tensor([-1.5, -0.5, 0, 0.5, 2], { requiresGrad: true });
  const y = x.relu();
  const saved = savedOf(y, [["input x", x], ["output y", y]]);
  y.sum().backward();

  const shape = [16, 128, 512];
  const big = new Tensor(new Float32Array(16 * 128 * 512), shape).requiresGrad_();
  const bigOut = big.relu();
  const savedBytes = savedOf(bigOut, [["input x", big], ["output y", bigOut]]).reduce((a, s) => a + s.bytes, 0);
  const n = 16 * 128 * 512;
  return {
    x: Array.from(x.data),
    y: Array.from(y.data),
    grad: Array.from(x.grad!.data),
    saved,
    gptActivation: { shape, savedBytes, boolMaskBytes: n, bitMaskBytes: n / 8 },
  };
}

const kib = (b: number): string => `${(b / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 })} KiB`;

export function formatReluDemo(r: ReluDemoResult): string {
  return [
    "y = relu(x), L = sum(y) (float32); backward: dL/dx = 1 where x > 0, else 0",
    "",
    ...columns([
      ["x", "y = relu(x)", "dL/dx"],
      ...r.x.map((v, i) => [String(v), String(r.y[i]), String(r.grad[i])]),
    ], { headerRule: true, indent: "  ", align: ["right", "right", "right"] }),
    "",
    "x = 0 sits on the kink: ReLU'(0) is taken as 0, so an input of exactly zero gets no gradient.",
    "",
    "What the relu node saved for backward (read from the graph):",
    ...r.saved.map((s) => `  ${s.what}: shape [${s.shape.join(", ")}], ${s.dtype}, ${s.bytes} bytes`),
    "",
    `For a GPT MLP activation [${r.gptActivation.shape.join(", ")}] (float32) that is ${kib(r.gptActivation.savedBytes)};`,
    `the backward only needs the sign, so a boolean mask would take ${kib(r.gptActivation.boolMaskBytes)} (1 byte each)`,
    `or ${kib(r.gptActivation.bitMaskBytes)} packed as bits: what "store a mask" buys in activation memory.`,
  ].join("\n");
}

export const reluDemo = defineDemo<{ json?: boolean }>({
  name: "relu",
  section: "Interview questions",
  summary: "what a ReLU saves for backward (with its bytes from the graph); zero input gets zero gradient",
  options: [jsonOption],
  run: (o) => jsonOrText(reluDemoResult(), o.json, formatReluDemo),
});
