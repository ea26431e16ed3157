// Fused attention: the native kernels against the TS reference (float32/float64, causal or not,
// L != S, contiguous and packed (B, T, 3C) layouts, query chunks), 1 vs 2 threads bit for bit, the fused
// scaledDotProductAttention against the composed path (forward and gradients, float64 1e-10),
// and gradcheck of the fused op.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AttentionLayout, AttentionParams } from "../../../src/backend/backend.js";
import { tsBackend } from "../../../src/backend/ts/index.js";
import { ShapeError, ValueError, gradcheck, manualSeed, randn, tensor, type Tensor } from "../../../src/index.js";
import { packedCausalAttention, scaledDotProductAttention as sdpa } from "../../../src/nn/functional/index.js";
import { type FCtor, FLOATS, assertClose, assertThreadIndependent, native, randArray, skip } from "../../backend/helpers.js";

const dense = (rows: number, cols: number): AttentionLayout => ({ offset: 0, strideB: rows * cols, strideH: 0, strideT: cols });

interface Case { name: string; p: AttentionParams; qLen: number; kLen: number; vLen: number; oLen: number; packed: boolean }

function denseCase(N: number, L: number, S: number, E: number, Ev: number, causal: boolean): Case {
  return {
    name: `N${N} L${L} S${S} E${E} Ev${Ev}${causal ? " causal" : ""}`, packed: false,
    p: { batch: N, heads: 1, L, S, E, Ev, scale: 1 / Math.sqrt(E), causal, q: dense(L, E), k: dense(S, E), v: dense(S, Ev), out: dense(L, Ev) },
    qLen: N * L * E, kLen: N * S * E, vLen: N * S * Ev, oLen: N * L * Ev,
  };
}

/** q, k, v read from one (B, T, 3C) buffer with H heads of D features; out written as (B, T, C). */
function packedCase(B: number, T: number, H: number, D: number): Case {
  const C = H * D;
  const lay = (off: number): AttentionLayout => ({ offset: off, strideB: T * 3 * C, strideH: D, strideT: 3 * C });
  return {
    name: `packed B${B} T${T} H${H} D${D}`, packed: true,
    p: { batch: B, heads: H, L: T, S: T, E: D, Ev: D, scale: 0.3, causal: true, q: lay(0), k: lay(C), v: lay(2 * C),
      out: { offset: 0, strideB: T * C, strideH: D, strideT: C } },
    qLen: B * T * 3 * C, kLen: 0, vLen: 0, oLen: B * T * C,
  };
}

const CASES: Case[] = [
  denseCase(3, 7, 7, 5, 4, true), denseCase(2, 5, 9, 8, 3, true), denseCase(2, 9, 4, 16, 16, true),
  denseCase(2, 6, 11, 4, 7, false), denseCase(4, 33, 33, 32, 32, true), packedCase(2, 19, 3, 8),
  // Few (batch, head) pairs and long rows: the forward splits the queries into chunks; L != S; odd feature counts.
  denseCase(1, 150, 140, 24, 20, true), denseCase(1, 131, 131, 64, 64, false), packedCase(1, 200, 2, 16),
];

function run(be: typeof tsBackend, Ctor: FCtor, c: Case): Float32Array[] | Float64Array[] {
  const q = randArray(Ctor, c.qLen, 1);
  const k = c.packed ? q : randArray(Ctor, c.kLen, 2);
  const v = c.packed ? q : randArray(Ctor, c.vLen, 3);
  const out = new Ctor(c.oLen), lse = new Ctor(c.p.batch * c.p.heads * c.p.L);
  be.attentionForward(q, k, v, out, lse, c.p);
  const gOut = randArray(Ctor, c.oLen, 4);
  const gq = new Ctor(c.qLen).fill(Number.NaN);
  const gk = c.packed ? gq : new Ctor(c.kLen).fill(Number.NaN);
  const gv = c.packed ? gq : new Ctor(c.vLen).fill(Number.NaN);
  be.attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, c.p);
  return (c.packed ? [out, lse, gq] : [out, lse, gq, gk, gv]) as Float32Array[] | Float64Array[];
}

