// Native elementwise, reduction, fused and optimizer kernels vs the TypeScript reference, on
// awkward sizes, special values, both float dtypes (int32 where allowed), 1 vs 2 threads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BinaryOp, FloatArray, UnaryOp } from "../../src/backend/backend.js";
import { tsBackend } from "../../src/backend/ts/index.js";
import {
  FLOATS, type FCtor, assertClose, assertSame, assertThreadIndependent, native, randArray, rng, skip,
} from "./helpers.js";

const N = native!;
const SIZES = [1, 3, 7, 17, 33, 127, 255, 513];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 30, -30, 100, -100];

/**
 * Tolerances: float64 must agree to ~1e-12 relative (plus 1e-14 absolute for results that
 * cancel, e.g. gelu's 1 + erf at negative x where libm's erf and the TS series differ in the
 * last bit); float32 to float rounding of libm-grade functions.
 */
function tol(Ctor: FCtor): [number, number] {
  return Ctor === Float64Array ? [1e-12, 1e-14] : [1e-5, 1e-6];
}

function withSpecial(Ctor: FCtor, n: number, seed: number, lo: number, hi: number): FloatArray {
  const a = randArray(Ctor, n, seed, lo, hi);
  for (let i = 0; i < SPECIAL.length && i < n; i += 1) a[(i * 7) % n] = SPECIAL[i]!;
  return a;
}

const UNARY: UnaryOp[] = [
  "neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign", "reciprocal", "square", "tanh", "sigmoid",
  "relu", "gelu", "geluTanh", "sin", "cos", "erf", "log1p", "expm1",
];
const BINARY: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];

