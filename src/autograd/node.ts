// Graph nodes: one per op output. A node holds edges to its inputs' producers (or leaves)
// and the op's backward rule, whose closure owns the saved tensors until backward has run.

import { release } from "../util/buffer_pool.js";
import type { DType, TypedArray } from "../util/dtype.js";
import { type GradHook, type Tensor, type VersionCounter, versionCounterOf } from "../tensor/tensor.js";
import { moduleScope } from "./module_scope.js";
import { type HeldStorage, acquire, heldStorages, releaseHeld, unwatchNode, watchNode } from "./saved_memory.js";

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
 * `into[i]`, when given and not null, is storage of input i's shape and dtype (a leaf's zeroed
 * .grad) that the rule may write input i's whole gradient into, returning a tensor over it; a
 * rule is free to ignore it. Internal: never passed to rules recorded through autograd.record.
 */
export type BackwardRule = (grad: Tensor, needsGrad: readonly boolean[], into?: readonly (TypedArray | null)[]) => readonly (Tensor | null)[];

/** A tensor the rule will read, with its storage version when the op ran. */
export interface SavedVersion {
  readonly counter: VersionCounter;
  readonly version: number;
  readonly shape: readonly number[];
  /** Bytes of the saved tensor's storage (what keeping it alive until backward costs). */
  readonly bytes: number;
}

/** What anomaly mode keeps on a node so a NaN in backward can be traced to where the op ran. */
export interface AnomalyRecord {
  /** Captured when the op ran; its stack is formatted only if an anomaly is reported. */
  readonly creation: Error;
  /** The op's inputs (forward values), to say which was already non-finite. */
  readonly inputs: readonly Tensor[];
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
  /** Dotted path of the module whose forward created this node; null unless module tracking was on. */
  readonly modulePath: string | null;
  /**
   * The rule may keep references to its upstream gradient or its results after returning (a
   * user's custom rule): the engine then never recycles their storage.
   */
  keepsGrad = false;
  /**
   * The rule stores its upstream gradient for its input nodes to read when they run
   * (checkpointOutput -> checkpoint): the engine keeps it alive until they have.
   */
  lendsGrad = false;
  /** Storage only the rule refers to (RecordOptions.privates): back to the buffer pool on release. */
  privates: readonly TypedArray[] = [];
  /** Set by record() in anomaly mode only. */
  anomaly: AnomalyRecord | null = null;
  /** Distinct storages the rule keeps alive (saves plus private buffers), for memory accounting. */
  held: readonly HeldStorage[];
  private rule: BackwardRule | null;
  private freedFlag = false;

  /** `holds`: tensors the rule keeps besides `saves` (masks, probabilities), counted as memory only. */
  constructor(name: string, edges: readonly Edge[], out: Tensor, rule: BackwardRule, saves: readonly Tensor[], holds: readonly Tensor[] = []) {
    this.name = name;
    this.saved = saves.map((t) => {
      const counter = versionCounterOf(t.data);
      return { counter, version: counter.value, shape: t.shape, bytes: t.data.byteLength };
    });
    const frames = moduleScope.stack;
    this.modulePath = moduleScope.users === 0 || frames.length === 0 ? null : frames[frames.length - 1]!.path;
    this.edges = edges;
    this.outShape = out.shape;
    this.outDType = out.dtype;
    this.rule = rule;
    this.held = heldStorages(holds.length === 0 ? saves : [...saves, ...holds]);
    acquire(this.held, name, this.modulePath);
    watchNode(this, this.held);
  }

  get freed(): boolean {
    return this.freedFlag;
  }

  /** Bytes of the distinct storages this node saved for backward (0 once freed). */
  get savedBytes(): number {
    if (this.freedFlag) return 0;
    let n = 0;
    const seen = new Set<VersionCounter>();
    for (const s of this.saved) {
      if (seen.has(s.counter)) continue;
      seen.add(s.counter);
      n += s.bytes;
    }
    return n;
  }

  get needsGrad(): boolean[] {
    return this.edges.map((e) => e.node !== null || e.leaf !== null);
  }

  /** Run the rule; the caller checks `freed` first. */
  apply(grad: Tensor, into?: readonly (TypedArray | null)[]): readonly (Tensor | null)[] {
    return this.rule!(grad, this.needsGrad, into);
  }

  /** Drop the rule and with it every saved tensor. */
  release(): void {
    if (!this.freedFlag && this.held.length > 0) {
      unwatchNode(this);
      releaseHeld(this.held, true);
      this.held = [];
    }
    this.rule = null;
    this.freedFlag = true;
    for (const a of this.privates) release(a);
    this.privates = [];
  }
}
