// Gradient checkpointing (torch.utils.checkpoint, non-reentrant semantics): trade compute for
// activation memory. checkpoint(fn, ...inputs) runs fn under noGrad, so none of its
// intermediate activations are saved; the graph keeps only fn's inputs. When backward reaches
// the outputs, fn runs again with grad enabled (with the random-number state it saw the first
// time, so dropout draws the same masks) and the gradient flows through that recomputation.
//
// Graph shape: one "checkpoint" node whose edges are every tensor fn read that requires grad:
// its inputs and whatever it closed over (parameters, tensors of the surrounding graph), found by
// recording which such tensors the ops inside fn were given. Each output gets a small
// "checkpointOutput" node that hands its gradient to the checkpoint node, so several outputs
// share one recomputation. The recomputation's own backward stops at those edges and returns
// their gradients to the outer backward, which accumulates them like any other node's.

import { fmt } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { untracked } from "../util/buffer_pool.js";
import { isFloat } from "../util/dtype.js";
import { AutogradError, ValueError } from "../util/errors.js";
import { type Generator, type GeneratorState, defaultGenerator } from "../util/rng.js";
import { type AutocastState, autocastState, withAutocastState } from "./autocast_state.js";
import { captureRequiresGrad } from "./capture.js";
import { runBackward } from "./engine.js";
import { enableGrad, isGradEnabled, noGrad } from "./grad_mode.js";
import { type ModuleFrame, moduleScope } from "./module_scope.js";
import type { Node } from "./node.js";
import { record } from "./record.js";

/** What fn may return: one tensor or an array of them (non-tensors pass through untouched). */
export type CheckpointOutput = Tensor | readonly unknown[];

export interface CheckpointOptions {
  /**
   * Restore the random-number state before recomputing, so dropout inside fn draws the same
   * masks both times (default true). Covers the global generator and `generators`.
   */
  preserveRngState?: boolean;
  /** Generators fn draws from besides the global one (e.g. a model's dropout generator). */
  generators?: readonly Generator[];
}

const OPTION_KEYS = new Set(["preserveRngState", "generators"]);

function isOptions(v: unknown): v is CheckpointOptions {
  return typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v);
}

function snapshot(gens: readonly Generator[]): GeneratorState[] {
  return gens.map((g) => g.getState());
}

function restore(gens: readonly Generator[], states: readonly GeneratorState[]): void {
  gens.forEach((g, i) => g.setState(states[i]!));
}

/**
 * Run `fn(...inputs)` without saving its activations; recompute them during backward.
 * The last argument may be `{ preserveRngState, generators }`. fn must be deterministic given
 * its inputs and the random state (the recomputation must read the same tensors).
 */
export function checkpoint<T extends CheckpointOutput>(fn: (...inputs: Tensor[]) => T, ...args: (Tensor | CheckpointOptions)[]): T {
  if (typeof fn !== "function") {
    throw new ValueError(`checkpoint: the first argument must be a function, got ${fn === null ? "null" : typeof fn}`);
  }
  let opts: CheckpointOptions = {};
  if (args.length > 0 && isOptions(args[args.length - 1])) opts = args.pop() as CheckpointOptions;
  for (const k of Object.keys(opts)) {
    if (!OPTION_KEYS.has(k)) throw new ValueError(`checkpoint: unknown option '${k}'; valid options are preserveRngState, generators`);
  }
  const inputs = args.map((a, i) => {
    if (!(a instanceof Tensor)) {
      throw new ValueError(`checkpoint: input #${i} must be a Tensor (options go last, as an object), got ${a === null ? "null" : typeof a}`);
    }
    return a;
  });
  // Nothing to differentiate: behave as a plain call (as PyTorch does under no_grad).
  if (!isGradEnabled()) return fn(...inputs);

  const preserve = opts.preserveRngState ?? true;
  const gens = preserve ? [defaultGenerator, ...(opts.generators ?? [])] : [];
  const rngStates = snapshot(gens);
  const frames = moduleScope.stack.slice(); // recomputed nodes get the module paths they had in forward
  // The recomputation runs inside backward, where autocast is off: it gets the forward's mode back
  // (torch.utils.checkpoint does the same), so it makes the dtypes the first run made. Its own cache.
  const amp = autocastState();
  const ampAgain: AutocastState | null = amp && { dtype: amp.dtype, cache: amp.cache ? new Map() : null };
  const { result, captured } = captureRequiresGrad(() => noGrad(() => fn(...inputs)));
  const outs = Array.isArray(result) ? (result as readonly unknown[]) : [result];
  if (!Array.isArray(result) && !(result instanceof Tensor)) {
    throw new ValueError(`checkpoint: fn must return a Tensor or an array, got ${result === null ? "null" : typeof result}`);
  }
  // The checkpoint node's edges: inputs first, then closed-over tensors, each once.
  const edgeTensors: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const t of [...inputs, ...captured]) {
    if (!t.requiresGrad || seen.has(t)) continue;
    seen.add(t);
    edgeTensors.push(t);
  }
  if (edgeTensors.length === 0) return result;

  const pending: (Tensor | null)[] = outs.map(() => null);
  const token = new Tensor(new Float32Array(1), []);
  record("checkpoint", edgeTensors, token, () => {
    const grads = pending.slice();
    pending.fill(null);
    return recompute(fn, inputs, edgeTensors, grads, gens, rngStates, frames, ampAgain);
  }, { saves: edgeTensors, holds: inputs });
  // Each float output gets a node that forwards its gradient to the checkpoint node.
  const wrapped = outs.map((o, i) => {
    if (!(o instanceof Tensor) || !isFloat(o.dtype)) return o;
    const out = o.requiresGrad || inputs.includes(o) ? new Tensor(o.data, o.shape) : o; // never rewire a caller's tensor
    // The gradient is read by the checkpoint node later in the same pass (lendsGrad keeps it alive).
    return record("checkpointOutput", [token], out, (g) => {
      pending[i] = g;
      return [new Tensor(new Float32Array(1), [])];
    }, { saves: [], lendsGrad: true });
  });
  return (Array.isArray(result) ? wrapped : wrapped[0]) as T;
}