describe("native elementwise kernels", { skip }, () => {
  for (const Ctor of FLOATS) {
    const [rtol, atol] = tol(Ctor);
    it(`${Ctor.name}: every unary op and its derivative, awkward sizes and special values`, () => {
      for (const op of UNARY) {
        for (const n of [...SIZES, 5000]) {
          const x = withSpecial(Ctor, n, n, -6, 6);
          const want = new Ctor(n), got = new Ctor(n);
          tsBackend.unary(op, x, want);
          N.unary(op, x, got);
          assertClose(got, want, rtol, atol, `${op} n=${n}`);
          const gy = randArray(Ctor, n, n + 1);
          const bw = new Ctor(n), bg = new Ctor(n);
          tsBackend.unaryBackward(op, x, want, gy, bw);
          native!.unaryBackward(op, x, want, gy, bg);
          assertClose(bg, bw, rtol, atol, `${op}' n=${n}`);
        }
      }
    });

    it(`${Ctor.name}: the silu activation and its derivative (native; the rest of activation() is the TS reference)`, () => {
      const p = { a: 0, b: 0 };
      for (const n of [...SIZES, 5000]) {
        const x = withSpecial(Ctor, n, n + 7, -12, 12);
        const want = new Ctor(n), got = new Ctor(n);
        tsBackend.activation("silu", x, p, want);
        N.activation("silu", x, p, got);
        assertClose(got, want, rtol, atol, `silu n=${n}`);
        const gy = randArray(Ctor, n, n + 8);
        const bw = new Ctor(n), bg = new Ctor(n);
        tsBackend.activationBackward("silu", x, want, gy, p, bw);
        N.activationBackward("silu", x, want, gy, p, bg);
        assertClose(bg, bw, rtol, atol, `silu' n=${n}`);
        const inPlace = x.slice(); // out may alias x (the float32 kernel works through a block buffer)
        N.activation("silu", inPlace, p, inPlace);
        assertSame(inPlace, got, `silu in place n=${n}`);
      }
    });

    it(`${Ctor.name}: binary ops with same shape, scalar, row, column and general broadcasting`, () => {
      // Outputs under 32 elements run on the TS fallback (the last three rows check that routing);
      // every other row reaches the addon.
      const shapes: [number[], number[], number[]][] = [
        [[33, 17], [33, 17], [33, 17]], [[127], [], [127]], [[], [37], [37]], [[17, 33], [33], [17, 33]],
        [[17, 33], [17, 1], [17, 33]], [[2, 1, 5], [4, 1], [2, 4, 5]], [[3, 1, 7, 1], [5, 1, 2], [3, 5, 7, 2]],
        [[513, 3], [1, 3], [513, 3]], [[2, 1, 3], [4, 1], [2, 4, 3]], [[1], [1], [1]], [[3, 0], [3, 1], [3, 0]],
      ];
      let seed = 3;
      for (const op of BINARY) {
        for (const [as, bs, os] of shapes) {
          const na = as.reduce((x, y) => x * y, 1), nb = bs.reduce((x, y) => x * y, 1), no = os.reduce((x, y) => x * y, 1);
          const a = withSpecial(Ctor, na, seed++, -3, 3), b = withSpecial(Ctor, nb, seed++, -3, 3);
          if (nb > 4) b[3] = a[3 % na]!; // some equal pairs for the comparisons
          const want = new Ctor(no), got = new Ctor(no);
          tsBackend.binary(op, a, as, b, bs, want, os);
          N.binary(op, a, as, b, bs, got, os);
          if (op === "pow") assertClose(got, want, rtol, atol, `${op} ${JSON.stringify([as, bs])}`);
          else assertSame(got, want, `${op} ${JSON.stringify([as, bs])}`);
        }
      }
      // Comparisons may write another dtype.
      const a = randArray(Ctor, 33, 1), b = randArray(Ctor, 33, 2);
      const wi = new Int32Array(33), gi = new Int32Array(33);
      tsBackend.binary("gt", a, [33], b, [33], wi, [33]);
      N.binary("gt", a, [33], b, [33], gi, [33]);
      assertSame(gi, wi, "gt -> int32");
    });

    it(`${Ctor.name}: where with broadcasting and NaN conditions`, () => {
      const cond = new Int32Array([1, 0, 1, 0, 0, 1, 1]);
      const fc = new Ctor([NaN, 0, -0, 2, 0, 1, 1]);
      for (const c of [cond, fc]) {
        const a = randArray(Ctor, 7 * 5, 4), b = randArray(Ctor, 5, 5);
        const want = new Ctor(35), got = new Ctor(35);
        tsBackend.where(c, [7, 1], a, [7, 5], b, [5], want, [7, 5]);
        N.where(c, [7, 1], a, [7, 5], b, [5], got, [7, 5]);
        assertSame(got, want, "where");
      }
    });

    it(`${Ctor.name}: stridedCopy (permute, slice, broadcast, scatter-add) and cast`, () => {
      const src = randArray(Ctor, 600, 6);
      const cases = [
        { shape: [2, 3, 17, 5], srcStrides: [255, 85, 5, 1], dstStrides: [255, 85, 5, 1] },
        { shape: [5, 17, 3, 2], srcStrides: [1, 5, 85, 255], dstStrides: [102, 6, 2, 1] }, // permute
        { shape: [3, 7], srcStrides: [0, 1], dstStrides: [7, 1] }, // broadcast rows
        { shape: [4, 9], srcStrides: [17, 2], dstStrides: [9, 1] }, // strided slice
        { shape: [6, 33], srcStrides: [33, 1], dstStrides: [0, 1] }, // many-to-one (expand backward)
        { shape: [], srcStrides: [], dstStrides: [] },
      ];
      for (const c of cases) {
        for (const accumulate of [false, true]) {
          const want = randArray(Ctor, 600, 9), got = Ctor.from(want);
          const p = { ...c, srcOffset: 3, dstOffset: 2, accumulate };
          tsBackend.stridedCopy(src, want, p);
          N.stridedCopy(src, got, p);
          assertSame(got, want, `stridedCopy ${JSON.stringify(c.shape)} acc=${accumulate}`);
        }
      }
      // Transposes of the last two dims take the tiled path: contiguous and strided destinations.
      const big = randArray(Ctor, 3 * 40 * 37 + 5, 8);
      for (const p of [
        { shape: [3, 37, 40], srcStrides: [1480, 1, 37], dstStrides: [1480, 40, 1] },
        { shape: [2, 3, 37, 40], srcStrides: [0, 1480, 1, 37], dstStrides: [5000, 1600, 41, 1] },
        { shape: [100, 17], srcStrides: [1, 100], dstStrides: [17, 1] },
      ]) {
        const want = new Ctor(10_000), got = new Ctor(10_000);
        const q = { ...p, srcOffset: 2, dstOffset: 1, accumulate: false };
        tsBackend.stridedCopy(big, want, q);
        N.stridedCopy(big, got, q);
        assertSame(got, want, `transposed stridedCopy ${JSON.stringify(p.shape)}`);
      }
      const x = withSpecial(Ctor, 300, 7, -5e9, 5e9);
      for (const D of [Float32Array, Float64Array, Int32Array]) {
        const want = new D(300), got = new D(300);
        tsBackend.cast(x, want);
        N.cast(x, got);
        assertSame(got, want, `cast ${Ctor.name} -> ${D.name}`);
      }
    });
  }

  it("int32: unary, binary (wrapping like Int32Array stores), reduce, cast", () => {
    const r = rng(5);
    const a = Int32Array.from({ length: 257 }, () => Math.floor((r() - 0.5) * 2 ** 32));
    const b = Int32Array.from({ length: 257 }, () => Math.floor((r() - 0.5) * 2 ** 16));
    b[0] = 0; a[1] = -(2 ** 31);
    for (const op of BINARY) {
      const want = new Int32Array(257), got = new Int32Array(257);
      tsBackend.binary(op, a, [257], b, [257], want, [257]);
      N.binary(op, a, [257], b, [257], got, [257]);
      assertSame(got, want, `int32 ${op}`);
    }
    for (const op of ["neg", "abs", "square", "sign", "relu", "exp"] as UnaryOp[]) {
      const want = new Int32Array(257), got = new Int32Array(257);
      tsBackend.unary(op, a, want);
      N.unary(op, a, got);
      assertSame(got, want, `int32 ${op}`);
    }
    for (const op of ["sum", "max", "min"] as const) {
      const want = new Int32Array(1), got = new Int32Array(1);
      tsBackend.reduce(op, b, 1, 257, 1, want);
      N.reduce(op, b, 1, 257, 1, got);
      assertSame(got, want, `int32 reduce ${op}`);
    }
  });

  it("elementwise results do not depend on the thread count", () => {
    const x = randArray(Float32Array, 300_001, 3, -4, 4), y = randArray(Float32Array, 1001, 4);
    assertThreadIndependent(() => {
      const u = new Float32Array(x.length), g = new Float32Array(x.length), b = new Float32Array(x.length);
      N.unary("gelu", x, u);
      N.unaryBackward("tanh", x, u, x, g);
      const su = new Float32Array(x.length), sg = new Float32Array(x.length);
      N.activation("silu", x, { a: 0, b: 0 }, su);
      N.activationBackward("silu", x, su, x, { a: 0, b: 0 }, sg);
      N.binary("mul", x, [x.length], x, [x.length], b, [x.length]);
      const rb = new Float32Array(299 * 1001);
      N.binary("add", x.subarray(0, 299 * 1001), [299, 1001], y, [1001], rb, [299, 1001]);
      return [u, g, b, rb, su, sg];
    }, "elementwise");
  });
});

