// Activation memory accounting: how many bytes the graph keeps alive for backward. Every node
// registers the storages its backward rule holds (the tensors it saves for the in-place check
// plus private buffers such as dropout masks) when it is created and unregisters them when
// backward frees it (or, for a graph that is dropped without backward, when the garbage
// collector reclaims the node). A storage held by several nodes, or by views of one tensor,
// counts once. Leaves that require grad (parameters) are listed but not counted: the model keeps
// them alive anyway, so holding them costs the graph nothing.

import type { Tensor } from "../tensor/tensor.js";
import { release } from "../util/buffer_pool.js";
import type { DType, TypedArray } from "../util/dtype.js";
import { anomalyState } from "./anomaly.js";
import { isGradEnabled } from "./grad_mode.js";

/** Identity of a storage: its whole ArrayBuffer, or the typed array for a sub-range view. */
type StorageKey = ArrayBufferLike | TypedArray;

function storageKey(data: TypedArray): StorageKey {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data.buffer : data;
}

/** One storage a node holds for backward. */
export interface HeldStorage {
  readonly key: StorageKey;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly bytes: number;
  /** A leaf that requires grad (a parameter): listed, not counted. */
  readonly parameter: boolean;
}

interface LiveEntry {
  refs: number;
  readonly bytes: number;
  /** The op and module path of the node that first held it (what the bytes are charged to). */
  readonly op: string;
  readonly module: string | null;
}

const live = new Map<StorageKey, LiveEntry>();
const byOpBytes = new Map<string, number>();
const byModuleBytes = new Map<string, number>();
let liveBytes = 0;
let peakBytes = 0;
/**
 * Storages of graph-owned temporaries (see markGraphOwned), by buffer: given back to the buffer
 * pool once backward has freed the last node holding them.
 */
const graphOwned = new WeakMap<ArrayBufferLike, TypedArray>();
/** Live entries keyed by a sub-range view, per buffer: such a buffer is never recycled. */
const viewHolds = new Map<ArrayBufferLike, number>();

function bump(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}

/** The distinct storages of `tensors`, in order (views of one storage appear once). */
export function heldStorages(tensors: readonly Tensor[]): HeldStorage[] {
  const out: HeldStorage[] = [];
  const seen = new Set<StorageKey>();
  for (const t of tensors) {
    const key = storageKey(t.data);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, shape: t.shape, dtype: t.dtype, bytes: t.data.byteLength, parameter: t.isLeaf && t.requiresGrad });
  }
  return out;
}

/** A node's storages become live (called once, by the Node constructor). */
export function acquire(held: readonly HeldStorage[], op: string, module: string | null): void {
  for (const h of held) {
    if (h.parameter) continue;
    const e = live.get(h.key);
    if (e) {
      e.refs++;
      continue;
    }
    live.set(h.key, { refs: 1, bytes: h.bytes, op, module });
    if (!(h.key instanceof ArrayBuffer || h.key instanceof SharedArrayBuffer)) {
      const b = h.key.buffer;
      viewHolds.set(b, (viewHolds.get(b) ?? 0) + 1);
      graphOwned.delete(b); // a view of it is held: not provably private any more
    }
    liveBytes += h.bytes;
    bump(byOpBytes, op, h.bytes);
    if (module !== null) bump(byModuleBytes, module, h.bytes);
  }
  if (liveBytes > peakBytes) peakBytes = liveBytes;
}

/**
 * A node's storages are no longer held by it (backward freed it, or it was collected). With
 * `recycle` (backward freed it), a graph-owned storage no live node holds any more goes back to
 * the buffer pool.
 */