/** The checkpoint node's backward: run fn again with grad on, backpropagate the outputs' gradients. */
function recompute(
  fn: (...inputs: Tensor[]) => CheckpointOutput, inputs: readonly Tensor[], edgeTensors: readonly Tensor[],
  grads: readonly (Tensor | null)[], gens: readonly Generator[], rngStates: readonly GeneratorState[],
  frames: readonly ModuleFrame[], amp: AutocastState | null,
): (Tensor | null)[] {
  // Inputs become fresh leaves (sharing storage) so the recomputed graph ends at them.
  const inputIndex = new Map<Tensor, Tensor>();
  for (const t of inputs) if (t.requiresGrad && !inputIndex.has(t)) inputIndex.set(t, new Tensor(t.data, t.shape).requiresGrad_(true));
  const detached = inputs.map((t) => inputIndex.get(t) ?? t);
  const outerStates = snapshot(gens);
  restore(gens, rngStates);
  const outerFrames = moduleScope.stack;
  moduleScope.stack = frames.slice();
  let result: CheckpointOutput;
  try {
    // Activations, not gradients: none of it is the enclosing backward's to recycle.
    result = untracked(() => enableGrad(() => withAutocastState(amp, () => fn(...detached))));
  } finally {
    moduleScope.stack = outerFrames;
    restore(gens, outerStates);
  }
  const outs = Array.isArray(result) ? (result as readonly unknown[]) : [result];
  if (outs.length !== grads.length) {
    throw new AutogradError(`checkpoint: fn returned ${outs.length} outputs when recomputed, ${grads.length} the first time; fn must be deterministic`);
  }
  const roots: Tensor[] = [];
  const seeds: Tensor[] = [];
  outs.forEach((o, i) => {
    const g = grads[i];
    if (!g || !(o instanceof Tensor) || !o.requiresGrad) return;
    if (o.shape.length !== g.shape.length || o.shape.some((d, k) => d !== g.shape[k])) {
      throw new AutogradError(`checkpoint: recomputed output #${i} has shape ${fmt(o.shape)}, ${fmt(g.shape)} the first time`);
    }
    roots.push(o);
    seeds.push(g);
  });
  const sink = new Map<Tensor, Tensor>();
  if (roots.length > 0) {
    const stops = new Map<Node, Tensor>();
    for (const t of edgeTensors) if (!t.isLeaf) stops.set(t.gradFn as Node, t);
    // One synthetic root whose rule hands each recomputed output its gradient: several outputs,
    // one backward pass, no extra arithmetic.
    const root = enableGrad(() => record("checkpointRecompute", roots, new Tensor(new Float32Array(1), []), () => seeds, { saves: [] }));
    runBackward(root, undefined, {}, { stops, sink });
  }
  const expected = new Set<Tensor>(edgeTensors.map((t) => inputIndex.get(t) ?? t));
  for (const t of sink.keys()) {
    if (!expected.has(t)) {
      throw new AutogradError(
        `checkpoint: the recomputation reached a tensor of shape ${fmt(t.shape)} that requires grad but fn did not read the first time; fn must be deterministic`,
      );
    }
  }
  return edgeTensors.map((t) => sink.get(inputIndex.get(t) ?? t) ?? null);
}
