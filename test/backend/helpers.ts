// Shared helpers for the native-vs-reference backend tests: seeded inputs, tolerant comparison,
// and running a kernel under different thread counts.
import assert from "node:assert/strict";
import { getNumThreads, loadNativeBackend, nativeLoadError, setNumThreads } from "../../src/backend/native/index.js";
import type { Backend } from "../../src/backend/backend.js";

export const native: Backend | null = loadNativeBackend();
/** node:test skip option: false when the addon loaded, else the reason it is absent. */
export const skip: string | false = native ? false : `native addon not built: ${nativeLoadError() ?? "unknown"}`;

export type FCtor = Float32ArrayConstructor | Float64ArrayConstructor;
export const FLOATS: readonly FCtor[] = [Float32Array, Float64Array];

/** Small deterministic PRNG (mulberry32) so every run sees the same inputs. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randArray(Ctor: FCtor, n: number, seed: number, lo = -1, hi = 1): Float32Array | Float64Array {
  const r = rng(seed);
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

/** Elementwise |a - b| <= atol + rtol |b|, NaN matching NaN and infinities matching exactly. */
export function assertClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      assert.equal(a, e, `${what}[${i}]`);
      continue;
    }
    const err = Math.abs(a - e);
    if (!(err <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (err ${err}, rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Bitwise equality (NaN == NaN). */
export function assertSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i]) || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) continue;
    assert.fail(`${what}[${i}]: ${a[i]} !== ${b[i]}`);
  }
}

/** Run fn with 1 thread and with 2 threads; fn returns the arrays it wrote, which must be identical. */
export function assertThreadIndependent(fn: () => ArrayLike<number>[], what: string): void {
  const prev = getNumThreads();
  try {
    setNumThreads(1);
    const one = fn();
    setNumThreads(2);
    const two = fn();
    one.forEach((a, i) => assertSame(two[i]!, a, `${what} (1 vs 2 threads, output ${i})`));
  } finally {
    setNumThreads(prev);
  }
}
