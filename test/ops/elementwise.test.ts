// Elementwise ops, where/maskedFill, clamp, casts: values, gradchecks (float64), errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as d from "../../src/index.js";
import { DTypeError, ShapeError, Tensor, gradcheck, manualSeed, rand, randn, tensor } from "../../src/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };
const SHAPES: [number[], number[]][] = [
  [[3], [3]],
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[4, 1], [1, 5]],
  [[1], [2, 2]],
  [[2, 1, 3], [4, 1]],
  [[], [2, 3]],
];

describe("binary ops", () => {
  for (const name of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
    it(`${name}: gradcheck over broadcast shapes`, () => {
      manualSeed(1);
      for (const [sa, sb] of SHAPES) {
        const a = randn(sa, f64);
        // keep |b| away from 0 for div and away from a for maximum/minimum ties
        const b = name === "div" ? rand(sb, { dtype: "float64" }).add(0.5).detach().requiresGrad_() : randn(sb, f64).add(0.01).detach().requiresGrad_();
        gradcheck((x, y) => d[name](x!, y!), [a, b]);
      }
    });
  }

  it("pow: gradcheck for base and exponent, including number exponents", () => {
    manualSeed(2);
    const a = rand([2, 3], { dtype: "float64" }).add(0.5).detach().requiresGrad_();
    const b = randn([3], f64);
    gradcheck((x, y) => d.pow(x!, y!), [a, b]);
    gradcheck((x) => x!.pow(3), [randn([4], f64)]);
    gradcheck((x) => x!.pow(0.5), [a]);
  });

  it("number operands on either side", () => {
    const x = tensor([1, 2, 4], { dtype: "float64" });
    assert.deepEqual([...d.sub(10, x).data], [9, 8, 6]);
    assert.deepEqual([...d.div(8, x).data], [8, 4, 2]);
    assert.deepEqual([...x.add(1.5).data], [2.5, 3.5, 5.5]);
    assert.deepEqual([...x.pow(2).data], [1, 4, 16]);
  });

  it("dtype promotion: int32 op float -> float, int32 / int32 -> float32", () => {
    const i = tensor([1, 2, 3], { dtype: "int32" });
    assert.equal(i.add(1).dtype, "int32");
    assert.equal(i.add(0.5).dtype, "float32");
    assert.deepEqual([...i.div(tensor([2, 2, 2], { dtype: "int32" })).data], [0.5, 1, 1.5]);
    assert.equal(i.mul(tensor([1], { dtype: "float64" })).dtype, "float64");
  });

  it("maximum/minimum split the gradient evenly on ties", () => {
    const a = tensor([1, 2, 3], f64);
    const b = tensor([1, 5, 0], f64);
    d.maximum(a, b).sum().backward();
    assert.deepEqual([...a.grad!.data], [0.5, 0, 1]);
    assert.deepEqual([...b.grad!.data], [0.5, 1, 0]);
  });

  it("maximum propagates NaN", () => {
    assert.ok(Number.isNaN(d.maximum(tensor([NaN]), tensor([1])).item()));
  });

  it("comparisons return bool masks, like PyTorch", () => {
    const x = tensor([1, 2, 3]);
    const m = x.gt(1.5);
    assert.equal(m.dtype, "bool");
    assert.deepEqual([...m.data], [0, 1, 1]);
    assert.deepEqual([...x.eq(2).data], [0, 1, 0]);
    assert.deepEqual([...x.le(2).data], [1, 1, 0]);
  });

  it("incompatible broadcast throws ShapeError naming the op and shapes", () => {
    assert.throws(() => d.add(tensor([[1, 2, 3]]), tensor([[1, 2]])), (e: unknown) =>
      e instanceof ShapeError && /^add: cannot broadcast shapes \[1,3\] and \[1,2\]/.test((e as Error).message));
  });
});

