// The reverse-mode engine: collects the graph below a root, then runs each node's rule once all
// of its consumers have contributed, in reverse creation order. Iterative (no recursion limit).

import { withAutocastState } from "./autocast_state.js";
import { fmt, shapesEqual } from "../shape/shape.js";
import { type GradHook, Tensor } from "../tensor/tensor.js";
import { beginTracking, endTracking, forgetTracked, release } from "../util/buffer_pool.js";
import { describeValue } from "../util/describe.js";
import { AutogradError, DTypeError, ShapeError } from "../util/errors.js";
import { anomalyState, checkBackward } from "./anomaly.js";
import { noGrad } from "./grad_mode.js";
import { addGrads, addInto, castTo, copyTensor, sumToShape } from "./grad_utils.js";
import { Node } from "./node.js";
import { isKnownZero, markWritten, restoreZeros } from "./zeroed_grads.js";
import type { TypedArray } from "../util/dtype.js";
import { checkOptionKeys } from "../util/options.js";

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

/**
 * Run a tensor's hooks in order; each may return a replacement gradient, which must be a Tensor
 * of the same shape and dtype (PyTorch refuses a hook that changes either), or nothing.
 */
function runHooks(hooks: readonly GradHook[], grad: Tensor, where: string): Tensor {
  let g = grad;
  hooks.forEach((hook, i) => {
    const r: unknown = hook(g);
    if (r === undefined) return;
    const name = `hook ${hook.name ? `'${hook.name}'` : `#${i}`} on ${where}`;
    if (!(r instanceof Tensor)) {
      throw new AutogradError(`backward: ${name} returned ${describeValue(r)}; a hook returns a Tensor (the new gradient) or nothing`);
    }
    if (!shapesEqual(r.shape, g.shape)) {
      throw new ShapeError(`backward: ${name} returned a gradient of shape ${fmt(r.shape)}, expected ${fmt(g.shape)}`);
    }
    if (r.dtype !== g.dtype) {
      throw new DTypeError(`backward: ${name} returned a gradient of dtype ${r.dtype}, expected ${g.dtype}`);
    }
    g = r;
  });
  return g;
}

function leafLabel(leaf: Tensor): string {
  return `${leaf.name ?? "a leaf tensor"} (shape ${fmt(leaf.shape)}, ${leaf.dtype})`;
}

/**
 * The new .grad of `t` after adding `g`: in place into an existing same-shaped gradient; a first
 * gradient is copied unless `owned` (nothing but the engine refers to g's storage), then kept.
 */
function commitGrad(t: Tensor, g: Tensor, owned = false): void {
  const old = t.grad;
  if (old && shapesEqual(old.shape, g.shape) && old.dtype === g.dtype) addInto(old, g);
  else {
    t.grad = old ? addGrads(old, g) : owned ? new Tensor(g.data, t.shape) : copyTensor(g);
    forgetTracked(t.grad.data.buffer); // the tensor's .grad now: no pass may recycle it
  }
}

/**
 * Backpropagate from `root` with upstream gradient `grad` (ones for a scalar root).
 *
 * All-or-nothing: every gradient (and every hook) is computed first; only then are the leaves'
 * and retained tensors' .grad updated and, without retainGraph, the saved tensors freed. A throw
 * anywhere (a rule, a hook, an in-place check) leaves every .grad and the graph as they were,
 * so backward can be retried.
 */
export function runBackward(root: Tensor, grad: Tensor | undefined, opts: BackwardOptions = {}, capture?: BackwardCapture): void {
  if (!root.requiresGrad) {
    throw new AutogradError(`backward: the tensor (shape ${fmt(root.shape)}) does not require grad and has no gradFn`);
  }
  let seed: Tensor;
  if (grad === undefined || grad === null) {
    if (root.numel !== 1) {
      throw new AutogradError(
        `backward: grad can be implicitly created only for scalar outputs; got shape ${fmt(root.shape)}; pass a gradient of that shape`,
      );
    }
    seed = castTo(new Tensor(Float64Array.of(1), root.shape), root.dtype); // 1 in the root's dtype (float16 bits too)
  } else {
    if (!(grad instanceof Tensor)) {
      throw new AutogradError(`backward: gradient must be a Tensor of shape ${fmt(root.shape)}, got ${describeValue(grad)}`);
    }
    if (!shapesEqual(grad.shape, root.shape)) {
      throw new ShapeError(`backward: gradient shape ${fmt(grad.shape)} does not match the tensor's shape ${fmt(root.shape)}`);
    }
    seed = castTo(grad, root.dtype);
  }
  checkOptionKeys("backward", opts, ["retainGraph"]);
  const retain = opts.retainGraph ?? false;
  // Ops run by backward rules are not forward ops: anomaly mode checks the rule's results instead.
  anomalyState.backwardDepth++;
  try {
    // Backward computes in the dtypes the forward pass chose: autocast is off while it runs.
    withAutocastState(null, () => backwardPasses(root, seed, retain, capture));
  } finally {
    anomalyState.backwardDepth--;
  }
}