describe("native fill", { skip }, () => {
  it("fills large float32, float64 and int32 arrays (threaded) and views, leaving the rest alone", () => {
    for (const [Ctor, value, want] of [[Float32Array, 0.1, Math.fround(0.1)], [Float64Array, -2.5, -2.5], [Int32Array, -7.9, -7]] as const) {
      const buf = new Ctor((1 << 19) + 10).fill(3 as never);
      const view = buf.subarray(5, buf.length - 5);
      N.fill(view, value);
      assert.ok(view.every((v: number) => v === want), `${Ctor.name}: every element`);
      assert.deepEqual([buf[4], buf[buf.length - 5]], [3, 3], `${Ctor.name}: outside the view`);
      N.fill(view, 0);
      assert.ok(view.every((v: number) => Object.is(v, 0)), `${Ctor.name}: zeros`);
    }
  });
});

describe("native kernels on typed-array views (byteOffset != 0)", { skip }, () => {
  for (const Ctor of FLOATS) {
    it(`${Ctor.name}: gemm, unary, binary and softmax read and write through subarrays`, () => {
      const buf = randArray(Ctor, 400, 21);
      const a = buf.subarray(3, 3 + 7 * 9), b = buf.subarray(100, 100 + 9 * 5);
      const outBuf = new Ctor(200).fill(7), c = outBuf.subarray(11, 11 + 35);
      const p = { batch: 1, m: 7, n: 5, k: 9, transA: false, transB: false, alpha: 1, beta: 0,
        strideA: 0, strideB: 0, strideC: 0, offsetA: 0, offsetB: 0, offsetC: 0 };
      const want = new Ctor(35);
      tsBackend.gemm(a, b, want, p);
      N.gemm(a, b, c, p);
      assertClose(c, want, 1e-6, 1e-6, "gemm on views");
      assert.equal(outBuf[10], 7);
      assert.equal(outBuf[46], 7);
      const u = new Ctor(63), v = outBuf.subarray(50, 113);
      tsBackend.unary("tanh", a, u);
      N.unary("tanh", a, v);
      assertClose(v, u, 1e-6, 1e-7, "unary on views");
      const w = new Ctor(45), x = outBuf.subarray(120, 165);
      tsBackend.binary("mul", b, [9, 5], a.subarray(0, 5), [5], w, [9, 5]);
      N.binary("mul", b, [9, 5], a.subarray(0, 5), [5], x, [9, 5]);
      assertSame(x, w, "binary on views");
      const s = new Ctor(45), t = outBuf.subarray(150, 195);
      tsBackend.softmax(b, 9, 5, s);
      N.softmax(b, 9, 5, t);
      assertClose(t, s, 1e-6, 1e-7, "softmax on views");
      assert.equal(outBuf[195], 7);
    });
  }
});

