// Native RMSNorm and rotary kernels (native/rms_rotary.cc) vs the TypeScript reference: awkward
// sizes, with and without weight, gx/gWeight omitted, offsets into the cache, both float dtypes,
// 1 vs 2 threads; and the raw addon's argument checks (nothing written when it throws).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadAddon } from "../../src/backend/native/addon.js";
import { tsBackend } from "../../src/backend/ts/index.js";
import { FLOATS, type FCtor, assertClose, assertThreadIndependent, native, randArray, skip } from "./helpers.js";

const N = native!;
const tol = (Ctor: FCtor): [number, number] => (Ctor === Float64Array ? [1e-13, 1e-14] : [1e-6, 1e-7]);

describe("native rmsNorm and rotaryEmb kernels", { skip }, () => {
  it("the addon exports them (not the TS fallback)", () => {
    const raw = loadAddon().addon!;
    for (const k of ["rmsNorm", "rmsNormBackward", "rotaryEmb", "rotaryEmbBackward"] as const) assert.equal(typeof raw[k], "function", k);
  });
  for (const Ctor of FLOATS) {
    const [rtol, atol] = tol(Ctor);
    it(`${Ctor.name}: rmsNorm (+backward) with and without weight`, () => {
      for (const [rows, cols] of [[1, 1], [3, 7], [17, 33], [7, 513], [255, 17], [1000, 41], [2, 20000]]) {
        const x = randArray(Ctor, rows * cols, rows, -3, 3);
        const gy = randArray(Ctor, rows * cols, rows + 1);
        for (const affine of [false, true]) {
          const w = affine ? randArray(Ctor, cols, 2) : null;
          const outs = [0, 1].map(() => [new Ctor(rows * cols), new Ctor(rows)] as const);
          tsBackend.rmsNorm(x, w, rows, cols, 1e-5, ...outs[0]!);
          N.rmsNorm(x, w, rows, cols, 1e-5, ...outs[1]!);
          outs[0]!.forEach((e, i) => assertClose(outs[1]![i]!, e, rtol, atol, `rmsNorm out ${i} ${rows}x${cols}`));
          const rstd = outs[0]![1];
          for (const wantGx of [true, false]) {
            const grads = [0, 1].map(() => [wantGx ? new Ctor(rows * cols) : null, affine ? new Ctor(cols).fill(0.5) : null] as const);
            tsBackend.rmsNormBackward(x, w, rstd, gy, rows, cols, ...grads[0]!);
            N.rmsNormBackward(x, w, rstd, gy, rows, cols, ...grads[1]!);
            grads[0]!.forEach((e, i) => e && assertClose(grads[1]![i]!, e, rtol, atol * 10, `rmsNormBackward ${i} ${rows}x${cols}`));
          }
        }
      }
    });

    it(`${Ctor.name}: rotaryEmb (+backward) over (N, T, D) with cache offsets`, () => {
      for (const [n, t, d, offset, S] of [[1, 1, 2, 0, 1], [3, 5, 8, 0, 5], [2, 7, 6, 3, 12], [8, 33, 64, 1, 40], [1, 2, 514, 0, 2]]) {
        const x = randArray(Ctor, n * t * d, n + t, -2, 2);
        const cos = randArray(Ctor, S * d, 5), sin = randArray(Ctor, S * d, 6);
        for (const bw of [false, true]) {
          const want = new Ctor(n * t * d), got = new Ctor(n * t * d);
          (bw ? tsBackend.rotaryEmbBackward : tsBackend.rotaryEmb)(x, cos, sin, n, t, d, offset, want);
          (bw ? N.rotaryEmbBackward : N.rotaryEmb)(x, cos, sin, n, t, d, offset, got);
          assertClose(got, want, rtol, atol, `rotary${bw ? "Backward" : ""} ${n}x${t}x${d}+${offset}`);
        }
      }
    });
  }

  it("results do not depend on the thread count", () => {
    const rows = 300, cols = 257, x = randArray(Float32Array, rows * cols, 1), gy = randArray(Float32Array, rows * cols, 2);
    const w = randArray(Float32Array, cols, 3);
    const cos = randArray(Float32Array, 40 * 64, 4), sin = randArray(Float32Array, 40 * 64, 5), q = randArray(Float32Array, 8 * 33 * 64, 6);
    assertThreadIndependent(() => {
      const out = new Float32Array(rows * cols), rstd = new Float32Array(rows), gx = new Float32Array(rows * cols), gw = new Float32Array(cols);
      N.rmsNorm(x, w, rows, cols, 1e-6, out, rstd);
      N.rmsNormBackward(x, w, rstd, gy, rows, cols, gx, gw);
      const r = new Float32Array(q.length), rb = new Float32Array(q.length);
      N.rotaryEmb(q, cos, sin, 8, 33, 64, 7, r);
      N.rotaryEmbBackward(q, cos, sin, 8, 33, 64, 7, rb);
      return [out, rstd, gx, gw, r, rb];
    }, "rms/rotary");
  });

  it("the raw kernels reject short arrays, mixed dtypes and odd head dims, writing nothing", () => {
    const raw = loadAddon().addon!;
    const f32 = (n: number): Float32Array => new Float32Array(n).fill(1);
    const bad: [string, typeof TypeError | typeof RangeError, (out: Float32Array) => void][] = [
      ["rmsNorm", RangeError, (o) => raw.rmsNorm!(f32(6), null, 2, 3, 1e-5, o, f32(2))],
      ["rmsNorm", RangeError, (o) => raw.rmsNorm!(f32(8), f32(3), 2, 4, 1e-5, o, f32(2))],
      ["rmsNorm", TypeError, (o) => raw.rmsNorm!(new Float64Array(4), null, 1, 4, 1e-5, o, f32(1))],
      ["rmsNormBackward", RangeError, (o) => raw.rmsNormBackward!(f32(8), null, f32(2), f32(8), 2, 4, o, null)],
      ["rotaryEmb", RangeError, (o) => raw.rotaryEmb!(f32(8), f32(4), f32(4), 1, 2, 4, 0, o)],
      ["rotaryEmb", RangeError, (o) => raw.rotaryEmb!(f32(4), f32(8), f32(8), 1, 1, 4, 2, o)],
      ["rotaryEmbBackward", TypeError, (o) => raw.rotaryEmbBackward!(f32(3), f32(3), f32(3), 1, 1, 3, 0, o)],
    ];
    for (const [kernel, type, call] of bad) {
      const out = new Float32Array(4).fill(7.25);
      assert.throws(() => call(out), (e: Error) => e instanceof type && e.message.includes(kernel), kernel);
      assert.ok(out.every((v) => v === 7.25), `${kernel} wrote nothing`);
    }
  });
});
