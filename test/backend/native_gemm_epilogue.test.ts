// The GEMM epilogue (bias, then GELU into activationOut) and biasActivationBackward: native equals
// the unfused native kernels bit for bit (GEMM with beta = 1 over a broadcast bias, unary gelu or
// relu backward, reduce sum), stays close to the TS reference, and does not depend on the thread count.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EpilogueActivation, FloatArray, GemmParams } from "../../src/backend/backend.js";
import { tsBackend } from "../../src/backend/ts/index.js";
import { FLOATS, type FCtor, assertClose, assertSame, assertThreadIndependent, native, randArray, skip } from "./helpers.js";

interface Case { m: number; n: number; k: number; tA?: boolean; tB?: boolean }
// Edge tiles, one and several K blocks (float32 splits K above 512, float64 above 256), thread splits.
const CASES: Case[] = [
  { m: 1, n: 1, k: 1 }, { m: 13, n: 37, k: 5 }, { m: 37, n: 70, k: 129, tB: true }, { m: 64, n: 33, k: 600, tA: true },
  { m: 130, n: 514, k: 300, tB: true }, { m: 256, n: 512, k: 128, tB: true }, { m: 5, n: 9, k: 0 },
  // Two threads each take a band of C: columns (n > m) or rows, with edge strips in a band.
  { m: 400, n: 70, k: 50, tA: true }, { m: 45, n: 1000, k: 40 },
];

function params(c: Case, extra: Partial<GemmParams>): GemmParams {
  return { batch: 1, m: c.m, n: c.n, k: c.k, transA: c.tA ?? false, transB: c.tB ?? false, alpha: 1, beta: 0,
    strideA: c.m * c.k, strideB: c.k * c.n, strideC: c.m * c.n, offsetA: 0, offsetB: 0, offsetC: 0, ...extra };
}

function inputs(Ctor: FCtor, c: Case, seed: number): [FloatArray, FloatArray, FloatArray] {
  return [randArray(Ctor, c.m * c.k, seed, -2, 2), randArray(Ctor, c.k * c.n, seed + 1, -2, 2), randArray(Ctor, c.n, seed + 2, -2, 2)];
}

