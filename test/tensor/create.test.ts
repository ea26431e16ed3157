// Creation functions, dtypes, printing, and the seeded RNG.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DTypeError, Generator, ShapeError, ValueError, arange, eye, full, fullLike, linspace, manualSeed, ones, onesLike,
  rand, randint, randn, randnLike, tensor, zeros, zerosLike,
} from "../../src/index.js";

describe("tensor creation", () => {
  it("tensor() from nested arrays infers shape; float32 by default", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, "float32");
    assert.equal(t.ndim, 2);
    assert.equal(t.numel, 6);
    assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.ok(t.data instanceof Float32Array);
  });

  it("tensor() from numbers, typed arrays, with dtype and shape", () => {
    assert.equal(tensor(3.5, { dtype: "float64" }).item(), 3.5);
    assert.deepEqual(tensor(3.5).shape, []);
    const i = tensor(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] });
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.toArray(), [[1, 2], [3, 4]]);
    const f = tensor(new Float64Array([0.1]));
    assert.equal(f.dtype, "float64");
    assert.equal(f.item(), 0.1);
    assert.deepEqual([...tensor([1.9, -1.9], { dtype: "int32" }).data], [1, -1]);
  });

  it("tensor() copies typed-array input", () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 9;
    assert.equal(t.data[0], 1);
  });

  it("ragged arrays, bad elements, unknown dtypes and bad shapes throw typed errors", () => {
    assert.throws(() => tensor([[1, 2], [3]]), ShapeError);
    assert.throws(() => tensor([1, "a" as unknown as number]), ValueError);
    assert.throws(() => tensor([1], { dtype: "float8" as never }), DTypeError);
    assert.throws(() => zeros([2, -1]), ShapeError);
    assert.throws(() => tensor(new Float32Array(3), { shape: [2, 2] }), ShapeError);
  });

  it("zeros, ones, full, eye, arange, linspace and *Like", () => {
    assert.deepEqual([...zeros([2]).data], [0, 0]);
    assert.deepEqual([...ones([2], { dtype: "int32" }).data], [1, 1]);
    assert.deepEqual([...full([3], 7).data], [7, 7, 7]);
    assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual([...arange(5).data], [0, 1, 2, 3, 4]);
    assert.deepEqual([...arange(1, 2, 0.25, { dtype: "float64" }).data], [1, 1.25, 1.5, 1.75]);
    assert.deepEqual([...arange(5, 0, -2).data], [5, 3, 1]);
    assert.deepEqual([...linspace(0, 1, 5, { dtype: "float64" }).data], [0, 0.25, 0.5, 0.75, 1]);
    const x = tensor([[1, 2]], { dtype: "float64" });
    assert.equal(zerosLike(x).dtype, "float64");
    assert.deepEqual(onesLike(x).shape, [1, 2]);
    assert.deepEqual([...fullLike(x, 3).data], [3, 3]);
    assert.deepEqual(randnLike(x).shape, [1, 2]);
    assert.throws(() => arange(0, 1, 0), ValueError);
  });

  it("requiresGrad option makes a leaf that requires grad", () => {
    const t = zeros([2], { dtype: "float64", requiresGrad: true });
    assert.equal(t.requiresGrad, true);
    assert.equal(t.isLeaf, true);
    assert.equal(t.grad, null);
  });

  it("printing follows PyTorch's style", () => {
    assert.equal(String(tensor([[1, 2], [3, 4]])), "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])");
    assert.equal(String(tensor([1], { dtype: "float64", requiresGrad: true })), "tensor([1.0000], dtype=float64, requiresGrad=true)");
    assert.equal(String(tensor([1, 2], { dtype: "int32" })), "tensor([1, 2])");
    const big = String(arange(2000, { dtype: "int32" }).reshape([40, 50]));
    assert.ok(big.startsWith("tensor([[   0,    1,    2, ...,   47,   48,   49],"), big.slice(0, 60));
    assert.equal(big.split("\n").length, 7); // 3 rows, "...", 3 rows
    assert.ok(big.includes("[1950, 1951, 1952, ..., 1997, 1998, 1999]])"));
  });
});

describe("random numbers", () => {
  it("manualSeed makes runs reproduce exactly", () => {
    manualSeed(42);
    const a = randn([5]);
    const u = rand([3]);
    manualSeed(42);
    assert.deepEqual([...randn([5]).data], [...a.data]);
    assert.deepEqual([...rand([3]).data], [...u.data]);
  });

  it("explicit generators are independent of the global one", () => {
    const g1 = new Generator(7);
    const g2 = new Generator(7);
    manualSeed(1);
    const x = randn([4], { generator: g1 });
    randn([10]);
    const y = randn([4], { generator: g2 });
    assert.deepEqual([...x.data], [...y.data]);
    const g3 = new Generator(8);
    assert.notDeepEqual([...randn([4], { generator: g3 }).data], [...x.data]);
  });

  it("seeds must be safe integers", () => {
    assert.throws(() => manualSeed(0.5), ValueError);
    assert.throws(() => new Generator(Number.NaN), ValueError);
  });

  it("generator state can be saved and restored", () => {
    const g = new Generator(3);
    g.normal();
    const s = g.getState();
    const a = [g.random(), g.normal()];
    g.setState(s);
    assert.deepEqual([g.random(), g.normal()], a);
  });

  it("randn has mean ~0 and variance ~1; rand is in [0,1); randint in range", () => {
    manualSeed(0);
    const n = 200_000;
    const x = randn([n], { dtype: "float64" });
    let m = 0, v = 0;
    for (const e of x.data) m += e;
    m /= n;
    for (const e of x.data) v += (e - m) ** 2;
    v /= n;
    assert.ok(Math.abs(m) < 0.01, `mean ${m}`);
    assert.ok(Math.abs(v - 1) < 0.01, `var ${v}`);
    const u = rand([n], { dtype: "float64" });
    let um = 0;
    for (const e of u.data) { assert.ok(e >= 0 && e < 1); um += e; }
    assert.ok(Math.abs(um / n - 0.5) < 0.005);
    const r = randint(-3, 4, [1000]);
    assert.equal(r.dtype, "int32");
    const seen = new Set(r.data);
    assert.deepEqual([...seen].sort((p, q) => p - q), [-3, -2, -1, 0, 1, 2, 3]);
  });
});