function backwardPasses(root: Tensor, seed: Tensor, retain: boolean, capture: BackwardCapture | undefined): void {
  noGrad(() => {
    const rootNode = root.gradFn as Node | null;
    if (rootNode === null) {
      if (capture) {
        addToSink(capture.sink, root, seed);
        return;
      }
      const g = runHooks(root.leafHooks, seed, leafLabel(root));
      commitGrad(root, g);
      return;
    }
    // Pass 1: count, for every node, how many consumers in this graph will send it a gradient.
    const deps = new Map<Node, number>();
    const leafUses = new Map<Tensor, number>();
    deps.set(rootNode, 0);
    const stack: Node[] = [rootNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (const e of n.edges) {
        if (e.leaf) leafUses.set(e.leaf, (leafUses.get(e.leaf) ?? 0) + 1);
        if (!e.node || capture?.stops.has(e.node)) continue;
        const c = deps.get(e.node);
        if (c === undefined) {
          deps.set(e.node, 1);
          stack.push(e.node);
        } else deps.set(e.node, c + 1);
      }
    }
    // Pass 2: run nodes whose gradients are complete. Nothing outside this call changes yet.
    // Gradient storage this pass allocated and that nothing holds any more goes back to the
    // buffer pool (see GradRecycler).
    const direct = capture ? new Map<Tensor, Tensor>() : directGrads(leafUses);
    const written: Tensor[] = [];
    const fresh = beginTracking();
    try {
      runNodes(rootNode, seed, deps, retain, new GradRecycler(fresh), capture, direct, written);
    } catch (err) {
      for (const t of written) restoreZeros(t); // all-or-nothing: those .grad were zeros before
      throw err;
    } finally {
      endTracking(fresh);
    }
  });
}

/**
 * Leaves whose gradient a rule may write straight into their .grad: reached by one edge (the
 * whole gradient comes from one rule), no hooks to see it first, not in anomaly mode (which checks
 * the rules' results), and a .grad of the leaf's shape and dtype that zeroGrad left all zeros, so
 * writing the gradient there is the add the commit would do, and undoing it on a throw is a fill.
 */
function directGrads(leafUses: ReadonlyMap<Tensor, number>): Map<Tensor, Tensor> {
  const direct = new Map<Tensor, Tensor>();
  if (anomalyState.users > 0) return direct;
  const storages = new Set<TypedArray>();
  for (const [leaf, uses] of leafUses) {
    const g = leaf.grad;
    if (uses !== 1 || !g || leaf.leafHooks.length > 0 || g.dtype !== leaf.dtype || !shapesEqual(g.shape, leaf.shape)) continue;
    if (!isKnownZero(g) || storages.has(g.data)) continue;
    storages.add(g.data);
    direct.set(leaf, g);
  }
  return direct;
}