describe("GEMM epilogue: bias and GELU", { skip }, () => {
  for (const Ctor of FLOATS) {
    for (const act of [null, "gelu", "geluTanh"] as (EpilogueActivation | null)[]) {
      it(`${Ctor.name} ${act ?? "bias only"}: equals the unfused native kernels bit for bit, close to the reference`, () => {
        let seed = 1;
        for (const c of CASES) {
          const [a, b, bias] = inputs(Ctor, c, seed += 3);
          const pre = new Ctor(c.m * c.n).fill(NaN) as FloatArray, post = new Ctor(c.m * c.n).fill(NaN) as FloatArray;
          native!.gemm(a, b, pre, params(c, { bias, activation: act, activationOut: post }));
          // Unfused: broadcast the bias into C, accumulate the product on top, then the activation.
          const want = new Ctor(c.m * c.n) as FloatArray;
          for (let i = 0; i < c.m; i++) want.set(bias, i * c.n);
          native!.gemm(a, b, want, params(c, { beta: 1 }));
          assertSame(pre, want, `${JSON.stringify(c)} pre-activation`);
          if (act) {
            const wantAct = new Ctor(c.m * c.n) as FloatArray;
            native!.unary(act, want, wantAct);
            assertSame(post, wantAct, `${JSON.stringify(c)} activation`);
          } else assert.ok(post.every(Number.isNaN), "activationOut untouched without an activation");
          const ref = new Float64Array(c.m * c.n), refAct = new Float64Array(c.m * c.n);
          tsBackend.gemm(Float64Array.from(a), Float64Array.from(b), ref, params(c, { bias: Float64Array.from(bias), activation: act, activationOut: refAct }));
          const tol = Ctor === Float64Array ? 1e-12 : 1e-4;
          assertClose(pre, ref, tol, tol, `${JSON.stringify(c)} vs reference`);
          if (act) assertClose(post, refAct, tol, tol, `${JSON.stringify(c)} activation vs reference`);
        }
      });
    }

    for (const act of ["gelu", "geluTanh"] as EpilogueActivation[]) {
      it(`${Ctor.name} ${act} keepDerivative: C holds act'(pre) as the unfused backward forms it, and the "derivative" backward multiplies by it`, () => {
        let seed = 101;
        for (const c of CASES) {
          const [a, b, bias] = inputs(Ctor, c, seed += 3);
          const n = c.m * c.n;
          const deriv = new Ctor(n).fill(NaN) as FloatArray, post = new Ctor(n).fill(NaN) as FloatArray;
          native!.gemm(a, b, deriv, params(c, { bias, activation: act, activationOut: post, keepDerivative: true }));
          const pre = new Ctor(n) as FloatArray, wantAct = new Ctor(n) as FloatArray;
          native!.gemm(a, b, pre, params(c, { bias, activation: act, activationOut: wantAct }));
          assertSame(post, wantAct, `${JSON.stringify(c)} activation`);
          const gy = randArray(Ctor, n, seed + 7);
          const gxWant = new Ctor(n) as FloatArray, gbWant = new Ctor(c.n) as FloatArray;
          native!.biasActivationBackward(act, pre, gy, c.m, c.n, gxWant, gbWant);
          const gx = new Ctor(n) as FloatArray, gb = new Ctor(c.n) as FloatArray;
          native!.biasActivationBackward("derivative", deriv, gy, c.m, c.n, gx, gb);
          assertSame(gx, gxWant, `${JSON.stringify(c)} gx`);
          assertSame(gb, gbWant, `${JSON.stringify(c)} gBias`);
          // The TS reference keeps the same derivative (rounded to C's dtype).
          const refDeriv = new Ctor(n) as FloatArray, refPost = new Ctor(n) as FloatArray;
          tsBackend.gemm(a, b, refDeriv, params(c, { bias, activation: act, activationOut: refPost, keepDerivative: true }));
          const tol = Ctor === Float64Array ? 1e-12 : 1e-4; // float32 pre-activations differ from the float64-accumulated reference
          assertClose(deriv, refDeriv, tol, tol, `${JSON.stringify(c)} derivative vs reference`);
          const refGx = new Ctor(n) as FloatArray;
          tsBackend.biasActivationBackward("derivative", refDeriv, gy, c.m, c.n, refGx, null);
          for (let i = 0; i < n; i++) assert.ok(Object.is(refGx[i], Ctor === Float32Array ? Math.fround(gy[i]! * refDeriv[i]!) : gy[i]! * refDeriv[i]!));
        }
      });
    }

    it(`${Ctor.name}: 1 and 2 threads give bit-identical epilogues and backward`, () => {
      for (const c of [{ m: 300, n: 512, k: 128, tB: true }, { m: 2048, n: 128, k: 64 }]) {
        const [a, b, bias] = inputs(Ctor, c, 50);
        const gy = randArray(Ctor, c.m * c.n, 53);
        assertThreadIndependent(() => {
          const pre = new Ctor(c.m * c.n) as FloatArray, post = new Ctor(c.m * c.n) as FloatArray;
          native!.gemm(a, b, pre, params(c, { bias, activation: "gelu", activationOut: post }));
          const gx = new Ctor(c.m * c.n) as FloatArray, gb = new Ctor(c.n) as FloatArray, gb2 = new Ctor(c.n) as FloatArray;
          native!.biasActivationBackward("gelu", pre, gy, c.m, c.n, gx, gb);
          native!.biasActivationBackward(null, null, gy, c.m, c.n, null, gb2);
          const sum = new Ctor(c.n) as FloatArray;
          native!.reduce("sum", gy, 1, c.m, c.n, sum);
          return [pre, post, gx, gb, gb2, sum];
        }, `epilogue ${JSON.stringify(c)}`);
      }
    });

    it(`${Ctor.name}: biasActivationBackward equals unaryBackward + reduce sum bit for bit`, () => {
      for (const [rows, cols] of [[1, 1], [7, 3], [33, 65], [300, 700], [2048, 128]] as const) {
        const x = randArray(Ctor, rows * cols, rows, -4, 4), gy = randArray(Ctor, rows * cols, cols);
        for (const act of ["gelu", "geluTanh", "relu"] as const) {
          const gx = new Ctor(rows * cols) as FloatArray, gb = new Ctor(cols) as FloatArray;
          native!.biasActivationBackward(act, x, gy, rows, cols, gx, gb);
          const wantGx = new Ctor(rows * cols) as FloatArray, wantGb = new Ctor(cols) as FloatArray;
          native!.unaryBackward(act, x, x, gy, wantGx);
          native!.reduce("sum", wantGx, 1, rows, cols, wantGb);
          assertSame(gx, wantGx, `${act} gx ${rows}x${cols}`);
          assertSame(gb, wantGb, `${act} gBias ${rows}x${cols}`);
          const refGx = new Float64Array(rows * cols), refGb = new Float64Array(cols);
          tsBackend.biasActivationBackward(act, Float64Array.from(x), Float64Array.from(gy), rows, cols, refGx, refGb);
          const tol = Ctor === Float64Array ? 1e-12 : 1e-4;
          assertClose(gx, refGx, tol, tol, `${act} gx vs reference`);
          assertClose(gb, refGb, tol, tol * rows, `${act} gBias vs reference`);
        }
        const gb = new Ctor(cols) as FloatArray, want = new Ctor(cols) as FloatArray;
        native!.biasActivationBackward(null, null, gy, rows, cols, null, gb);
        native!.reduce("sum", gy, 1, rows, cols, want);
        assertSame(gb, want, `identity gBias ${rows}x${cols}`);
      }
    });
  }

  it("rejects a short bias or activation output instead of touching memory", () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    const p = params({ m: 2, n: 3, k: 2 }, {});
    assert.throws(() => native!.gemm(a, b, new Float32Array(6), { ...p, bias: new Float32Array(2) }), /bias must hold n/);
    assert.throws(() => native!.gemm(a, b, new Float32Array(6), { ...p, activation: "gelu", activationOut: new Float32Array(5) }), /D is too short/);
    assert.throws(() => native!.biasActivationBackward("gelu", new Float32Array(5), new Float32Array(6), 2, 3, new Float32Array(6), null), /rows \* cols/);
  });
});