export function releaseHeld(held: readonly HeldStorage[], recycle = false): void {
  for (const h of held) {
    if (h.parameter) continue;
    const e = live.get(h.key);
    if (!e) continue;
    if (--e.refs > 0) continue;
    live.delete(h.key);
    liveBytes -= e.bytes;
    bump(byOpBytes, e.op, -e.bytes);
    if (e.module !== null) bump(byModuleBytes, e.module, -e.bytes);
    if (h.key instanceof ArrayBuffer || h.key instanceof SharedArrayBuffer) {
      const data = graphOwned.get(h.key);
      if (data && recycle && !viewHolds.has(h.key)) {
        graphOwned.delete(h.key);
        release(data);
      }
    } else {
      const b = h.key.buffer;
      const n = viewHolds.get(b)! - 1;
      if (n > 0) viewHolds.set(b, n);
      else viewHolds.delete(b);
    }
  }
}

/**
 * Internal, for library code that creates a temporary and hands it only to ops (a model's
 * block-internal activations): the caller guarantees that nothing but the backward rules of
 * graph nodes will refer to `t`'s storage, through `t` or any view of it, from now on. Once
 * backward has freed every node that saved it, the storage goes back to the buffer pool for the
 * next forward pass instead of to the garbage collector. No-op where the guarantee cannot hold or
 * nothing would be saved: grad mode off, anomaly mode (its records keep op inputs), a leaf, or
 * storage that is a view. Returns `t`.
 */
export function markGraphOwned(t: Tensor): Tensor {
  const d = t.data;
  if (!isGradEnabled() || anomalyState.users > 0 || t.gradFn === null) return t;
  if (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength || viewHolds.has(d.buffer)) return t;
  graphOwned.set(d.buffer, d);
  return t;
}

/**
 * Internal, for the same callers as markGraphOwned, once the op that consumed the temporary `t`
 * has run: if no graph node saved `t`'s storage (say a residual add, or dropout, which keeps only
 * its mask, consumed it), nothing refers to it any more and it goes back to the buffer pool now
 * instead of to the garbage collector. The caller guarantees what markGraphOwned requires and that
 * the consumer's output does not share `t`'s storage. Same no-op cases as markGraphOwned.
 */
export function recycleUnsaved(t: Tensor): void {
  const d = t.data;
  if (!isGradEnabled() || anomalyState.users > 0 || t.gradFn === null) return;
  if (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength || viewHolds.has(d.buffer) || live.has(d.buffer)) return;
  graphOwned.delete(d.buffer);
  release(d);
}

// A graph dropped without backward: its nodes are collected; give their bytes back then (the
// storage itself is left to the collector: no pool hand-back from a finalizer).
const collected = new FinalizationRegistry<readonly HeldStorage[]>((held) => releaseHeld(held));

/** Register a node so its storages are released if it is garbage-collected before backward. */
export function watchNode(node: object, held: readonly HeldStorage[]): void {
  if (held.length > 0) collected.register(node, held, node);
}

/** The node was released explicitly: no finalizer needed. */
export function unwatchNode(node: object): void {
  collected.unregister(node);
}

export interface MemoryStats {
  /** Bytes of the distinct storages live graph nodes hold for backward (parameters excluded). */
  readonly liveBytes: number;
  /** The largest liveBytes since the last resetPeak() (or since the process started). */
  readonly peakBytes: number;
  /** Live bytes by the op that saved them (e.g. `{ linear: 4096, gelu: 2048 }`). */
  readonly byOp: Readonly<Record<string, number>>;
  /**
   * Live bytes by the dotted path of the module whose forward created the saving node (e.g.
   * `transformer.h.2.attn`; "" is the outermost module). Filled only for nodes created while
   * module-path tracking was on (`autograd.trackModulePaths`, `enableModuleTracking`).
   */
  readonly byModule: Readonly<Record<string, number>>;
}

/** What the autograd graph holds for backward right now, and the peak since resetPeak(). */
export function memoryStats(): MemoryStats {
  return {
    liveBytes,
    peakBytes,
    byOp: Object.fromEntries(byOpBytes),
    byModule: Object.fromEntries(byModuleBytes),
  };
}

/** Start a new peak measurement from the current live bytes. */
export function resetPeak(): void {
  peakBytes = liveBytes;
}
