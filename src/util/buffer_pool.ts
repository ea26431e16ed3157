// A pool of storage arrays bucketed by dtype and exact length, so a training step can reuse the
// gradient buffers the previous backward pass consumed instead of allocating (and zero-filling)
// fresh ones. Arrays taken from it have unspecified contents: only kernels that overwrite every
// element take from it (`allocateUninit`). Only the autograd engine gives arrays back, and only
// arrays it allocated during the backward pass and provably holds the last reference to
// (see src/autograd/engine.ts). Bounded: beyond the cap, given arrays are left to the GC.

import { type DType, type TypedArray, allocate } from "./dtype.js";

const CAP_BYTES = 256 * 1024 * 1024;
/** Arrays below this many bytes are cheaper to allocate than to track. */
const MIN_BYTES = 4096;

const buckets = new Map<string, TypedArray[]>();
let pooledBytes = 0;
let tracking: WeakSet<ArrayBuffer> | null = null;
// Off by default: a checkpoint() recompute reusing pooled storage gave wrong gradients (under investigation);
// setPoolEnabled(true) turns recycling on for runs without gradient checkpointing.
let enabled = false;

/** Turn recycling off (every allocateUninit allocates; release keeps nothing), e.g. to measure what the pool saves. */
export function setPoolEnabled(on: boolean): void {
  enabled = on;
  if (!on) clearPool();
}

export interface PoolStats {
  /** Arrays handed out from the pool / freshly allocated by allocateUninit since the last reset. */
  reused: number;
  allocated: number;
  /** Bytes of fresh storage allocated through allocate/allocateUninit since the last reset. */
  allocatedBytes: number;
  /** Bytes currently held by the pool. */
  pooledBytes: number;
}

const stats = { reused: 0, allocated: 0, allocatedBytes: 0 };

const key = (dtype: DType, n: number) => `${dtype}:${n}`;

function note(a: TypedArray): TypedArray {
  stats.allocated++;
  stats.allocatedBytes += a.byteLength;
  if (tracking) tracking.add(a.buffer as ArrayBuffer);
  return a;
}

/** A zero-filled array (like `allocate`), recorded as fresh while the engine tracks allocations. */
export function allocateTracked(dtype: DType, n: number): TypedArray {
  return note(allocate(dtype, n));
}

/** An array of n elements with unspecified contents: a pooled one when available. */
export function allocateUninit(dtype: DType, n: number): TypedArray {
  const list = buckets.get(key(dtype, n));
  const a = list?.pop();
  if (a) {
    pooledBytes -= a.byteLength;
    stats.reused++;
    if (tracking) tracking.add(a.buffer as ArrayBuffer);
    return a;
  }
  return note(allocate(dtype, n));
}

/**
 * Start recording which storage is allocated from now on (the engine calls this around a
 * backward pass); returns the set, or null when tracking was already on (nested backward).
 */
export function beginTracking(): WeakSet<ArrayBuffer> | null {
  if (tracking) {
    nestedSeen = true;
    return null;
  }
  nestedSeen = false;
  tracking = new WeakSet();
  return tracking;
}

// A backward nested inside another (checkpoint() recomputing in backward) hands gradients it
// allocated to the outer pass through paths the outer recycler does not count, so once one has
// run the outer pass recycles nothing more (correct, merely less reuse).
let nestedSeen = false;

/** Whether a nested backward has run since the current tracked pass began. */
export function nestedBackwardSeen(): boolean {
  return nestedSeen;
}

export function endTracking(set: WeakSet<ArrayBuffer> | null): void {
  if (set && tracking === set) tracking = null;
}

/** Give back an array nothing else references (the caller guarantees it). */
export function release(a: TypedArray): void {
  if (!enabled || a.byteLength < MIN_BYTES || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (pooledBytes + a.byteLength > CAP_BYTES) return;
  const k = key(a instanceof Float64Array ? "float64" : a instanceof Float32Array ? "float32" : "int32", a.length);
  let list = buckets.get(k);
  if (!list) buckets.set(k, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
}

export function poolStats(): PoolStats {
  return { ...stats, pooledBytes };
}

/** Zero the counters (not the pool). */
export function resetPoolStats(): void {
  stats.reused = 0;
  stats.allocated = 0;
  stats.allocatedBytes = 0;
}

/** Drop every pooled array (for tests and to return memory). */
export function clearPool(): void {
  buckets.clear();
  pooledBytes = 0;
}
