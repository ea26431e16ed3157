// The reverse-mode engine: collects the graph below a root, then runs each node's rule once all
// of its consumers have contributed, in reverse creation order. Iterative (no recursion limit).

import { fmt, shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { AutogradError, ShapeError } from "../util/errors.js";
import { anomalyState, checkBackward } from "./anomaly.js";
import { noGrad } from "./grad_mode.js";
import { addGrads, addInto, castTo, copyTensor, sumToShape } from "./grad_utils.js";
import { Node } from "./node.js";

export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
}

/**
 * Internal (checkpoint's recomputation): gradients reaching a leaf, or an edge into one of the
 * `stops` nodes (the producers of tensors a checkpointed function closed over), are added to
 * `sink` under that tensor instead of being accumulated into .grad or propagated further.
 */
export interface BackwardCapture {
  readonly stops: ReadonlyMap<Node, Tensor>;
  readonly sink: Map<Tensor, Tensor>;
}

function addToSink(sink: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = sink.get(t);
  sink.set(t, prev ? addGrads(prev, g) : g);
}

/** Max-heap of nodes by creation order. */
class NodeHeap {
  private items: Node[] = [];
  get size(): number {
    return this.items.length;
  }
  push(n: Node): void {
    const a = this.items;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.seq >= a[i]!.seq) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Node {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.seq > a[m]!.seq) m = l;
        if (r < a.length && a[r]!.seq > a[m]!.seq) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function runHooks(hooks: readonly ((g: Tensor) => Tensor | void)[], grad: Tensor, where: string): Tensor {
  let g = grad;
  for (const hook of hooks) {
    const r = hook(g);
    if (r instanceof Tensor) {
      if (!shapesEqual(r.shape, g.shape)) {
        throw new ShapeError(`hook on ${where}: returned a gradient of shape ${fmt(r.shape)}, expected ${fmt(g.shape)}`);
      }
      g = r;
    }
  }
  return g;
}

function accumulateLeaf(leaf: Tensor, grad: Tensor): void {
  const g = runHooks(leaf.leafHooks, grad, leaf.name ?? "a leaf tensor");
  const old = leaf.grad;
  if (old && shapesEqual(old.shape, g.shape) && old.dtype === g.dtype) addInto(old, g);
  else leaf.grad = old ? addGrads(old, g) : copyTensor(g);
}

/** Backpropagate from `root` with upstream gradient `grad` (ones for a scalar root). */
export function runBackward(root: Tensor, grad: Tensor | undefined, opts: BackwardOptions = {}, capture?: BackwardCapture): void {
  if (!root.requiresGrad) {
    throw new AutogradError(`backward: the tensor (shape ${fmt(root.shape)}) does not require grad and has no gradFn`);
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.numel !== 1) {
      throw new AutogradError(
        `backward: grad can be implicitly created only for scalar outputs; got shape ${fmt(root.shape)}; pass a gradient of that shape`,
      );
    }
    const data = root.data.constructor === Float64Array ? new Float64Array(1) : new Float32Array(1);
    data[0] = 1;
    seed = new Tensor(data, root.shape);
  } else {
    if (!shapesEqual(grad.shape, root.shape)) {
      throw new ShapeError(`backward: gradient shape ${fmt(grad.shape)} does not match the tensor's shape ${fmt(root.shape)}`);
    }
    seed = castTo(grad, root.dtype);
  }
  const retain = opts.retainGraph ?? false;
  // Ops run by backward rules are not forward ops: anomaly mode checks the rule's results instead.
  anomalyState.backwardDepth++;
  try {
    backwardPasses(root, seed, retain, capture);
  } finally {
    anomalyState.backwardDepth--;
  }
}