describe("native reductions", { skip }, () => {
  for (const Ctor of FLOATS) {
    const [rtol, atol] = tol(Ctor);
    it(`${Ctor.name}: sum/max/min/prod and argmax/argmin over (outer, size, inner), NaN and ties`, () => {
      for (const [outer, size, inner] of [[1, 1, 1], [3, 7, 1], [1, 513, 1], [7, 17, 33], [2, 255, 3], [33, 1, 17], [1, 3000, 1]]) {
        const n = outer * size * inner;
        const x = randArray(Ctor, n, n, -2, 2);
        for (let i = 0; i < n; i += 11) x[i] = 1.5; // ties
        if (n > 50) x[37] = NaN;
        for (const op of ["sum", "max", "min", "prod"] as const) {
          const want = new Ctor(outer * inner), got = new Ctor(outer * inner);
          tsBackend.reduce(op, x, outer, size, inner, want);
          N.reduce(op, x, outer, size, inner, got);
          assertClose(got, want, op === "sum" ? rtol * 10 : rtol, atol, `${op} ${[outer, size, inner]}`);
        }
        for (const op of ["argmax", "argmin"] as const) {
          const want = new Int32Array(outer * inner), got = new Int32Array(outer * inner);
          tsBackend.argReduce(op, x, outer, size, inner, want);
          N.argReduce(op, x, outer, size, inner, got);
          assertSame(got, want, `${op} ${[outer, size, inner]}`);
        }
      }
    });

    it(`${Ctor.name}: softmax, logSoftmax and their backwards`, () => {
      for (const [rows, cols] of [[1, 1], [3, 7], [17, 33], [5, 513], [33, 127], [2, 5000]]) {
        const x = randArray(Ctor, rows * cols, cols, -8, 8);
        x[0] = -Infinity;
        const gy = randArray(Ctor, rows * cols, cols + 1);
        for (const [f, b] of [["softmax", "softmaxBackward"], ["logSoftmax", "logSoftmaxBackward"]] as const) {
          const want = new Ctor(rows * cols), got = new Ctor(rows * cols);
          tsBackend[f](x, rows, cols, want);
          N[f](x, rows, cols, got);
          assertClose(got, want, rtol, atol, `${f} ${rows}x${cols}`);
          const gw = new Ctor(rows * cols), gg = new Ctor(rows * cols);
          tsBackend[b](want, gy, rows, cols, gw);
          N[b](want, gy, rows, cols, gg);
          assertClose(gg, gw, rtol, atol, `${b} ${rows}x${cols}`);
        }
      }
      const allInf = new Ctor([-Infinity, -Infinity]), o = new Ctor(2);
      N.softmax(allInf, 1, 2, o);
      assert.ok(Number.isNaN(o[0]!), "an all -inf row gives NaN like PyTorch");
    });
  }
});

