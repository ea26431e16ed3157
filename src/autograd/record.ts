// How an op joins the graph: after computing its output, it calls record() with its inputs and
// its backward rule. Nothing is recorded in noGrad mode or when no input requires grad.

import type { Tensor } from "../tensor/tensor.js";
import { anomalyState, captureCreation, checkForward } from "./anomaly.js";
import { isGradEnabled } from "./grad_mode.js";
import { captureFrames, noteCaptured } from "./capture.js";
import { type BackwardRule, type Edge, Node } from "./node.js";

export function needsGraph(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

export interface RecordOptions {
  /**
   * Tensors whose values the backward rule reads (default: all inputs). Writing one of them in
   * place before backward makes backward throw. Pass [] for rules that read no data (add, reshape).
   */
  saves?: readonly Tensor[];
  /**
   * Other tensors the rule's closure keeps alive (a dropout mask, saved probabilities). They are
   * not version-checked; they count in autograd.memoryStats() (default: none).
   */
  holds?: readonly Tensor[];
  /**
   * The rule keeps a reference to its upstream gradient or to the gradients it returns (default
   * false). The engine recycles gradient storage it holds the last reference to, so a rule that
   * stashes one must say so; autograd.record (the public entry for custom ops) always sets it.
   */
  keepsGrad?: boolean;
  /** Internal (checkpoint): the rule stores its upstream gradient for its input nodes to read. */
  lendsGrad?: boolean;
  /**
   * Internal: tensors whose storage nothing but the rule's closure refers to (a dropout mask, the
   * softmax probabilities of a fused loss), never handed to the caller or shared with a view. Held
   * like `holds`; once backward has run the node (without retainGraph) their storage goes back to
   * the buffer pool for the next forward pass.
   */
  privates?: readonly Tensor[];
}

/** Attach `out` to the graph as the result of `name`(inputs); returns `out`. */
export function record(name: string, inputs: readonly Tensor[], out: Tensor, rule: BackwardRule, opts: RecordOptions = {}): Tensor {
  const anomaly = anomalyState.users > 0 && anomalyState.backwardDepth === 0;
  if (anomaly) checkForward(name, inputs, out);
  if (captureFrames.length > 0) noteCaptured(inputs);
  if (!needsGraph(inputs)) return out;
  const edges: Edge[] = inputs.map((t) => ({
    node: t.requiresGrad && !t.isLeaf ? (t.gradFn as Node) : null,
    leaf: t.requiresGrad && t.isLeaf ? t : null,
    shape: t.shape,
    dtype: t.dtype,
  }));
  const holds = opts.privates ? [...(opts.holds ?? []), ...opts.privates] : opts.holds;
  const node = new Node(name, edges, out, rule, opts.saves ?? inputs, holds);
  if (opts.privates) node.privates = opts.privates.map((t) => t.data);
  if (opts.keepsGrad) node.keepsGrad = true;
  if (opts.lendsGrad) node.lendsGrad = true;
  if (anomaly) node.anomaly = { creation: captureCreation(), inputs };
  out.setGradFn(node);
  return out;
}
