// Breadth ops beyond the PyTorch fixture: dtype rules, Tensor methods and modules, result
// shapes of pairs (values/indices), and a few hand-checked values.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as d from "../../../src/index.js";
import { nn, randn, tensor } from "../../../src/index.js";

const F = nn.functional;
const arr = (t: d.Tensor): number[] => Array.from(t.data as ArrayLike<number>);

describe("breadth ops: dtypes and values", () => {
  it("rounding keeps int32, the transcendental ops give float32 for int32", () => {
    const i = tensor([-3, 0, 2], { dtype: "int32" });
    for (const op of [d.floor, d.ceil, d.trunc, d.round]) assert.equal(op(i).dtype, "int32");
    for (const op of [d.tan, d.log2, d.exp2, d.atan]) assert.equal(op(i).dtype, "float32");
    assert.equal(d.atan2(i, i).dtype, "float32");
    assert.deepEqual(arr(d.copysign(i, -1)), [-3, -0, -2]);
    assert.equal(d.copysign(i, -1).dtype, "float32");
  });

  it("round: half to even, decimals", () => {
    assert.deepEqual(arr(d.round(tensor([0.5, 1.5, 2.5, -0.5, -2.5], { dtype: "float64" }))), [0, 2, 2, -0, -2]);
    assert.ok(Object.is(d.round(tensor([-0.4], { dtype: "float64" })).data[0], -0));
    assert.deepEqual(arr(d.round(tensor([1.2345, 0.125], { dtype: "float64" }), { decimals: 2 })), [1.23, 0.12]);
    assert.deepEqual(arr(d.round(tensor([1250, 1350], { dtype: "float64" }), { decimals: -2 })), [1200, 1400]);
  });

  it("sign(NaN) and sign(-0) are +0 in every float dtype, as in PyTorch (the float64 case is in the fixture)", () => {
    for (const dtype of ["float32", "float64", "float16", "bfloat16"] as const) {
      const s = d.sign(tensor([Number.NaN, -0, 0, -Infinity, 2], { dtype })).to("float64");
      assert.deepEqual(arr(s), [0, 0, 0, -1, 1], dtype);
      assert.ok(Object.is(s.data[1], 0), `${dtype}: sign(-0) is +0`);
    }
  });

  it("int32 fmod / remainder / floorDivide follow the sign rules", () => {
    const a = tensor([-7, 7, -7, 7], { dtype: "int32" }), b = tensor([2, -2, -2, 2], { dtype: "int32" });
    assert.deepEqual(arr(d.fmod(a, b)), [-1, 1, -1, 1]);
    assert.deepEqual(arr(d.remainder(a, b)), [1, -1, -1, 1]);
    assert.deepEqual(arr(d.floorDivide(a, b)), [-4, -4, 3, 3]);
    assert.equal(d.remainder(a, b).dtype, "int32");
  });

  it("masks are bool", () => {
    const x = tensor([1, Number.NaN, Infinity, 0], { dtype: "float64" });
    for (const m of [d.isnan(x), d.isinf(x), d.isfinite(x), d.any(x), d.all(x), d.isclose(x, x)]) assert.equal(m.dtype, "bool");
    assert.deepEqual(arr(d.isnan(x)), [0, 1, 0, 0]);
    assert.deepEqual(arr(d.isclose(x, x, 1e-5, 1e-8, true)), [1, 1, 1, 1]);
    assert.equal(d.allclose(x, x), false);
    assert.equal(d.allclose(x, x, 1e-5, 1e-8, true), true);
    assert.deepEqual(arr(d.maskedSelect(tensor([1, 2, 3]), d.gt(tensor([1, 2, 3]), 1))), [2, 3]);
  });

  it("hardtanh and relu6 clamp int32 without a gradient; the other activations need floats", () => {
    const i = tensor([-3, 2, 9], { dtype: "int32" });
    assert.deepEqual(arr(F.relu6(i)), [0, 2, 6]);
    assert.equal(F.hardtanh(i).dtype, "int32");
  });

  it("hardtanh's gradient is 0 at the edges (unlike clamp)", () => {
    const x = tensor([-1, 0, 1], { dtype: "float64", requiresGrad: true });
    F.hardtanh(x).sum().backward();
    assert.deepEqual(arr(x.grad!), [0, 1, 0]);
  });

  it("sort/topk/cummax return [values, indices] with .values/.indices", () => {
    const x = tensor([[3, 1, 2]], { dtype: "float64" });
    const [v, i] = d.sort(x);
    assert.deepEqual(arr(v), [1, 2, 3]);
    assert.deepEqual(arr(i), [1, 2, 0]);
    assert.equal(d.sort(x).indices.dtype, "int32");
    const top = x.topk(2);
    assert.deepEqual(arr(top.values), [3, 2]);
    assert.deepEqual(arr(top.indices), [0, 2]);
    assert.deepEqual([...top.values.shape], [1, 2]);
    assert.deepEqual(arr(x.cummax(1).indices), [0, 0, 0]);
    assert.deepEqual(arr(x.argsort(1, true)), [0, 2, 1]);
  });

  it("cumsum/cumprod keep int32 and count bools in int32", () => {
    assert.deepEqual(arr(d.cumsum(tensor([1, 2, 3], { dtype: "int32" }), 0)), [1, 3, 6]);
    const c = d.cumsum(tensor([true, false, true]), 0);
    assert.equal(c.dtype, "int32");
    assert.deepEqual(arr(c), [1, 1, 2]);
    assert.deepEqual(arr(d.cumprod(tensor([2, 3, 4], { dtype: "int32" }), 0)), [2, 6, 24]);
  });

  it("nonzero, any/all over dims, oneHot, einsum on int32", () => {
    assert.deepEqual(d.nonzero(tensor([[0, 1], [2, 0]])).toArray(), [[0, 1], [1, 0]]);
    assert.deepEqual(d.nonzero(tensor(3)).shape, [1, 0]);
    assert.deepEqual(arr(d.any(tensor([[0, 1], [0, 0]]), 1)), [1, 0]);
    assert.deepEqual(arr(d.all(tensor([], { dtype: "float32" }))), [1]);
    assert.deepEqual(F.oneHot(tensor([0, 2], { dtype: "int32" })).toArray(), [[1, 0, 0], [0, 0, 1]]);
    const e = d.einsum("ij,jk->ik", tensor([[1, 2]], { dtype: "int32" }), tensor([[3], [4]], { dtype: "int32" }));
    assert.equal(e.dtype, "int32");
    assert.deepEqual(e.toArray(), [[11]]);
  });

  it("Tensor methods exist for the PyTorch methods", () => {
    const x = randn([2, 3], { dtype: "float64" });
    assert.deepEqual(arr(x.flip(1)), arr(d.flip(x, 1)));
    assert.deepEqual(arr(x.roll(1, 1)), arr(d.roll(x, 1, 1)));
    assert.deepEqual(arr(x.tril()), arr(d.tril(x)));
    assert.deepEqual(arr(x.fmod(0.3)), arr(d.fmod(x, 0.3)));
    assert.deepEqual(arr(x.leakyRelu(0.1)), arr(F.leakyRelu(x, 0.1)));
    assert.deepEqual(arr(x.repeatInterleave(2, 0)), arr(d.repeatInterleave(x, 2, 0)));
    assert.deepEqual(arr(x.cumsum(1)), arr(d.cumsum(x, 1)));
    assert.deepEqual(x.unflatten(1, [3, 1]).shape, [2, 3, 1]);
    assert.equal(typeof x.isclose, "function");
  });

  it("activation modules match their functions", () => {
    const x = randn([4], { dtype: "float64" });
    const pairs: [nn.Module & { forward(t: d.Tensor): d.Tensor }, d.Tensor][] = [
      [new nn.SiLU(), F.silu(x)], [new nn.Softplus(2, 5), F.softplus(x, 2, 5)], [new nn.ELU(0.5), F.elu(x, 0.5)],
      [new nn.SELU(), F.selu(x)], [new nn.CELU(2), F.celu(x, 2)], [new nn.Mish(), F.mish(x)],
      [new nn.Hardswish(), F.hardswish(x)], [new nn.Hardsigmoid(), F.hardsigmoid(x)], [new nn.ReLU6(), F.relu6(x)],
      [new nn.Hardtanh(-0.5, 0.5), F.hardtanh(x, -0.5, 0.5)], [new nn.LogSigmoid(), F.logsigmoid(x)],
      [new nn.Softsign(), F.softsign(x)], [new nn.Softmin(0), F.softmin(x, 0)], [new nn.LeakyReLU(0.2), F.leakyRelu(x, 0.2)],
    ];
    for (const [m, want] of pairs) assert.deepEqual(arr(m.forward(x)), arr(want), m.constructor.name);
    assert.match(new nn.Softplus(2, 5).toString(), /beta=2, threshold=5/);
  });

  it("float32 inputs stay float32", () => {
    const x = randn([3]);
    for (const t of [F.silu(x), d.tan(x), d.cumsum(x, 0), d.sort(x).values, F.pad(x, [1, 1], "reflect"), d.einsum("i,i->", x, x)]) {
      assert.equal(t.dtype, "float32");
    }
  });
});