function runNodes(
  rootNode: Node, seed: Tensor, deps: Map<Node, number>, retain: boolean, rc: GradRecycler, capture: BackwardCapture | undefined,
  direct: ReadonlyMap<Tensor, Tensor>, written: Tensor[],
): void {
  {
    const buffers = new Map<Node, Tensor>([[rootNode, seed]]);
    const leafGrads = new Map<Tensor, Tensor>();
    const retained: [Tensor, Tensor][] = [];
    const visited: Node[] = [];
    // Gradients a rule handed to its input nodes by reference (checkpointOutput): held until they ran.
    const lent = new Map<Node, Tensor[]>();
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
      visited.push(node);
      const consumed = g;
      // A hook may keep what it sees or returns; a retained gradient is committed at the end;
      // a rule that keeps its gradient (a user's custom rule may) may keep its results too.
      if (node.preHooks.length > 0 || node.retainTarget || node.keepsGrad) rc.pin(g);
      if (node.preHooks.length > 0) {
        g = runHooks(node.preHooks, g, `the output of ${node.name}`);
        rc.pin(g);
      }
      if (node.retainTarget) retained.push([node.retainTarget, g]);
      let into: (TypedArray | null)[] | undefined;
      if (direct.size > 0 && !node.keepsGrad) { // never for autograd.record's custom rules
        for (let i = 0; i < node.edges.length; i++) {
          const target = node.edges[i]!.leaf ? direct.get(node.edges[i]!.leaf!) : undefined;
          if (!target) continue;
          into ??= new Array<TypedArray | null>(node.edges.length).fill(null);
          into[i] = target.data;
        }
      }
      const grads = node.apply(g, into);
      if (node.keepsGrad) for (const gi of grads) if (gi) rc.pin(gi);
      if (node.lendsGrad) {
        for (const e of node.edges) {
          if (!e.node) continue;
          rc.hold(consumed);
          const list = lent.get(e.node);
          if (list) list.push(consumed);
          else lent.set(e.node, [consumed]);
        }
      }
      if (anomalyState.users > 0) checkBackward(node, g, grads);
      if (grads.length !== node.edges.length) {
        throw new AutogradError(`${node.name}: backward returned ${grads.length} gradients for ${node.edges.length} inputs`);
      }
      for (let i = 0; i < node.edges.length; i++) {
        const e = node.edges[i]!;
        const gi = grads[i];
        if (!e.node && !e.leaf) continue;
        const stop = e.node && capture ? capture.stops.get(e.node) : undefined;
        if (stop) {
          if (gi) {
            const r = castTo(sumToShape(node.name, gi, e.shape), e.dtype);
            rc.escape(r); // the checkpoint's outer backward owns it: never back to the pool from here
            addToSink(capture!.sink, stop, r);
          }
        } else if (e.node) {
          const left = deps.get(e.node)! - 1;
          deps.set(e.node, left);
          if (gi) {
            const r = castTo(sumToShape(node.name, gi, e.shape), e.dtype);
            const prev = buffers.get(e.node);
            const next = prev ? addGrads(prev, r) : r;
            rc.hold(next);
            buffers.set(e.node, next);
            if (prev) rc.drop(prev);
            if (next !== r) rc.later(r);
            if (r !== gi) rc.later(gi);
          }
          if (left === 0) {
            if (buffers.has(e.node)) ready.push(e.node);
            else markUnreached(e.node, deps, buffers, ready, visited);
          }
        } else if (gi && e.leaf) {
          const target = into?.[i] ? direct.get(e.leaf) : undefined;
          if (target && gi.data === target.data) {
            if (!shapesEqual(gi.shape, e.shape) || gi.dtype !== e.dtype) {
              throw new AutogradError(`${node.name}: backward wrote a gradient of shape ${fmt(gi.shape)} (${gi.dtype}) into the .grad of a ${fmt(e.shape)} (${e.dtype}) leaf`);
            }
            markWritten(target); // the leaf's .grad holds its gradient now; nothing to commit
            written.push(target);
            continue;
          }
          const r = castTo(sumToShape(node.name, gi, e.shape), e.dtype);
          const prev = leafGrads.get(e.leaf);
          const next = prev ? addGrads(prev, r) : r;
          rc.hold(next);
          leafGrads.set(e.leaf, next);
          if (prev) rc.drop(prev);
          if (next !== r) rc.later(r);
          if (r !== gi) rc.later(gi);
        }
      }
      rc.drop(consumed);
      const loans = lent.get(node);
      if (loans) {
        lent.delete(node);
        for (const t of loans) rc.drop(t);
      }
      rc.flush();
    }
    if (capture) {
      // The checkpoint node hands these to the outer backward, which runs hooks and commits.
      for (const [leaf, g] of leafGrads) {
        rc.escape(g); // the outer backward owns it now: never back to the pool from this pass
        addToSink(capture.sink, leaf, g);
      }
      for (const [t, g] of retained) commitGrad(t, g);
      if (!retain) for (const n of visited) n.release();
      return;
    }
    // Leaf hooks see each leaf's total gradient; they may still throw, so run them all first.
    const finals: [Tensor, Tensor][] = [];
    for (const [leaf, g] of leafGrads) {
      if (leaf.leafHooks.length === 0) finals.push([leaf, g]);
      else {
        rc.pin(g);
        const h = runHooks(leaf.leafHooks, g, leafLabel(leaf));
        rc.pin(h);
        finals.push([leaf, h]);
      }
    }
    // Commit: nothing below can fail (hook results and .grad were validated: same shape, dtype).
    for (const [t, g] of retained) commitGrad(t, g);
    for (const [leaf, g] of finals) {
      // A first gradient the engine alone refers to becomes the leaf's .grad without a copy
      // (PyTorch's AccumulateGrad steals it the same way).
      commitGrad(leaf, g, rc.soleOwner(g));
      if (leaf.grad?.data.buffer === g.data.buffer) rc.pin(g); // the leaf kept this storage
    }
    if (!retain) for (const n of visited) n.release();
    for (const g of leafGrads.values()) rc.drop(g);
  }
}