describe("native fused and optimizer kernels", { skip }, () => {
  for (const Ctor of FLOATS) {
    const [rtol, atol] = tol(Ctor);
    it(`${Ctor.name}: layerNorm (+backward) with and without affine`, () => {
      for (const [rows, cols] of [[1, 1], [3, 7], [17, 33], [7, 513], [255, 17], [1000, 41], [300, 2100]]) {
        const x = randArray(Ctor, rows * cols, rows, -3, 3);
        const gy = randArray(Ctor, rows * cols, rows + 1);
        for (const affine of [false, true]) {
          const w = affine ? randArray(Ctor, cols, 2) : null, b = affine ? randArray(Ctor, cols, 3) : null;
          const outs = [0, 1].map(() => [new Ctor(rows * cols), new Ctor(rows), new Ctor(rows)] as const);
          tsBackend.layerNorm(x, w, b, rows, cols, 1e-5, ...outs[0]!);
          N.layerNorm(x, w, b, rows, cols, 1e-5, ...outs[1]!);
          outs[0]!.forEach((e, i) => assertClose(outs[1]![i]!, e, rtol, atol, `layerNorm out ${i} ${rows}x${cols}`));
          const [, mean, rstd] = outs[0]!;
          const grads = [0, 1].map(() => [new Ctor(rows * cols), affine ? new Ctor(cols).fill(0.5) : null,
            affine ? new Ctor(cols).fill(-0.5) : null] as const);
          tsBackend.layerNormBackward(x, w, mean, rstd, gy, rows, cols, ...grads[0]!);
          N.layerNormBackward(x, w, mean, rstd, gy, rows, cols, ...grads[1]!);
          grads[0]!.forEach((e, i) => e && assertClose(grads[1]![i]!, e, rtol, atol * 10, `layerNormBackward ${i}`));
        }
      }
    });

    it(`${Ctor.name}: layerNormBackward weight-only and bias-only gradients, the same bits on 1 and 2 threads`, () => {
      // 1000 rows: the weight/bias gradients go through the row-block partial sums (native/fused.cc).
      const rows = 1000, cols = 41;
      const x = randArray(Ctor, rows * cols, 5, -3, 3), gy = randArray(Ctor, rows * cols, 6);
      const w = randArray(Ctor, cols, 7);
      const mean = new Ctor(rows), rstd = new Ctor(rows);
      tsBackend.layerNorm(x, w, null, rows, cols, 1e-5, new Ctor(rows * cols), mean, rstd);
      for (const [hasW, hasB] of [[true, false], [false, true], [true, true]]) {
        const want = [new Ctor(rows * cols), hasW ? new Ctor(cols).fill(0.25) : null, hasB ? new Ctor(cols).fill(-1) : null] as const;
        tsBackend.layerNormBackward(x, w, mean, rstd, gy, rows, cols, ...want);
        assertThreadIndependent(() => {
          const got = [new Ctor(rows * cols), hasW ? new Ctor(cols).fill(0.25) : null, hasB ? new Ctor(cols).fill(-1) : null] as const;
          N.layerNormBackward(x, w, mean, rstd, gy, rows, cols, ...got);
          want.forEach((e, i) => e && assertClose(got[i]!, e, rtol, atol * 10, `layerNormBackward ${hasW}/${hasB} ${i}`));
          return got.filter((g): g is NonNullable<typeof g> => g !== null);
        }, `layerNormBackward ${hasW}/${hasB}`);
      }
    });

    it(`${Ctor.name}: embedding gather and scatter-add with repeated indices`, () => {
      const V = 17, C = 33;
      const table = randArray(Ctor, V * C, 1);
      const idx = Int32Array.from([0, 16, 3, 3, 3, 7, 0, 16, 5]);
      const want = new Ctor(idx.length * C), got = new Ctor(idx.length * C);
      tsBackend.embedding(table, idx, C, want);
      N.embedding(table, idx, C, got);
      assertSame(got, want, "embedding");
      const gy = randArray(Ctor, idx.length * C, 2);
      const gw = randArray(Ctor, V * C, 3), gg = Ctor.from(gw);
      tsBackend.embeddingBackward(gy, idx, C, gw);
      N.embeddingBackward(gy, idx, C, gg);
      assertSame(gg, gw, "embeddingBackward");
      assert.throws(() => N.embedding(table, Int32Array.from([17]), C, new Ctor(C)), /out of range/);
    });

    it(`${Ctor.name}: crossEntropy (+backward) with ignoreIndex and label smoothing`, () => {
      for (const [rows, cols] of [[1, 3], [7, 17], [33, 513], [3, 5000]]) {
        const logits = randArray(Ctor, rows * cols, cols, -6, 6);
        const r = rng(rows);
        const targets = Int32Array.from({ length: rows }, (_, i) => (i % 3 === 2 ? -100 : Math.floor(r() * cols)));
        for (const ls of [0, 0.1]) {
          const w = [new Ctor(rows), new Ctor(rows * cols)] as const, g = [new Ctor(rows), new Ctor(rows * cols)] as const;
          tsBackend.crossEntropy(logits, targets, rows, cols, -100, ls, ...w);
          N.crossEntropy(logits, targets, rows, cols, -100, ls, ...g);
          assertClose(g[0], w[0], rtol, atol, `crossEntropy loss ${rows}x${cols}`);
          assertClose(g[1], w[1], rtol, atol, `crossEntropy probs ${rows}x${cols}`);
          const scale = randArray(Ctor, rows, 4, 0, 1);
          const gw = new Ctor(rows * cols), gg = new Ctor(rows * cols);
          tsBackend.crossEntropyBackward(w[1], targets, rows, cols, -100, ls, scale, gw);
          N.crossEntropyBackward(w[1], targets, rows, cols, -100, ls, scale, gg);
          assertClose(gg, gw, rtol, atol, `crossEntropyBackward ${rows}x${cols}`);
        }
      }
    });

    it(`${Ctor.name}: adamUpdate (Adam, AdamW, AMSGrad, grad scale) and sgdUpdate match bit for bit`, () => {
      const n = 1027;
      for (const [decoupled, amsgrad, weightDecay, gradScale, beta1] of [
        [false, false, 0, 1, 0.9], [true, false, 0.1, 1, 0.9], [false, true, 0.01, 1024, 0.3], [true, true, 0, 1, 0.6],
      ] as const) {
        const p = { lr: 1e-3, beta1, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, step: 3, amsgrad, gradScale };
        const init = () => [randArray(Ctor, n, 1), randArray(Ctor, n, 2), randArray(Ctor, n, 3, -0.1, 0.1),
          randArray(Ctor, n, 4, 0, 0.01), amsgrad ? randArray(Ctor, n, 5, 0, 0.01) : null] as const;
        const [pw, gw, mw, vw, xw] = init(), [pg, gg, mg, vg, xg] = init();
        tsBackend.adamUpdate(pw, gw, mw, vw, xw, p);
        N.adamUpdate(pg, gg, mg, vg, xg, p);
        assertSame(pg, pw, "adam param"); assertSame(mg, mw, "adam m"); assertSame(vg, vw, "adam v");
        if (xw && xg) assertSame(xg, xw, "adam vmax");
      }
      for (const [momentum, nesterov, firstStep, dampening] of [[0, false, false, 0], [0.9, false, true, 0],
        [0.9, true, false, 0], [0.5, false, false, 0.3]] as const) {
        const p = { lr: 0.1, momentum, dampening, nesterov, weightDecay: 0.01, firstStep };
        const pw = randArray(Ctor, n, 1), pg = Ctor.from(pw), gr = randArray(Ctor, n, 2);
        const bw = momentum ? randArray(Ctor, n, 3) : null, bg = bw ? Ctor.from(bw) : null;
        tsBackend.sgdUpdate(pw, gr, bw, p);
        N.sgdUpdate(pg, gr, bg, p);
        assertSame(pg, pw, "sgd param");
        if (bw && bg) assertSame(bg, bw, "sgd momentum buffer");
      }
    });
  }

  it("row kernels do not depend on the thread count", () => {
    const rows = 64, cols = 3001;
    const x = randArray(Float32Array, rows * cols, 1, -5, 5);
    const t = Int32Array.from({ length: rows }, (_, i) => (i * 37) % cols);
    assertThreadIndependent(() => {
      const sm = new Float32Array(rows * cols), ln = new Float32Array(rows * cols);
      const mean = new Float32Array(rows), rstd = new Float32Array(rows);
      const loss = new Float32Array(rows), probs = new Float32Array(rows * cols);
      const gx = new Float32Array(rows * cols), gw = new Float32Array(cols), gb = new Float32Array(cols);
      const sums = new Float32Array(cols);
      N.softmax(x, rows, cols, sm);
      N.layerNorm(x, null, null, rows, cols, 1e-5, ln, mean, rstd);
      N.layerNormBackward(x, x.subarray(0, cols), mean, rstd, sm, rows, cols, gx, gw, gb);
      N.crossEntropy(x, t, rows, cols, -100, 0.1, loss, probs);
      N.reduce("sum", x, 1, rows, cols, sums);
      return [sm, ln, mean, rstd, gx, gw, gb, loss, probs, sums];
    }, "row kernels");
  });
});
