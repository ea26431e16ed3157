// autograd.savedTensors(t): what the graph behind t holds for backward, node by node, with the
// storage sizes memoryStats() counts (each storage once, parameters listed but not counted).

import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../util/dtype.js";
import type { Node } from "./node.js";

export interface SavedTensorInfo {
  /** The op whose backward holds it (e.g. "linear", "dropout"). */
  readonly op: string;
  /** Module path of the node (null unless module-path tracking was on when it was recorded). */
  readonly module: string | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Bytes of its storage. */
  readonly bytes: number;
  /** A leaf that requires grad (a parameter): held, but not counted as activation memory. */
  readonly parameter: boolean;
  /** False when an earlier entry holds the same storage (or it is a parameter): counted once. */
  readonly counted: boolean;
}

/** Every tensor the not-yet-freed graph behind `t` keeps for backward, later nodes first. */
export function savedTensors(t: Tensor): SavedTensorInfo[] {
  const out: SavedTensorInfo[] = [];
  const root = t.gradFn as Node | null;
  if (root === null) return out;
  const seenNodes = new Set<Node>([root]);
  const seenStorage = new Set<unknown>();
  const nodes: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes.push(n);
    for (const e of n.edges) {
      if (e.node && !seenNodes.has(e.node)) {
        seenNodes.add(e.node);
        stack.push(e.node);
      }
    }
  }
  nodes.sort((a, b) => b.seq - a.seq);
  for (const n of nodes) {
    if (n.freed) continue;
    for (const h of n.held) {
      const counted = !h.parameter && !seenStorage.has(h.key);
      if (!h.parameter) seenStorage.add(h.key);
      out.push({ op: n.name, module: n.modulePath, shape: h.shape, dtype: h.dtype, bytes: h.bytes, parameter: h.parameter, counted });
    }
  }
  return out;
}
