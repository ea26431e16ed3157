// softmax / logSoftmax: hand-computed values, stability at ±1000, any dim, gradcheck, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutogradError, DTypeError, IndexError, gradcheck, logSoftmax, manualSeed, randn, softmax, tensor } from "../../../src/index.js";

const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `[${i}] ${got[i]} vs ${want[i]}`);
};
const f64 = { dtype: "float64" as const };

describe("softmax forward", () => {
  it("softmax([1,2,3]) = e^i / (e + e^2 + e^3)", () => {
    const s = Math.E + Math.E ** 2 + Math.E ** 3;
    close(softmax(tensor([1, 2, 3], f64)).data, [Math.E / s, Math.E ** 2 / s, Math.E ** 3 / s]);
    close(softmax(tensor([1, 2, 3], f64)).data, [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]);
  });

  it("logSoftmax([1,2,3]) = x - log(sum e^x)", () => {
    const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    close(logSoftmax(tensor([1, 2, 3], f64)).data, [1 - lse, 2 - lse, 3 - lse]);
  });

  it("is stable for inputs like 1000 and -1000", () => {
    const y = softmax(tensor([1000, -1000, 0], f64));
    close(y.data, [1, 0, 0]);
    const z = logSoftmax(tensor([1000, 0], f64));
    close(z.data, [0, -1000]);
    const w = softmax(tensor([1000, 1000], { dtype: "float32" }));
    close(w.data, [0.5, 0.5]);
    const l = logSoftmax(tensor([-1000, -1000], f64));
    close(l.data, [-Math.LN2, -Math.LN2]);
  });

  it("works along dim 0 and negative dims, and keeps float32", () => {
    const x = tensor([[1, 2, 3], [3, 2, 1]], f64);
    const y = softmax(x, 0);
    const a = 1 / (1 + Math.exp(2));
    close(y.data, [a, 0.5, 1 - a, 1 - a, 0.5, a]);
    close(softmax(x, -2).data, y.data as unknown as number[]);
    const x3 = randn([2, 3, 4], f64);
    const y1 = softmax(x3, 1);
    // Each (i, :, k) column sums to 1.
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += y1.data[i * 12 + j * 4 + k]!;
      assert.ok(Math.abs(s - 1) < 1e-12);
    }
    assert.equal(softmax(tensor([1, 2])).dtype, "float32");
  });

  it("method forms match the functions", () => {
    const x = randn([3, 4], f64);
    assert.deepEqual(x.softmax(0).toArray(), softmax(x, 0).toArray());
    assert.deepEqual(x.logSoftmax().toArray(), logSoftmax(x, -1).toArray());
  });

  it("0-d input gives 1 (softmax) and 0 (logSoftmax); an all -inf row gives NaN like PyTorch", () => {
    assert.equal(softmax(tensor(5, f64)).item(), 1);
    assert.equal(logSoftmax(tensor(5, f64)).item(), 0);
    assert.ok(softmax(tensor([-Infinity, -Infinity], f64)).data.every(Number.isNaN));
  });

  it("softmax gradient of sum(y * c) matches y * (c - sum(y c))", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const c = [0.5, -1, 2];
    const y = softmax(x);
    y.mul(tensor(c, f64)).sum().backward();
    const yv = Array.from(y.data);
    const dot = yv[0]! * c[0]! + yv[1]! * c[1]! + yv[2]! * c[2]!;
    close(x.grad!.data, yv.map((v, i) => v * (c[i]! - dot)));
  });
});

describe("softmax gradcheck (float64)", () => {
  const cases: [number[], number][] = [[[5], -1], [[3, 4], -1], [[3, 4], 0], [[2, 3, 4], 1], [[1, 3, 1], 0], [[1, 3, 1], 2], [[2, 1, 3], 1], [[1], 0]];
  for (const [shape, dim] of cases) {
    it(`softmax and logSoftmax, shape [${shape}] dim ${dim}`, () => {
      manualSeed(shape.length * 10 + dim);
      const x = randn(shape, { dtype: "float64", requiresGrad: true });
      assert.ok(gradcheck((t) => softmax(t, dim), [x]));
      assert.ok(gradcheck((t) => logSoftmax(t, dim), [x]));
    });
  }
});

describe("softmax saved tensors", () => {
  it("the backward reads the output (also along a non-last dim), not the input", () => {
    for (const dim of [-1, 0]) {
      const x = randn([3, 4], { dtype: "float64", requiresGrad: true });
      const y = softmax(x, dim);
      x.markModified();
      y.mul(y).sum().backward(); // fine: x is not read
      assert.ok(x.grad!.data.every(Number.isFinite));
      const z = logSoftmax(x, dim);
      z.markModified();
      assert.throws(() => z.sum().backward(), AutogradError);
    }
  });
});

describe("softmax errors", () => {
  it("rejects int32 input with DTypeError naming the op and dtype", () => {
    assert.throws(() => softmax(tensor([1, 2], { dtype: "int32" })), (e: Error) => e instanceof DTypeError && /softmax/.test(e.message) && /int32/.test(e.message));
    assert.throws(() => logSoftmax(tensor([1, 2], { dtype: "int32" })), (e: Error) => e instanceof DTypeError && /logSoftmax/.test(e.message));
  });
  it("rejects an out-of-range dim with IndexError", () => {
    assert.throws(() => softmax(tensor([[1, 2]]), 2), (e: Error) => e instanceof IndexError && /softmax/.test(e.message) && /dimension 2/.test(e.message));
    assert.throws(() => logSoftmax(tensor([[1, 2]]), -3), IndexError);
  });
});
