// The raw addon's argument checks: every kernel rejects wrong dtypes, arrays too short for the
// sizes (including sizes whose products overflow 64 bits), bad strided metadata and bad indices
// with a TypeError/RangeError naming the kernel, and writes nothing when it throws.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type NativeAddon, loadAddon } from "../../src/backend/native/addon.js";
import { skip } from "./helpers.js";

const raw = loadAddon().addon;
const SENTINEL = 7.25;
const BIG = 2 ** 32; // BIG * BIG wraps to 0 in 64-bit arithmetic

/** A call that must throw `type` with "descent native <kernel>: ..." and leave `out` as it was. */
interface Bad { kernel: string; why: string; type: typeof TypeError | typeof RangeError; call: (N: NativeAddon, out: Float32Array) => void }

const f32 = (n: number) => new Float32Array(n).fill(1);
const meta = (...v: number[]) => Float64Array.from(v);

const BAD: Bad[] = [
  { kernel: "gemm", why: "C too short", type: RangeError,
    call: (N, c) => N.gemm(f32(8), f32(9), c, 1, 8, 9, 1, false, false, 1, 0, 0, 0, 0, 0, 0, 0) },
  { kernel: "gemm", why: "offsetC past the end", type: RangeError,
    call: (N, c) => N.gemm(f32(4), f32(4), c, 1, 2, 2, 2, false, false, 1, 0, 0, 0, 0, 0, 0, c.length - 3) },
  { kernel: "gemm", why: "batch stride reaches past the end", type: RangeError,
    call: (N, c) => N.gemm(f32(4), f32(4), c, 2, 2, 2, 2, false, false, 1, 0, 0, 0, c.length, 0, 0, 0) },
  { kernel: "gemm", why: "m * n overflows", type: RangeError,
    call: (N, c) => N.gemm(f32(4), f32(4), c, 1, BIG, BIG, 0, false, false, 1, 0, 0, 0, 0, 0, 0, 0) },
  { kernel: "gemm", why: "mixed dtypes", type: TypeError,
    call: (N, c) => N.gemm(new Float64Array(4), f32(4), c, 1, 2, 2, 1, false, false, 1, 0, 0, 0, 0, 0, 0, 0) },
  { kernel: "gemm", why: "negative size", type: RangeError,
    call: (N, c) => N.gemm(f32(4), f32(4), c, 1, -2, 2, 1, false, false, 1, 0, 0, 0, 0, 0, 0, 0) },
  { kernel: "gemm", why: "fractional offset", type: RangeError,
    call: (N, c) => N.gemm(f32(4), f32(4), c, 1, 1, 1, 1, false, false, 1, 0, 0, 0, 0, 0.5, 0, 0) },
  { kernel: "unary", why: "length mismatch", type: RangeError, call: (N, o) => N.unary(1, f32(o.length + 1), o) },
  { kernel: "unary", why: "dtype mismatch", type: TypeError, call: (N, o) => N.unary(1, new Float64Array(o.length), o) },
  { kernel: "unary", why: "unknown op", type: RangeError, call: (N, o) => N.unary(99, f32(o.length), o) },
  { kernel: "unaryBackward", why: "gy too short", type: RangeError,
    call: (N, o) => N.unaryBackward(1, f32(o.length), f32(o.length), f32(1), o) },
  { kernel: "binary", why: "out length differs from the shape", type: RangeError,
    call: (N, o) => N.binary(0, f32(64), f32(64), o, meta(1, 63, 1, 1)) },
  { kernel: "binary", why: "a read past its end", type: RangeError,
    call: (N, o) => N.binary(0, f32(o.length - 1), f32(o.length), o, meta(1, o.length, 1, 1)) },
  { kernel: "binary", why: "negative stride reaching before element 0", type: RangeError,
    call: (N, o) => N.binary(0, f32(o.length), f32(o.length), o, meta(1, o.length, -1, 1)) },
  { kernel: "binary", why: "negative shape in meta", type: RangeError,
    call: (N, o) => N.binary(0, f32(o.length), f32(o.length), o, meta(2, -1, -o.length, 0, 0, 0, 0)) },
  { kernel: "binary", why: "nd out of range", type: RangeError,
    call: (N, o) => N.binary(0, f32(o.length), f32(o.length), o, meta(17)) },
  { kernel: "binary", why: "meta shorter than nd needs", type: RangeError,
    call: (N, o) => N.binary(0, f32(o.length), f32(o.length), o, meta(2, 4, 4, 4, 1)) },
  { kernel: "binary", why: "meta is not a Float64Array", type: TypeError,
    call: (N, o) => N.binary(0, f32(o.length), f32(o.length), o, new Float32Array([1, o.length, 1, 1]) as never) },
  { kernel: "binary", why: "stride far past the end", type: RangeError,
    call: (N, o) => N.binary(0, f32(o.length), f32(o.length), o, meta(2, 2, o.length / 2, 2 ** 53, 1, 0, 1)) },
  { kernel: "where", why: "cond too short", type: RangeError,
    call: (N, o) => N.where(new Int32Array(1), f32(o.length), f32(o.length), o, meta(1, o.length, 1, 1, 1)) },
  { kernel: "stridedCopy", why: "dst too short", type: RangeError,
    call: (N, o) => N.stridedCopy(f32(100), o, meta(1, o.length + 1, 1, 1), 0, 0, false) },
  { kernel: "stridedCopy", why: "dst offset past the end", type: RangeError,
    call: (N, o) => N.stridedCopy(f32(100), o, meta(1, 2, 1, 1), 0, o.length - 1, false) },
  { kernel: "stridedCopy", why: "src offset past the end", type: RangeError,
    call: (N, o) => N.stridedCopy(f32(10), o, meta(1, 2, 1, 1), 9, 0, true) },
  { kernel: "cast", why: "length mismatch", type: RangeError, call: (N, o) => N.cast(new Float64Array(3), o) },
  { kernel: "reduce", why: "x too short", type: RangeError, call: (N, o) => N.reduce(0, f32(10), 1, 11, 1, o) },
  { kernel: "reduce", why: "size beyond 2^53", type: RangeError, call: (N, o) => N.reduce(0, f32(10), 1, 2 ** 60, 1, o) },
  { kernel: "reduce", why: "out too short", type: RangeError,
    call: (N, o) => N.reduce(0, f32(1000), o.length + 1, 1, 1, o) },
  { kernel: "argReduce", why: "size 0", type: RangeError, call: (N) => N.argReduce(false, f32(4), 1, 0, 1, new Int32Array(1)) },
  { kernel: "argReduce", why: "out not int32", type: TypeError, call: (N, o) => N.argReduce(false, f32(4), 1, 4, 1, o as never) },
  { kernel: "softmax", why: "out too short", type: RangeError, call: (N, o) => N.softmax(f32(1000), 10, 100, o, false) },
  { kernel: "softmax", why: "rows * cols overflows", type: RangeError, call: (N, o) => N.softmax(f32(16), BIG, BIG, o, false) },
  { kernel: "softmaxBackward", why: "gx too short", type: RangeError,
    call: (N, o) => N.softmaxBackward(f32(1000), f32(1000), 10, 100, o, true) },
  { kernel: "layerNorm", why: "weight shorter than cols", type: RangeError,
    call: (N, o) => N.layerNorm(f32(o.length), f32(1), null, 1, o.length, 1e-5, o, f32(1), f32(1)) },
  { kernel: "layerNorm", why: "bias of another dtype", type: TypeError,
    call: (N, o) => N.layerNorm(f32(o.length), null, new Float64Array(o.length), 1, o.length, 1e-5, o, f32(1), f32(1)) },
  { kernel: "layerNorm", why: "mean too short", type: RangeError,
    call: (N, o) => N.layerNorm(f32(o.length), null, null, 2, o.length / 2, 1e-5, o, f32(1), f32(2)) },
  { kernel: "layerNormBackward", why: "gWeight shorter than cols", type: RangeError,
    call: (N, o) => N.layerNormBackward(f32(o.length), null, f32(1), f32(1), f32(o.length), 1, o.length, o, f32(1), null) },
  { kernel: "embedding", why: "index past the table", type: RangeError,
    call: (N, o) => N.embedding(f32(4 * 8), Int32Array.from([0, 4]), 8, o) },
  { kernel: "embedding", why: "negative index", type: RangeError,
    call: (N, o) => N.embedding(f32(4 * 8), Int32Array.from([-1]), 8, o) },
  { kernel: "embedding", why: "out too short", type: RangeError,
    call: (N, o) => N.embedding(f32(4 * 8), new Int32Array(o.length), 8, o) },
  { kernel: "embeddingBackward", why: "index past the table", type: RangeError,
    call: (N, o) => N.embeddingBackward(f32(16), Int32Array.from([0, o.length / 8]), 8, o) },
  { kernel: "crossEntropy", why: "probs too short", type: RangeError,
    call: (N, o) => N.crossEntropy(f32(1000), new Int32Array(10), 10, 100, -100, 0, f32(10), o) },
  { kernel: "crossEntropy", why: "targets not int32", type: TypeError,
    call: (N, o) => N.crossEntropy(f32(64), f32(4) as never, 4, 16, -100, 0, f32(4), o) },
  { kernel: "crossEntropy", why: "fractional ignoreIndex", type: RangeError,
    call: (N, o) => N.crossEntropy(f32(64), new Int32Array(4), 4, 16, 0.5, 0, f32(4), o) },
  { kernel: "crossEntropyBackward", why: "rowScale too short", type: RangeError,
    call: (N, o) => N.crossEntropyBackward(f32(64), new Int32Array(4), 4, 16, -100, 0, f32(3), o) },
  { kernel: "adamUpdate", why: "v shorter than param", type: RangeError,
    call: (N, o) => N.adamUpdate(o, f32(o.length), f32(o.length), f32(1), null, 1, 0.9, 0.99, 1e-8, 0, true, 1, 1, 1) },
  { kernel: "adamUpdate", why: "vmax of another dtype", type: TypeError,
    call: (N, o) => N.adamUpdate(o, f32(o.length), f32(o.length), f32(o.length), new Float64Array(o.length),
      1, 0.9, 0.99, 1e-8, 0, true, 1, 1, 1) },
  { kernel: "sgdUpdate", why: "grad shorter than param", type: RangeError,
    call: (N, o) => N.sgdUpdate(o, f32(1), null, 1, 0, 0, false, 0, false) },
  { kernel: "sgdUpdate", why: "missing arguments", type: TypeError,
    call: (N, o) => (N.sgdUpdate as unknown as (...a: unknown[]) => void)(o, f32(o.length)) },
  { kernel: "setNumThreads", why: "zero threads", type: RangeError, call: (N) => N.setNumThreads(0) },
];

describe("native addon argument checks", { skip }, () => {
  for (const bad of BAD) {
    it(`${bad.kernel}: ${bad.why} throws ${bad.type.name} and writes nothing`, () => {
      const out = new Float32Array(64).fill(SENTINEL);
      assert.throws(() => bad.call(raw!, out), (e: unknown) => {
        assert.ok(e instanceof bad.type, `expected ${bad.type.name}, got ${String(e)}`);
        assert.match((e as Error).message, new RegExp(`^descent native ${bad.kernel}: `));
        return true;
      });
      assert.ok(out.every((v) => v === SENTINEL), `${bad.kernel} wrote into out before throwing`);
    });
  }

  it("ignoreIndex outside int32 range matches no target, like the TS reference", () => {
    const logits = Float32Array.from({ length: 8 }, (_, i) => i / 8), t = Int32Array.from([1, 3]);
    const loss = new Float32Array(2), probs = new Float32Array(8);
    raw!.crossEntropy(logits, t, 2, 4, 2 ** 40, 0, loss, probs);
    assert.ok(loss.every((v) => v > 0), `no row may be ignored, got ${Array.from(loss).join(", ")}`);
  });
});