describe("native attention kernels vs the TS reference", { skip }, () => {
  for (const Ctor of FLOATS) {
    for (const c of CASES) {
      it(`${Ctor.name} ${c.name}`, () => {
        const want = run(tsBackend, Ctor, c);
        const got = run(native!, Ctor, c);
        const tol = Ctor === Float64Array ? 1e-12 : 2e-5;
        got.forEach((g, i) => assertClose(g, want[i]!, tol, tol, `${c.name} output ${i}`));
        assertThreadIndependent(() => run(native!, Ctor, c), c.name);
      });
    }
  }
});

describe("native causal attention never touches a key a row does not see", { skip }, () => {
  for (const Ctor of FLOATS) {
    it(`${Ctor.name}: a NaN value and an infinite key in the last row leave earlier rows as the reference has them`, () => {
      const c = denseCase(2, 12, 12, 8, 8, true);
      const res = (be: typeof tsBackend) => {
        const q = randArray(Ctor, c.qLen, 5), k = randArray(Ctor, c.kLen, 6), v = randArray(Ctor, c.vLen, 7);
        for (let n = 0; n < 2; n++) {
          k[(n * 12 + 11) * 8] = Infinity;
          v.fill(Number.NaN, (n * 12 + 11) * 8, (n * 12 + 12) * 8);
        }
        const out = new Ctor(c.oLen), lse = new Ctor(2 * 12);
        be.attentionForward(q, k, v, out, lse, c.p);
        const gOut = randArray(Ctor, c.oLen, 8), gq = new Ctor(c.qLen), gk = new Ctor(c.kLen), gv = new Ctor(c.vLen);
        be.attentionBackward(q, k, v, out, gOut, lse, gq, gk, gv, c.p);
        return [out, lse, gq, gk, gv];
      };
      const want = res(tsBackend), got = res(native!);
      assert.ok(Number.isFinite(want[0]![10 * 8]!) && Number.isNaN(want[0]![11 * 8]!), "the reference keeps row 10 finite");
      const tol = Ctor === Float64Array ? 1e-12 : 2e-5;
      got.forEach((g, i) => assertClose(g, want[i]!, tol, tol, `output ${i}`));
    });
  }
});

describe("TS reference attention", () => {
  it("a query that sees one key returns that value and its lse is the one score", () => {
    const c = denseCase(1, 2, 2, 2, 3, true);
    const q = new Float64Array([1, 2, 3, 4]), k = new Float64Array([0.5, 1, 2, 0]);
    const v = new Float64Array([1, 2, 3, 4, 5, 6]);
    const out = new Float64Array(6), lse = new Float64Array(2);
    tsBackend.attentionForward(q, k, v, out, lse, c.p);
    assert.deepEqual([...out.slice(0, 3)], [1, 2, 3]);
    assert.equal(lse[0], (1 * 0.5 + 2 * 1) / Math.SQRT2);
    const s0 = (3 * 0.5 + 4 * 1) / Math.SQRT2, s1 = (3 * 2 + 4 * 0) / Math.SQRT2;
    const w0 = 1 / (1 + Math.exp(s1 - s0));
    assertClose(out.slice(3), [w0 * 1 + (1 - w0) * 4, w0 * 2 + (1 - w0) * 5, w0 * 3 + (1 - w0) * 6], 1e-15, 1e-15, "row 1");
  });
});

