// A pool of storage arrays bucketed by dtype and exact length, so a training step can reuse the
// gradient buffers the previous backward pass consumed instead of allocating (and zero-filling)
// fresh ones. Arrays taken from it have unspecified contents: only kernels that overwrite every
// element take from it (`allocateUninit`). Only the autograd engine gives arrays back, and only
// arrays a backward rule allocated during the current pass and the engine provably holds the last
// reference to (see src/autograd/engine.ts). Bounded: beyond the cap, given arrays are left to the GC.
//
// Poison mode (DESCENT_POOL_POISON=1, or setPoolPoison(true)) fills every array allocateUninit
// hands out, and every array given back, with NaN (int32: a large garbage value, bool: 0xA5): a
// kernel that relies on a zero-filled output, or a reference that outlives its release, then
// shows up as wrong numbers in the test suite instead of depending on what the pool held.

import { type DType, type TypedArray, allocate, allocatedStorageBytes, dtypeOfArray } from "./dtype.js";

const CAP_BYTES = 1024 * 1024 * 1024;
/** Arrays below this many bytes are cheaper to allocate than to track. */
const MIN_BYTES = 4096;

const buckets = new Map<string, TypedArray[]>();
/** Arrays currently in a bucket: a second release of one is refused instead of handing it out twice. */
let pooled = new WeakSet<ArrayBufferLike>();
let pooledBytes = 0;
/** One set per running backward pass, innermost last (checkpoint() nests a pass inside another). */
const tracking: WeakSet<ArrayBufferLike>[] = [];
let enabled = process.env["DESCENT_BUFFER_POOL"] !== "0";
let poison = process.env["DESCENT_POOL_POISON"] === "1";

/** Turn recycling on (the default) or off (every allocateUninit allocates; release keeps nothing), e.g. to measure what the pool saves. */
export function setPoolEnabled(on: boolean): void {
  enabled = on;
  if (!on) clearPool();
}

export function isPoolEnabled(): boolean {
  return enabled;
}

/** Debugging: fill arrays handed out by allocateUninit and arrays given back with garbage (see the top of this file). */
export function setPoolPoison(on: boolean): void {
  poison = on;
}

export interface PoolStats {
  /** Arrays handed out from the pool / freshly allocated by allocateUninit or allocateZeroed since the last reset. */
  reused: number;
  allocated: number;
  /** Bytes of fresh tensor storage (every `allocate`, pooled path or not) since the last reset. */
  allocatedBytes: number;
  /** Bytes currently held by the pool. */
  pooledBytes: number;
}

const stats = { reused: 0, allocated: 0, bytesAtReset: 0 };

const key = (dtype: DType, n: number) => `${dtype}:${n}`;

function fillGarbage(a: TypedArray): void {
  if (a instanceof Float64Array || a instanceof Float32Array) a.fill(NaN);
  else if (a instanceof Int32Array) a.fill(0x5a5a5a5a);
  else {
    const d = dtypeOfArray(a);
    a.fill(d === "float16" ? 0x7e00 : d === "bfloat16" ? 0x7fc0 : 0xa5); // NaN bits; bool: neither 0 nor 1
  }
}

function track(a: TypedArray): void {
  for (const set of tracking) set.add(a.buffer);
}

/** A pooled array of dtype and n elements (contents as its last user left them), or null. */
function takePooled(dtype: DType, n: number): TypedArray | null {
  const a = buckets.get(key(dtype, n))?.pop();
  if (!a) return null;
  pooled.delete(a.buffer);
  pooledBytes -= a.byteLength;
  stats.reused++;
  return a;
}

function fresh(dtype: DType, n: number): TypedArray {
  stats.allocated++;
  return allocate(dtype, n);
}

/** An array of n elements with unspecified contents: a pooled one when available. */
export function allocateUninit(dtype: DType, n: number): TypedArray {
  const out = takePooled(dtype, n) ?? fresh(dtype, n);
  if (poison) fillGarbage(out);
  track(out);
  return out;
}

/** An array of n zeros: a pooled one, cleared, when available (cheaper than fresh zeroed pages). */
export function allocateZeroed(dtype: DType, n: number): TypedArray {
  const a = takePooled(dtype, n);
  const out = a ? a.fill(0) : fresh(dtype, n);
  track(out);
  return out;
}

/**
 * Start recording which storage allocateUninit and allocateZeroed hand out from now on (the engine calls this
 * around a backward pass); returns the set. Passes nest: storage a nested pass allocates is
 * recorded for the enclosing passes too, since its gradients flow out to them.
 */
export function beginTracking(): WeakSet<ArrayBufferLike> {
  const set = new WeakSet<ArrayBufferLike>();
  tracking.push(set);
  return set;
}

export function endTracking(set: WeakSet<ArrayBufferLike>): void {
  const i = tracking.lastIndexOf(set);
  if (i >= 0) tracking.splice(i, 1);
}

/**
 * Run `fn` with tracking suspended: what it allocates belongs to no backward pass (checkpoint()'s
 * recomputed forward inside backward: activations, not gradients).
 */
export function untracked<T>(fn: () => T): T {
  const saved = tracking.splice(0, tracking.length);
  try {
    return fn();
  } finally {
    tracking.splice(0, tracking.length, ...saved);
  }
}

/** A reference to this storage escaped to the caller (a hook, a .grad): no running pass may recycle it. */
export function forgetTracked(buffer: ArrayBufferLike): void {
  for (const set of tracking) set.delete(buffer);
}

/** Give back an array nothing else references (the caller guarantees it). */
export function release(a: TypedArray): void {
  forgetTracked(a.buffer); // given up by its pass: only a new hand-out makes it fresh again
  if (!enabled || a.byteLength < MIN_BYTES || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (pooled.has(a.buffer) || pooledBytes + a.byteLength > CAP_BYTES) return;
  if (poison) fillGarbage(a); // a reference that outlives this release now reads garbage
  const k = key(dtypeOfArray(a), a.length); // float16 and bfloat16 (both 16-bit), bool and int32 kept apart
  let list = buckets.get(k);
  if (!list) buckets.set(k, (list = []));
  list.push(a);
  pooled.add(a.buffer);
  pooledBytes += a.byteLength;
}

export function poolStats(): PoolStats {
  return { reused: stats.reused, allocated: stats.allocated, allocatedBytes: allocatedStorageBytes() - stats.bytesAtReset, pooledBytes };
}

/** Zero the counters (not the pool). */
export function resetPoolStats(): void {
  stats.reused = 0;
  stats.allocated = 0;
  stats.bytesAtReset = allocatedStorageBytes();
}

/** Drop every pooled array (for tests and to return memory). */
export function clearPool(): void {
  buckets.clear();
  pooled = new WeakSet();
  pooledBytes = 0;
}
