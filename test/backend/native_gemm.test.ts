// Native GEMM vs the TypeScript reference: awkward sizes, all transposes, batches with broadcast
// (stride 0), offsets, alpha/beta (beta = 0 ignores NaN in C), both dtypes, 1 vs 2 threads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FloatArray, GemmParams } from "../../src/backend/backend.js";
import { tsBackend } from "../../src/backend/ts/index.js";
import { FLOATS, type FCtor, assertSame, assertThreadIndependent, native, randArray, skip } from "./helpers.js";

interface Case { m: number; n: number; k: number; batch?: number; bcast?: "A" | "B" }

function params(c: Case, transA: boolean, transB: boolean, alpha: number, beta: number, off: number): GemmParams {
  const batch = c.batch ?? 1;
  return {
    batch, m: c.m, n: c.n, k: c.k, transA, transB, alpha, beta,
    strideA: c.bcast === "A" ? 0 : c.m * c.k, strideB: c.bcast === "B" ? 0 : c.k * c.n, strideC: c.m * c.n,
    offsetA: off, offsetB: 2 * off, offsetC: 3 * off,
  };
}

/** Compare native to the reference with an error bound scaled by |alpha| |A||B| + |beta||C|. */
function check(Ctor: FCtor, c: Case, transA: boolean, transB: boolean, alpha: number, beta: number, seed: number): void {
  const off = 5;
  const p = params(c, transA, transB, alpha, beta, off);
  const batch = p.batch;
  const lenA = off + (c.bcast === "A" ? 1 : batch) * c.m * c.k;
  const lenB = 2 * off + (c.bcast === "B" ? 1 : batch) * c.k * c.n;
  const lenC = 3 * off + batch * c.m * c.n;
  const a = randArray(Ctor, lenA, seed);
  const b = randArray(Ctor, lenB, seed + 1);
  const c0 = randArray(Ctor, lenC, seed + 2);
  if (beta === 0) c0.fill(NaN, 3 * off); // beta = 0 must ignore the old contents, NaN included
  const expected = new Float64Array(lenC);
  const bound = new Float64Array(lenC);
  // Reference in float64 on the same (rounded) inputs, plus the magnitude bound |A||B|.
  const a64 = Float64Array.from(a), b64 = Float64Array.from(b);
  expected.set(c0);
  tsBackend.gemm(a64, b64, expected, p);
  bound.set(c0.map(Math.abs));
  if (beta === 0) bound.fill(0, 3 * off);
  tsBackend.gemm(a64.map(Math.abs), b64.map(Math.abs), bound, { ...p, alpha: Math.abs(alpha), beta: Math.abs(beta) });
  const got = Ctor.from(c0) as FloatArray;
  native!.gemm(a, b, got, p);
  const tol = Ctor === Float64Array ? 1e-13 : 2e-6;
  for (let i = 0; i < lenC; i++) {
    if (i < 3 * off) {
      assert.ok(Object.is(got[i], c0[i]), `gemm wrote before offsetC at ${i}`);
      continue;
    }
    const err = Math.abs(got[i]! - expected[i]!);
    const lim = tol * (bound[i]! + 1e-30) + (Ctor === Float32Array ? 1e-6 * Math.abs(expected[i]!) : 0);
    if (!(err <= lim)) {
      assert.fail(`${Ctor.name} ${JSON.stringify(c)} tA=${transA} tB=${transB} a=${alpha} b=${beta}: ` +
        `C[${i}] = ${got[i]}, expected ${expected[i]} (err ${err} > ${lim})`);
    }
  }
}

const SIZES: Case[] = [
  { m: 1, n: 1, k: 1 }, { m: 3, n: 7, k: 17 }, { m: 17, n: 3, k: 1 }, { m: 7, n: 33, k: 127 },
  { m: 33, n: 127, k: 255 }, { m: 127, n: 17, k: 513 }, { m: 255, n: 33, k: 7 }, { m: 513, n: 3, k: 33 },
  { m: 3, n: 513, k: 33 }, { m: 127, n: 255, k: 127 }, { m: 1, n: 255, k: 513 }, { m: 255, n: 1, k: 127 },
];