/** The composed path, forced by passing the causal pattern (or all ones) as an int32 mask. */
function composed(q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor {
  const L = q.shape[q.ndim - 2]!, S = k.shape[k.ndim - 2]!;
  const m: number[][] = [];
  for (let i = 0; i < L; i++) m.push(Array.from({ length: S }, (_, j) => (!causal || j <= i ? 1 : 0)));
  return sdpa(q, k, v, { mask: tensor(m, { dtype: "int32" }) });
}

describe("fused scaledDotProductAttention vs the composed path", () => {
  for (const causal of [true, false]) {
    it(`float64 (B, H, L, E) ${causal ? "causal" : "unmasked"}: outputs and gradients within 1e-10`, () => {
      manualSeed(21);
      const g64 = { dtype: "float64" as const, requiresGrad: true };
      const shapes: [number[], number[], number[]][] = [
        [[2, 3, 6, 4], [2, 3, 6, 4], [2, 3, 6, 5]], [[1, 2, 4, 8], [1, 2, 7, 8], [1, 2, 7, 3]], [[3, 9, 2], [3, 5, 2], [3, 5, 2]],
      ];
      for (const [qs, ks, vs] of shapes) {
        const inputs = [randn(qs, g64), randn(ks, g64), randn(vs, g64)];
        const gy = randn([...qs.slice(0, -1), vs[vs.length - 1]!], { dtype: "float64" });
        const grads = (f: (a: Tensor, b: Tensor, c: Tensor) => Tensor) => {
          for (const t of inputs) t.grad = null;
          const y = f(inputs[0]!, inputs[1]!, inputs[2]!);
          y.backward(gy);
          return [y.data, ...inputs.map((t) => t.grad!.data)];
        };
        const fused = grads((a, b, c) => sdpa(a, b, c, { isCausal: causal }));
        const ref = grads((a, b, c) => composed(a, b, c, causal));
        fused.forEach((g, i) => assertClose(g, ref[i]!, 1e-10, 1e-10, `${qs} output ${i}`));
      }
    });
  }

  it("float32 agrees with the composed path", () => {
    manualSeed(22);
    const g32 = { requiresGrad: true };
    const q = randn([2, 2, 16, 8], g32), k = randn([2, 2, 16, 8], g32), v = randn([2, 2, 16, 8], g32);
    assertClose(sdpa(q, k, v, { isCausal: true }).data, composed(q, k, v, true).data, 1e-5, 1e-5, "float32 forward");
  });

  it("gradcheck of the fused op in float64 (causal, L != S, and unmasked)", () => {
    manualSeed(23);
    const g64 = { dtype: "float64" as const, requiresGrad: true };
    for (const [qs, ks, vs, causal] of [[[2, 4, 3], [2, 4, 3], [2, 4, 2], true], [[1, 3, 2], [1, 5, 2], [1, 5, 4], true],
      [[2, 3, 2], [2, 4, 2], [2, 4, 3], false]] as [number[], number[], number[], boolean][]) {
      assert.ok(gradcheck((a, b, c) => sdpa(a!, b!, c!, { isCausal: causal }), [randn(qs, g64), randn(ks, g64), randn(vs, g64)]));
    }
  });
});

describe("packedCausalAttention (qkv (B, T, 3C) -> (B, T, C))", () => {
  const unpacked = (qkv: Tensor, H: number): Tensor => {
    const [B, T, C3] = qkv.shape as [number, number, number];
    const C = C3 / 3;
    const [q, k, v] = qkv.split(C, 2).map((t) => t.view([B, T, H, C / H]).transpose(1, 2));
    return sdpa(q!, k!, v!, { isCausal: true }).transpose(1, 2).reshape([B, T, C]);
  };

  it("equals split / heads / causal attention / merge: outputs and gradients (float64, 1e-10)", () => {
    manualSeed(31);
    for (const [B, T, H, D] of [[2, 7, 3, 4], [1, 16, 2, 8], [3, 1, 1, 5]] as const) {
      const qkv = randn([B, T, 3 * H * D], { dtype: "float64", requiresGrad: true });
      const gy = randn([B, T, H * D], { dtype: "float64" });
      const run = (f: (x: Tensor) => Tensor) => {
        qkv.grad = null;
        const y = f(qkv);
        y.backward(gy);
        return [y.data, qkv.grad!.data];
      };
      const got = run((x) => packedCausalAttention(x, H));
      const want = run((x) => unpacked(x, H));
      got.forEach((g, i) => assertClose(g, want[i]!, 1e-10, 1e-10, `B${B} T${T} H${H} D${D} output ${i}`));
    }
  });

  it("float32 agrees; gradcheck in float64; bad shapes and head counts are typed errors", () => {
    manualSeed(32);
    const x32 = randn([2, 9, 24]);
    assertClose(packedCausalAttention(x32, 2).data, unpacked(x32, 2).data, 1e-5, 1e-5, "float32");
    assert.ok(gradcheck((x) => packedCausalAttention(x!, 2), [randn([2, 4, 12], { dtype: "float64", requiresGrad: true })]));
    assert.throws(() => packedCausalAttention(randn([2, 4, 10]), 2), ShapeError);
    assert.throws(() => packedCausalAttention(randn([2, 4, 12]), 3), ValueError);
    assert.throws(() => packedCausalAttention(randn([4, 12]), 2), ShapeError);
  });
});