/**
 * Reference counts, by storage buffer, of the gradients the engine holds (pending node
 * gradients, leaf sums, loans). Storage a backward rule allocated during this pass (tracked by
 * the buffer pool) whose count drops to zero is referenced by nothing else, because rules return
 * fresh arrays or views of their upstream gradient and keep neither (a rule that does says so:
 * keepsGrad, lendsGrad). Storage that escaped to the caller (a hook saw it, a .grad keeps it)
 * is pinned: no running pass recycles it; storage handed to an enclosing pass (checkpoint's
 * sink) is escaped from this pass only, and that pass recycles it once it is done with it.
 */
class GradRecycler {
  private readonly refs = new Map<ArrayBufferLike, number>();
  private readonly escaped = new Set<ArrayBufferLike>();
  private readonly pending: Tensor[] = [];
  constructor(private readonly fresh: WeakSet<ArrayBufferLike>) {}

  hold(t: Tensor): void {
    const b = t.data.buffer;
    this.refs.set(b, (this.refs.get(b) ?? 0) + 1);
  }

  /** Never recycle this storage from this pass (an enclosing pass may). */
  escape(t: Tensor): void {
    this.escaped.add(t.data.buffer);
  }

  /** Never recycle this storage from any running pass: something outside the engine refers to it. */
  pin(t: Tensor): void {
    this.escaped.add(t.data.buffer);
    forgetTracked(t.data.buffer);
  }

  /** Whether `t` (held once) is the only reference anywhere to storage this pass allocated, all of it. */
  soleOwner(t: Tensor): boolean {
    const b = t.data.buffer;
    return this.fresh.has(b) && !this.escaped.has(b) && this.refs.get(b) === 1 &&
      t.data.byteOffset === 0 && t.data.byteLength === b.byteLength;
  }

  /** One reference fewer to a held gradient; recycle its storage when that was the last. */
  drop(t: Tensor): void {
    const b = t.data.buffer;
    const n = (this.refs.get(b) ?? 0) - 1;
    if (n > 0) this.refs.set(b, n);
    else {
      this.refs.delete(b);
      this.recycle(t);
    }
  }

  /** A temporary (never held) to recycle once the current node is done, if nothing holds it then. */
  later(t: Tensor): void {
    this.pending.push(t);
  }

  flush(): void {
    for (const t of this.pending) if (!this.refs.has(t.data.buffer)) this.recycle(t);
    this.pending.length = 0;
  }

  private recycle(t: Tensor): void {
    const b = t.data.buffer;
    // release() untracks the storage, so a stale reference cannot give it back twice; handed out
    // again by this pass, it is fresh again.
    if (this.fresh.has(b) && !this.escaped.has(b)) release(t.data);
  }
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
function markUnreached(start: Node, deps: Map<Node, number>, buffers: Map<Node, Tensor>, ready: NodeHeap, visited: Node[]): void {
  const stack = [start];
  while (stack.length > 0) {
    const n = stack.pop()!;
    visited.push(n);
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
