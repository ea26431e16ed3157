// The bool dtype: Uint8Array storage of 0/1, comparison results, masks, promotion (PyTorch's rules).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DTypeError, Tensor, full, nn, ones, randn, tensor, where, zeros,
} from "../../src/index.js";

const b = (v: boolean[]): Tensor => tensor(v);

describe("bool dtype", () => {
  it("tensor() of booleans is bool, stored as 0/1 bytes; toArray gives booleans", () => {
    const t = tensor([[true, false], [false, true]]);
    assert.equal(t.dtype, "bool");
    assert.ok(t.data instanceof Uint8Array);
    assert.deepEqual([...t.data], [1, 0, 0, 1]);
    assert.deepEqual(t.toArray(), [[true, false], [false, true]]);
    assert.equal(tensor(true).item(), 1);
    // dtype "bool" from numbers and from typed arrays: nonzero (NaN included) is true.
    assert.deepEqual([...tensor([0, 2, -0.5, NaN], { dtype: "bool" }).data], [0, 1, 1, 1]);
    assert.deepEqual([...tensor(new Uint8Array([0, 7, 1])).data], [0, 1, 1]);
    assert.deepEqual([...full([3], 5, { dtype: "bool" }).data], [1, 1, 1]);
    assert.deepEqual([...ones([2], { dtype: "bool" }).data], [1, 1]);
  });

  it("prints like PyTorch", () => {
    assert.equal(b([true, false]).toString(), "tensor([ True, False])");
    assert.equal(tensor(true).toString(), "tensor(True)");
    assert.equal(tensor([[true], [false]]).toString(), "tensor([[ True],\n        [False]])");
    assert.equal(b([true, true]).toString(), "tensor([True, True])");
  });

  it("to(): any dtype to bool is value != 0; bool to numbers is 1/0", () => {
    const x = tensor([0.5, -0, NaN, 2, 0], { dtype: "float64" });
    assert.deepEqual(x.to("bool").toArray(), [true, false, true, true, false]);
    assert.deepEqual(tensor([3, 0, -1], { dtype: "int32" }).to("bool").toArray(), [true, false, true]);
    const m = b([true, false]);
    assert.deepEqual([...m.to("float32").data], [1, 0]);
    assert.deepEqual([...m.to("float64").data], [1, 0]);
    assert.deepEqual([...m.to("int32").data], [1, 0]);
    assert.equal(m.to("int32").dtype, "int32");
  });

  it("comparisons return bool", () => {
    const x = tensor([1, 2, 3]);
    for (const [r, want] of [
      [x.eq(2), [false, true, false]], [x.ne(2), [true, false, true]], [x.lt(2), [true, false, false]],
      [x.le(2), [true, true, false]], [x.gt(2), [false, false, true]], [x.ge(2), [false, true, true]],
    ] as const) {
      assert.equal(r.dtype, "bool");
      assert.deepEqual(r.toArray(), want);
    }
    // Large enough for the native kernels (>= 32 elements), broadcast against a row.
    const big = randn([8, 16]);
    const row = randn([16]);
    const m = big.gt(row);
    assert.equal(m.dtype, "bool");
    for (let i = 0; i < 128; i++) assert.equal(m.data[i], big.data[i]! > row.data[i % 16]! ? 1 : 0);
    assert.deepEqual(b([true, false]).gt(b([false, false])).toArray(), [true, false]);
  });

  it("promotion: bool op bool stays bool (add = or, mul = and); with integers int32; with floats the float", () => {
    const p = b([true, true, false, false]), q = b([true, false, true, false]);
    assert.deepEqual(p.add(q).toArray(), [true, true, true, false]);
    assert.deepEqual(p.mul(q).toArray(), [true, false, false, false]);
    assert.deepEqual(p.maximum(q).toArray(), [true, true, true, false]);
    const plus1 = p.add(1);
    assert.equal(plus1.dtype, "int32");
    assert.deepEqual([...plus1.data], [2, 2, 1, 1]);
    assert.equal(p.add(1.5).dtype, "float32");
    assert.deepEqual([...p.add(1.5).data], [2.5, 2.5, 1.5, 1.5]);
    assert.equal(p.add(tensor([1, 2, 3, 4], { dtype: "int32" })).dtype, "int32");
    assert.equal(p.add(tensor([1, 2, 3, 4], { dtype: "float64" })).dtype, "float64");
    assert.equal(p.div(q).dtype, "float32");
    assert.deepEqual([...p.to("float32").div(2).data], [0.5, 0.5, 0, 0]);
    // 64 elements so the native binary kernel runs on the widened int32 copies.
    const big = randn([64]).gt(0);
    const sum = big.add(big);
    assert.equal(sum.dtype, "bool");
    assert.deepEqual([...sum.data], [...big.data]);
  });

  it("what PyTorch rejects on bool is a DTypeError", () => {
    const p = b([true, false]);
    assert.throws(() => p.sub(p), DTypeError);
    assert.throws(() => p.pow(p), DTypeError);
    assert.throws(() => p.neg(), DTypeError);
    assert.throws(() => p.abs(), DTypeError);
    assert.throws(() => p.relu(), DTypeError);
    assert.throws(() => p.mean(), DTypeError);
    assert.throws(() => p.matmul(p), DTypeError);
    assert.throws(() => { p.requiresGrad = true; }, DTypeError);
    assert.throws(() => tensor([true], { requiresGrad: true }), DTypeError);
    assert.throws(() => randn([2], { dtype: "bool" }), DTypeError);
  });

  it("unary ops: sign keeps bool, square counts in int32, float ops give float32", () => {
    const p = b([true, false]);
    assert.equal(p.sign().dtype, "bool");
    assert.deepEqual(p.square().toArray(), [1, 0]);
    assert.equal(p.square().dtype, "int32");
    assert.equal(p.exp().dtype, "float32");
    assert.deepEqual([...p.exp().data], [Math.fround(Math.E), 1]);
  });

  it("reductions: sum and prod count in int32, max/min stay bool", () => {
    const m = tensor([[true, false, true], [true, true, true]]);
    assert.equal(m.sum().dtype, "int32");
    assert.equal(m.sum().item(), 5);
    assert.deepEqual(m.sum(1).toArray(), [2, 3]);
    assert.deepEqual(m.prod(1).toArray(), [0, 1]);
    assert.equal(m.max().dtype, "bool");
    assert.equal(m.max().item(), 1);
    assert.equal(m.amin(1).dtype, "bool");
    assert.deepEqual(m.amin(1).toArray(), [false, true]);
  });

  it("where and maskedFill take bool masks; gradients flow to the chosen side", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const y = tensor([10, 20, 30], { dtype: "float64", requiresGrad: true });
    const c = b([true, false, true]);
    const w = where(c, x, y);
    assert.deepEqual([...w.data], [1, 20, 3]);
    w.sum().backward();
    assert.deepEqual([...x.grad!.data], [1, 0, 1]);
    assert.deepEqual([...y.grad!.data], [0, 1, 0]);
    assert.deepEqual([...x.maskedFill(c, -1).data], [-1, 2, -1]);
    assert.deepEqual(where(c, b([false, false, false]), b([true, true, true])).toArray(), [false, true, false]);
    assert.equal(where(c, b([false, false, false]), b([true, true, true])).dtype, "bool");
    // A bool mask over a big tensor, on the native where kernel.
    const big = randn([64, 8]);
    const masked = big.maskedFill(big.gt(0), 0);
    for (let i = 0; i < big.numel; i++) assert.equal(masked.data[i], big.data[i]! > 0 ? 0 : big.data[i]);
    assert.deepEqual([...zeros([2]).maskedFill(tensor([1, 0], { dtype: "int32" }), 5).data], [5, 0]);
    const mb = zeros([3], { dtype: "bool" }).maskedFill(c, 1);
    assert.deepEqual(mb.toArray(), [true, false, true]);
  });

  it("attention: a bool mask (true = attend) equals the same int32 mask; isCausal uses bool", () => {
    const q = randn([2, 3, 4], { dtype: "float64" }), k = randn([2, 5, 4], { dtype: "float64" }), v = randn([2, 5, 2], { dtype: "float64" });
    const bits = [[1, 0, 1, 1, 0], [0, 1, 0, 0, 1], [1, 1, 1, 0, 0]];
    const viaInt = nn.functional.scaledDotProductAttention(q, k, v, { mask: tensor(bits, { dtype: "int32" }) });
    const viaBool = nn.functional.scaledDotProductAttention(q, k, v, { mask: tensor(bits.map((r) => r.map((x) => x === 1))) });
    assert.deepEqual([...viaBool.data], [...viaInt.data]);
    const causal = nn.functional.scaledDotProductAttention(q, k.narrow(1, 0, 3), v.narrow(1, 0, 3), { isCausal: true });
    const lower = tensor([[true, false, false], [true, true, false], [true, true, true]]);
    const explicit = nn.functional.scaledDotProductAttention(q, k.narrow(1, 0, 3), v.narrow(1, 0, 3), { mask: lower });
    // isCausal takes the fused kernel, an explicit mask the composed path: equal to rounding.
    causal.data.forEach((x, i) => assert.ok(Math.abs(x - explicit.data[i]!) <= 1e-12, `${x} vs ${explicit.data[i]}`));
  });

  it("shape ops and indexing move bool data as is", () => {
    const m = tensor([[true, false, true], [false, false, true]]);
    assert.deepEqual(m.transpose(0, 1).toArray(), [[true, false], [false, false], [true, true]]);
    assert.deepEqual(m.reshape([3, 2]).toArray(), [[true, false], [true, false], [false, true]]);
    assert.equal(m.transpose(0, 1).dtype, "bool");
  });
});
