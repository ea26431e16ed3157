// Graph nodes: one per op output. A node holds edges to its inputs' producers (or leaves)
// and the op's backward rule, whose closure owns the saved tensors until backward has run.

import type { DType } from "../util/dtype.js";
import { type GradHook, type Tensor, type VersionCounter, versionCounterOf } from "../tensor/tensor.js";

/** Where an input's gradient goes: into another node, into a leaf's .grad, or nowhere. */
export interface Edge {
  readonly node: Node | null;
  readonly leaf: Tensor | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A backward rule: the upstream gradient in, one gradient per input out (null where that input
 * needs none). Gradients may have the broadcast output shape; the engine reduces them.
 */
export type BackwardRule = (grad: Tensor, needsGrad: readonly boolean[]) => readonly (Tensor | null)[];

/** A tensor the rule will read, with its storage version when the op ran. */
export interface SavedVersion {
  readonly counter: VersionCounter;
  readonly version: number;
  readonly shape: readonly number[];
}

let nextSeq = 0;

declare module "../tensor/tensor.js" {
  interface GradNode {
    readonly name: string;
  }
}

export class Node {
  readonly name: string;
  readonly edges: readonly Edge[];
  readonly outShape: readonly number[];
  readonly outDType: DType;
  /** Creation order; backward runs later nodes first among those ready. */
  readonly seq = nextSeq++;
  /** Hooks registered on the output tensor (a non-leaf); they see and may replace its gradient. */
  readonly preHooks: GradHook[] = [];
  /** The output tensor, kept only when it asked to retain its gradient. */
  retainTarget: Tensor | null = null;
  /** Versions of the tensors the rule reads; a mismatch at backward means an in-place write. */
  readonly saved: readonly SavedVersion[];
  private rule: BackwardRule | null;
  private freedFlag = false;

  constructor(name: string, edges: readonly Edge[], out: Tensor, rule: BackwardRule, saves: readonly Tensor[]) {
    this.name = name;
    this.saved = saves.map((t) => {
      const counter = versionCounterOf(t.data);
      return { counter, version: counter.value, shape: t.shape };
    });
    this.edges = edges;
    this.outShape = out.shape;
    this.outDType = out.dtype;
    this.rule = rule;
  }

  get freed(): boolean {
    return this.freedFlag;
  }

  get needsGrad(): boolean[] {
    return this.edges.map((e) => e.node !== null || e.leaf !== null);
  }

  /** Run the rule; the caller checks `freed` first. */
  apply(grad: Tensor): readonly (Tensor | null)[] {
    return this.rule!(grad, this.needsGrad);
  }

  /** Drop the rule and with it every saved tensor. */
  release(): void {
    this.rule = null;
    this.freedFlag = true;
  }
}