describe("unary ops", () => {
  const ops = ["neg", "exp", "tanh", "sigmoid", "relu", "gelu", "sin", "cos", "erf", "abs", "square", "expm1"] as const;
  for (const name of ops) {
    it(`${name}: gradcheck`, () => {
      manualSeed(3);
      for (const s of [[5], [2, 3], [1, 4, 1]]) {
        // shift away from 0 where the function has a kink
        const x = randn(s, { dtype: "float64" }).add(name === "relu" || name === "abs" ? 0.05 : 0).detach().requiresGrad_();
        gradcheck((t) => (d[name] as (t: Tensor) => Tensor)(t!), [x]);
      }
    });
  }
  for (const name of ["log", "sqrt", "rsqrt", "reciprocal", "log1p"] as const) {
    it(`${name}: gradcheck on positive inputs`, () => {
      const x = rand([2, 3], { dtype: "float64" }).add(0.2).detach().requiresGrad_();
      gradcheck((t) => d[name](t!), [x]);
    });
  }

  it("gelu approximate tanh: values and gradcheck", () => {
    const x = tensor([-1, 0, 1, 2], f64);
    const y = x.gelu({ approximate: "tanh" });
    const c = Math.sqrt(2 / Math.PI);
    const ref = (v: number) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)));
    [-1, 0, 1, 2].forEach((v, i) => assert.ok(Math.abs(y.data[i]! - ref(v)) < 1e-15));
    gradcheck((t) => t!.gelu({ approximate: "tanh" }), [randn([6], f64)]);
  });

  it("gelu exact matches x*Phi(x) to float64 precision", () => {
    // Phi(1) = 0.8413447460685429, Phi(-2) = 0.022750131948179195 (standard normal CDF)
    const y = tensor([1, -2], { dtype: "float64" }).gelu();
    assert.ok(Math.abs(y.data[0]! - 0.8413447460685429) < 1e-15);
    assert.ok(Math.abs(y.data[1]! - -2 * 0.022750131948179195) < 1e-15);
  });

  it("erf is accurate across its range", () => {
    const xs = [0.1, 0.5, 1, 2, 2.9, 3, 3.5, 5, -1.3];
    const ref = [0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999589021219005,
      0.9999779095030014, 0.9999992569016276, 0.9999999999984626, -0.9340079449406524];
    const y = tensor(xs, { dtype: "float64" }).erf();
    xs.forEach((_, i) => assert.ok(Math.abs(y.data[i]! - ref[i]!) <= 1e-15, `erf(${xs[i]})`)); // a few ulps
  });

  it("sigmoid is stable for large |x|", () => {
    const y = tensor([-800, 800], { dtype: "float64" }).sigmoid();
    assert.deepEqual([...y.data], [0, 1]);
  });

  it("log of a negative number gives NaN (not hidden)", () => {
    assert.ok(Number.isNaN(tensor([-1]).log().item()));
  });

  it("clamp: values and gradient mask", () => {
    const x = tensor([-2, -0.5, 0.5, 2], f64);
    const y = x.clamp(-1, 1);
    assert.deepEqual([...y.data], [-1, -0.5, 0.5, 1]);
    y.sum().backward();
    assert.deepEqual([...x.grad!.data], [0, 1, 1, 0]);
    assert.deepEqual([...tensor([-2, 2]).clamp(0).data], [0, 2]);
    assert.deepEqual([...tensor([-2, 2]).clamp(null, 0).data], [-2, 0]);
    gradcheck((t) => t!.clamp(-0.5, 0.7), [tensor([-1.1, -0.3, 0.2, 0.9], f64)]);
  });
});

describe("where and maskedFill", () => {
  it("where: values and gradcheck with broadcasting", () => {
    const cond = tensor([[1, 0, 1]], { dtype: "int32" });
    const a = randn([2, 3], f64);
    const b = randn([3], f64);
    const y = d.where(cond, a, b);
    assert.equal(y.data[1], b.data[1]);
    assert.equal(y.data[0], a.data[0]);
    gradcheck((x, z) => d.where(cond, x!, z!), [a, b]);
  });

  it("maskedFill: values, gradient zero where filled", () => {
    const x = tensor([[1, 2], [3, 4]], f64);
    const mask = tensor([0, 1], { dtype: "int32" });
    const y = x.maskedFill(mask, -Infinity);
    assert.deepEqual([...y.data], [1, -Infinity, 3, -Infinity]);
    x.maskedFill(mask, 0).sum().backward();
    assert.deepEqual([...x.grad!.data], [1, 0, 1, 0]);
    assert.throws(() => x.maskedFill(tensor([1, 0, 1], { dtype: "int32" }), 0), ShapeError);
  });
});

describe("casts", () => {
  it("to(): float round trip keeps gradients; int32 truncates", () => {
    const x = tensor([1.5, -2.5], f64);
    const y = x.to("float32");
    assert.equal(y.dtype, "float32");
    y.mul(2).sum().backward();
    assert.equal(x.grad!.dtype, "float64");
    assert.deepEqual([...x.grad!.data], [2, 2]);
    assert.deepEqual([...tensor([1.7, -1.7]).to("int32").data], [1, -1]);
    assert.throws(() => x.to("float8" as never), DTypeError);
  });
});

describe("pow edge cases", () => {
  it("x ** 0 has zero gradient even at x = 0", () => {
    const x = tensor([0, 2], { dtype: "float64", requiresGrad: true });
    x.pow(0).sum().backward();
    assert.deepEqual([...x.grad!.data], [0, 0]);
  });
});

describe("leakyRelu", () => {
  it("values and gradcheck", () => {
    const x = tensor([-2, 3], { dtype: "float64", requiresGrad: true });
    assert.deepEqual([...d.leakyRelu(x, 0.1).data], [-0.2, 3]);
    gradcheck((t) => d.leakyRelu(t!, 0.2), [tensor([-1.5, -0.2, 0.3, 2], { dtype: "float64", requiresGrad: true })]);
  });
});
