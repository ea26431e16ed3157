// Which tensors that require grad a function reads: checkpoint() runs its function under noGrad
// with a capture frame open, and record() (called by every differentiable op, graph or not)
// notes each input that requires grad. Those are the function's inputs and whatever it closes
// over (parameters, tensors from the surrounding graph): the checkpoint's edges.

import type { Tensor } from "../tensor/tensor.js";

/** Open frames, innermost last; record() notes into the innermost. */
export const captureFrames: Set<Tensor>[] = [];

export function noteCaptured(inputs: readonly Tensor[]): void {
  const frame = captureFrames[captureFrames.length - 1]!;
  for (const t of inputs) if (t.requiresGrad) frame.add(t);
}

/** Run fn with a capture frame open; returns fn's result and the tensors it read that require grad. */
export function captureRequiresGrad<T>(fn: () => T): { result: T; captured: Set<Tensor> } {
  const frame = new Set<Tensor>();
  captureFrames.push(frame);
  try {
    return { result: fn(), captured: frame };
  } finally {
    captureFrames.pop();
  }
}