function backwardPasses(root: Tensor, seed: Tensor, retain: boolean, capture: BackwardCapture | undefined): void {
  noGrad(() => {
    const rootNode = root.gradFn as Node | null;
    if (rootNode === null) {
      if (capture) addToSink(capture.sink, root, seed);
      else accumulateLeaf(root, seed);
      return;
    }
    // Pass 1: count, for every node, how many consumers in this graph will send it a gradient.
    const deps = new Map<Node, number>();
    deps.set(rootNode, 0);
    const stack: Node[] = [rootNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (const e of n.edges) {
        if (!e.node || capture?.stops.has(e.node)) continue;
        const c = deps.get(e.node);
        if (c === undefined) {
          deps.set(e.node, 1);
          stack.push(e.node);
        } else deps.set(e.node, c + 1);
      }
    }
    // Pass 2: run nodes whose gradients are complete.
    const buffers = new Map<Node, Tensor>([[rootNode, seed]]);
    const leafGrads = new Map<Tensor, Tensor>();
    const ready = new NodeHeap();
    ready.push(rootNode);
    while (ready.size > 0) {
      const node = ready.pop();
      let g = buffers.get(node)!;
      buffers.delete(node);
      if (node.freed) {
        throw new AutogradError(
          `backward: trying to backward through the graph a second time (node ${node.name}); its saved tensors were freed after the first backward. Pass { retainGraph: true } to the first backward() to keep them.`,
        );
      }
      checkSavedVersions(node);
      g = runHooks(node.preHooks, g, `the output of ${node.name}`);
      if (node.retainTarget) node.retainTarget.grad = node.retainTarget.grad ? addGrads(node.retainTarget.grad, g) : copyTensor(g);
      const grads = node.apply(g);
      if (anomalyState.users > 0) checkBackward(node, g, grads);
      if (!retain) node.release();
      if (grads.length !== node.edges.length) {
        throw new AutogradError(`${node.name}: backward returned ${grads.length} gradients for ${node.edges.length} inputs`);
      }
      for (let i = 0; i < node.edges.length; i++) {
        const e = node.edges[i]!;
        const gi = grads[i];
        if (!e.node && !e.leaf) continue;
        const stop = e.node && capture ? capture.stops.get(e.node) : undefined;
        if (stop) {
          if (gi) addToSink(capture!.sink, stop, castTo(sumToShape(node.name, gi, e.shape), e.dtype));
        } else if (e.node) {
          const left = deps.get(e.node)! - 1;
          deps.set(e.node, left);
          if (gi) {
            const r = castTo(sumToShape(node.name, gi, e.shape), e.dtype);
            const prev = buffers.get(e.node);
            buffers.set(e.node, prev ? addGrads(prev, r) : r);
          }
          if (left === 0) {
            if (buffers.has(e.node)) ready.push(e.node);
            else markUnreached(e.node, deps, buffers, ready, retain);
          }
        } else if (gi && e.leaf) {
          const r = castTo(sumToShape(node.name, gi, e.shape), e.dtype);
          const prev = leafGrads.get(e.leaf);
          leafGrads.set(e.leaf, prev ? addGrads(prev, r) : r);
        }
      }
    }
    for (const [leaf, g] of leafGrads) {
      if (capture) addToSink(capture.sink, leaf, g);
      else accumulateLeaf(leaf, g);
    }
  });
}

/** Refuse to run a rule whose saved tensors were written in place after the forward pass. */
function checkSavedVersions(node: Node): void {
  for (const s of node.saved) {
    if (s.counter.value !== s.version) {
      throw new AutogradError(
        `backward: a tensor of shape ${fmt(s.shape)} saved by ${node.name} was modified in place after the forward pass ` +
          `(version ${s.version}, now ${s.counter.value}), e.g. by optimizer.step(), an nn.init function or loadStateDict(); ` +
          "run the forward pass again after modifying parameters",
      );
    }
  }
}

/**
 * A node all of whose consumers sent no gradient: nothing flows through it, but its own inputs
 * still wait on it, so release their counts too (iteratively).
 */
function markUnreached(start: Node, deps: Map<Node, number>, buffers: Map<Node, Tensor>, ready: NodeHeap, retain: boolean): void {
  const stack = [start];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!retain) n.release();
    for (const e of n.edges) {
      if (!e.node) continue;
      const left = deps.get(e.node)! - 1;
      deps.set(e.node, left);
      if (left === 0) {
        if (buffers.has(e.node)) ready.push(e.node);
        else stack.push(e.node);
      }
    }
  }
}
