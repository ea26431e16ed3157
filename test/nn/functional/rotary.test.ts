// Rotary embeddings: the cos/sin cache and applyRotaryEmb against PyTorch (HF LLaMA's
// rotate_half formulation, tools/torch_llama_reference.py), gradcheck in x, the rotation's
// properties (norm-preserving, relative positions) and typed errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ShapeError, ValueError, gradcheck, manualSeed, randn, tensor } from "../../../src/index.js";
import { applyRotaryEmb, precomputeRotaryCache } from "../../../src/nn/functional/index.js";
import { f64, g64 } from "./helpers.js";

interface RotaryCase {
  name: string; shape: number[]; cacheLen: number; theta: number; positionOffset: number;
  cos: number[]; sin: number[]; x: number[]; gy: number[]; y: number[]; gx: number[];
  gCos: number[] | null; gSin: number[] | null;
}
const fx = JSON.parse(readFileSync(new URL("../../../../test/fixtures/torch_rms_rotary_reference.json", import.meta.url), "utf8")) as {
  rotary: RotaryCase[];
};

function allClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-12): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe("rotary embeddings match PyTorch (float64)", () => {
  it("the fixture covers (B, H, T, D), a position offset, theta 500000, D = 2 and a learnable cache", () => {
    assert.deepEqual(fx.rotary.map((c) => c.name), ["bhtd_offset0", "offset3_theta500000", "three_dims_d2", "learnable_cache_offset2"]);
  });
  for (const c of fx.rotary) {
    it(`${c.name}: cache, values and gradient`, () => {
      const D = c.shape[c.shape.length - 1]!;
      const cache = precomputeRotaryCache(D, c.cacheLen, { theta: c.theta, dtype: "float64" });
      const learn = c.gCos !== null;
      const cos = learn ? cache.cos.requiresGrad_() : cache.cos, sin = learn ? cache.sin.requiresGrad_() : cache.sin;
      assert.deepEqual(cos.shape, [c.cacheLen, D]);
      allClose(cos.data, c.cos, "cos");
      allClose(sin.data, c.sin, "sin");
      const x = tensor(c.x, { ...g64, shape: c.shape });
      const y = applyRotaryEmb(x, cos, sin, { positionOffset: c.positionOffset });
      assert.deepEqual(y.shape, c.shape);
      allClose(y.data, c.y, "y");
      y.backward(tensor(c.gy, { ...f64, shape: c.shape }));
      allClose(x.grad!.data, c.gx, "gx");
      if (learn) {
        allClose(cos.grad!.data, c.gCos!, "gCos");
        allClose(sin.grad!.data, c.gSin!, "gSin");
      } else assert.equal(cos.grad, null);
    });
  }
});

describe("precomputeRotaryCache", () => {
  it("position 0 is the identity; cos/sin of p * theta^(-2i/D) with the halves repeated", () => {
    const { cos, sin } = precomputeRotaryCache(4, 3, { dtype: "float64" });
    assert.deepEqual([...cos.data.slice(0, 4)], [1, 1, 1, 1]);
    assert.deepEqual([...sin.data.slice(0, 4)], [0, 0, 0, 0]);
    // D = 4: invFreq = [1, 1/100]; position 2 -> angles [2, 0.02, 2, 0.02]
    allClose(cos.data.slice(8), [Math.cos(2), Math.cos(0.02), Math.cos(2), Math.cos(0.02)], "cos");
    allClose(sin.data.slice(8), [Math.sin(2), Math.sin(0.02), Math.sin(2), Math.sin(0.02)], "sin");
  });
  it("defaults to float32 and theta 10000", () => {
    const { cos } = precomputeRotaryCache(2, 2);
    assert.equal(cos.dtype, "float32");
    assert.equal(cos.data[2], Math.fround(Math.cos(1)));
    assert.equal(cos.requiresGrad, false);
  });
  it("rejects odd or non-positive head dims, bad lengths, theta and dtype", () => {
    assert.throws(() => precomputeRotaryCache(3, 4), (e: Error) => e instanceof ValueError && /precomputeRotaryCache/.test(e.message) && /headDim/.test(e.message));
    assert.throws(() => precomputeRotaryCache(0, 4), ValueError);
    assert.throws(() => precomputeRotaryCache(4, -1), (e: Error) => e instanceof ValueError && /maxSeqLen/.test(e.message));
    assert.throws(() => precomputeRotaryCache(4, 2, { theta: 0 }), (e: Error) => e instanceof ValueError && /theta/.test(e.message));
    assert.throws(() => precomputeRotaryCache(4, 2, { dtype: "int32" as "float32" }), ValueError);
  });
});