describe("native gemm vs TS reference", { skip }, () => {
  for (const Ctor of FLOATS) {
    it(`${Ctor.name}: awkward sizes x all transposes, beta 0 (NaN C) and beta 0.5`, () => {
      let seed = 1;
      for (const c of SIZES) {
        for (const tA of [false, true]) for (const tB of [false, true]) {
          check(Ctor, c, tA, tB, 1, 0, seed++);
          check(Ctor, c, tA, tB, -1.5, 0.5, seed++);
        }
      }
    });

    it(`${Ctor.name}: batched, with A or B broadcast over the batch (stride 0)`, () => {
      let seed = 100;
      for (const c of [
        { m: 33, n: 17, k: 65, batch: 3 }, { m: 7, n: 127, k: 33, batch: 5, bcast: "A" as const },
        { m: 127, n: 33, k: 17, batch: 4, bcast: "B" as const }, { m: 64, n: 64, k: 64, batch: 8 },
        { m: 1, n: 3, k: 255, batch: 2, bcast: "B" as const },
      ]) {
        for (const tA of [false, true]) for (const tB of [false, true]) check(Ctor, c, tA, tB, 0.75, 1, seed++);
      }
    });

    it(`${Ctor.name}: multi-block sizes (K and N cross the cache blocks, M crosses threads)`, () => {
      check(Ctor, { m: 97, n: 1000, k: 420 }, false, false, 1, 0, 7);
      check(Ctor, { m: 61, n: 250, k: 800 }, true, true, 1, 0.25, 8);
      // With two threads, each takes a band of C (columns here, then rows) and packs for itself.
      check(Ctor, { m: 37, n: 1000, k: 300 }, false, true, 1, 0, 9);
      check(Ctor, { m: 500, n: 45, k: 200 }, true, false, 0.5, 1, 10);
    });

    it(`${Ctor.name}: k = 0 gives beta * C (zeros when beta = 0)`, () => {
      const c = new Ctor([NaN, 2, 3, 4]) as FloatArray;
      native!.gemm(new Ctor(0), new Ctor(0), c, params({ m: 2, n: 2, k: 0 }, false, false, 1, 0, 0));
      assertSame(c, [0, 0, 0, 0], "k=0 beta=0");
      const d = new Ctor([1, 2, 3, 4]) as FloatArray;
      native!.gemm(new Ctor(0), new Ctor(0), d, params({ m: 2, n: 2, k: 0 }, false, false, 1, 2, 0));
      assertSame(d, [2, 4, 6, 8], "k=0 beta=2");
    });

    it(`${Ctor.name}: 1 and 2 threads give bit-identical results`, () => {
      // Shared blocks (m = 300, n = 200; m = 8), whole matrices per thread (batch 6), and a band of
      // C per thread: columns (m = 37), rows (n = 45), rows of every matrix of a batch of 2.
      for (const c of [{ m: 300, n: 200, k: 500 }, { m: 64, n: 96, k: 80, batch: 6 }, { m: 8, n: 1500, k: 300 },
        { m: 37, n: 1000, k: 300 }, { m: 500, n: 45, k: 200 }, { m: 200, n: 150, k: 700, batch: 2 }]) {
        const p = params(c, false, true, 1, 0, 0);
        const a = randArray(Ctor, (c.batch ?? 1) * c.m * c.k, 11);
        const b = randArray(Ctor, (c.batch ?? 1) * c.k * c.n, 12);
        assertThreadIndependent(() => {
          const out = new Ctor((c.batch ?? 1) * c.m * c.n) as FloatArray;
          native!.gemm(a, b, out, p);
          return [out];
        }, `gemm ${JSON.stringify(c)}`);
      }
    });
  }

  it("strideC = 0 accumulates the batch into one C in batch order, like the reference", () => {
    // Small matrices in a batch normally go one per thread; overlapping C matrices must not.
    for (const Ctor of FLOATS) for (const [batch, m, n, k] of [[8, 64, 64, 64], [3, 200, 300, 40]] as const) {
      const a = randArray(Ctor, batch * m * k, 31), b = randArray(Ctor, batch * k * n, 32);
      const p: GemmParams = { batch, m, n, k, transA: false, transB: false, alpha: 1, beta: 1,
        strideA: m * k, strideB: k * n, strideC: 0, offsetA: 0, offsetB: 0, offsetC: 0 };
      const want = new Float64Array(m * n);
      tsBackend.gemm(Float64Array.from(a), Float64Array.from(b), want, p);
      assertThreadIndependent(() => {
        const got = new Ctor(m * n) as FloatArray;
        native!.gemm(a, b, got, p);
        const tol = Ctor === Float64Array ? 1e-12 : 1e-4;
        got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= tol * (1 + Math.abs(want[i]!)),
          `${Ctor.name} C[${i}] = ${v}, expected ${want[i]}`));
        return [got];
      }, `gemm strideC = 0 ${Ctor.name}`);
    }
  });

  it("rejects out-of-bounds sizes instead of touching memory", () => {
    assert.throws(() => native!.gemm(new Float32Array(4), new Float32Array(4), new Float32Array(4),
      params({ m: 2, n: 2, k: 3 }, false, false, 1, 0, 0)), /too short/);
  });
});