describe("applyRotaryEmb", () => {
  it("D = 2 rotates (x1, x2) by the angle p: (x1 cos p - x2 sin p, x2 cos p + x1 sin p)", () => {
    const { cos, sin } = precomputeRotaryCache(2, 4, { dtype: "float64" });
    const y = applyRotaryEmb(tensor([[1, 0], [1, 0], [0, 1]], f64), cos, sin, { positionOffset: 1 });
    allClose(y.data, [Math.cos(1), Math.sin(1), Math.cos(2), Math.sin(2), -Math.sin(3), Math.cos(3)], "y");
  });
  it("preserves the norm of each (x[i], x[i + D/2]) pair, and q·k depends only on the position difference", () => {
    manualSeed(2);
    const { cos, sin } = precomputeRotaryCache(8, 16, { dtype: "float64" });
    const q = randn([1, 8], f64), k = randn([1, 8], f64);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
      return s;
    };
    const qr = applyRotaryEmb(q, cos, sin, { positionOffset: 5 }).data;
    assert.ok(Math.abs(dot(qr, qr) - dot(q.data, q.data)) < 1e-12);
    const at = (pq: number, pk: number): number => dot(applyRotaryEmb(q, cos, sin, { positionOffset: pq }).data, applyRotaryEmb(k, cos, sin, { positionOffset: pk }).data);
    assert.ok(Math.abs(at(7, 3) - at(10, 6)) < 1e-12);
    assert.ok(Math.abs(at(4, 4) - dot(q.data, k.data)) < 1e-12);
  });
  it("gradcheck in x for (B, H, T, D), offsets and a cache longer than T", () => {
    manualSeed(9);
    const { cos, sin } = precomputeRotaryCache(6, 10, { dtype: "float64", theta: 50 });
    for (const [shape, offset] of [[[2, 3, 4, 6], 0], [[1, 2, 5, 6], 5], [[3, 6], 2]] as const) {
      const x = randn([...shape], g64);
      assert.ok(gradcheck((a) => applyRotaryEmb(a!, cos, sin, { positionOffset: offset }), [x]));
    }
  });
  it("the backward is exact for an arbitrary (non-repeated-halves) cache too", () => {
    manualSeed(4);
    const cos = randn([3, 4], f64), sin = randn([3, 4], f64);
    assert.ok(gradcheck((a) => applyRotaryEmb(a!, cos, sin), [randn([2, 3, 4], g64)]));
  });
  it("gradcheck in x, cos and sin together (a learnable cache), with an offset", () => {
    manualSeed(12);
    const cos = randn([5, 4], g64), sin = randn([5, 4], g64);
    assert.ok(gradcheck((a, c, s) => applyRotaryEmb(a!, c!, s!, { positionOffset: 1 }), [randn([2, 3, 4], g64), cos, sin]));
    const x = randn([3, 2, 4], f64);
    assert.ok(gradcheck((c, s) => applyRotaryEmb(x, c!, s!, { positionOffset: 3 }), [cos, sin]));
  });
  it("float32 x with a float64 cache computes in float64; float32 both stays float32", () => {
    const c64 = precomputeRotaryCache(4, 2, { dtype: "float64" }), c32 = precomputeRotaryCache(4, 2);
    const x = randn([2, 4]);
    assert.equal(applyRotaryEmb(x, c64.cos, c64.sin).dtype, "float64");
    const y = applyRotaryEmb(x, c32.cos, c32.sin);
    assert.equal(y.dtype, "float32");
    allClose(y.data, applyRotaryEmb(x.to("float64"), c64.cos, c64.sin).data, "f32", 1e-6);
  });
  it("typed errors name applyRotaryEmb and the argument", () => {
    const { cos, sin } = precomputeRotaryCache(4, 3, { dtype: "float64" });
    const isShape = (re: RegExp) => (e: Error) => e instanceof ShapeError && /applyRotaryEmb/.test(e.message) && re.test(e.message);
    assert.throws(() => applyRotaryEmb(randn([4], f64), cos, sin), isShape(/at least 2/));
    assert.throws(() => applyRotaryEmb(randn([2, 3], f64), cos, sin), isShape(/even/));
    assert.throws(() => applyRotaryEmb(randn([2, 6], f64), cos, sin), isShape(/cos and sin/));
    assert.throws(() => applyRotaryEmb(randn([2, 4], f64), cos, sin.reshape([4, 3])), isShape(/cos and sin/));
    assert.throws(() => applyRotaryEmb(randn([4, 4], f64), cos, sin), isShape(/exceed/));
    assert.throws(() => applyRotaryEmb(randn([2, 4], f64), cos, sin, { positionOffset: 2 }), isShape(/positions 2..3/));
    assert.throws(() => applyRotaryEmb(randn([2, 4], f64), cos, sin, { positionOffset: -1 }), ValueError);
    assert.throws(() => applyRotaryEmb(tensor([[1, 2, 3, 4]], { dtype: "int32" }), cos, sin), /applyRotaryEmb: x must be a floating-point/);
  });
});
