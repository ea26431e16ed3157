// linearRelu: PyTorch parity (float64, 1e-10), gradchecks, bit-identity with relu(linear) and
// across thread counts, the fused path in nn.MLP, autocast, and bad input.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  DTypeError, ShapeError, type Tensor, amp, gradcheck, linear, linearRelu, manualSeed, nn, randn, relu, tensor,
} from "../../src/index.js";
import { getNumThreads, setNumThreads } from "../../src/backend/index.js";

interface Case {
  name: string; x: number[]; xShape: number[]; weight: number[]; weightShape: number[];
  bias: number[] | null; gy: number[]; y: number[]; yShape: number[]; gx: number[]; gw: number[]; gb: number[] | null;
}
const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_linear_relu_reference.json", import.meta.url), "utf8")) as { cases: Case[] };
const f64 = { dtype: "float64" as const, requiresGrad: true };

function close(got: ArrayLike<number>, want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-10 * (1 + Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} !== ${b[i]}`);
}

describe("linearRelu", () => {
  for (const c of fx.cases) {
    it(`matches PyTorch relu(linear) in float64: ${c.name}`, () => {
      const x = tensor(c.x, { ...f64, shape: c.xShape });
      const w = tensor(c.weight, { ...f64, shape: c.weightShape });
      const b = c.bias ? tensor(c.bias, f64) : null;
      const y = linearRelu(x, w, b);
      assert.deepEqual(y.shape, c.yShape);
      close(y.data, c.y, "y");
      assert.ok(c.y.some((v) => v === 0) && c.y.some((v) => v > 0), "the case has both sides of the kink");
      y.backward(tensor(c.gy, { dtype: "float64", shape: c.yShape }));
      close(x.grad!.data, c.gx, "gx");
      close(w.grad!.data, c.gw, "gw");
      if (b) close(b.grad!.data, c.gb!, "gb");
    });
  }

  it("gradchecks with and without bias", () => {
    manualSeed(3);
    gradcheck((x, w, b) => linearRelu(x!, w!, b!), [randn([2, 3, 4], f64), randn([5, 4], f64), randn([5], f64)]);
    gradcheck((x, w) => linearRelu(x!, w!), [randn([3, 4], f64), randn([6, 4], f64)]);
  });

  it("equals relu(linear(x, W, b)) bit for bit: values and gradients, float32 and float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      manualSeed(5);
      const x = randn([37, 129], { dtype, requiresGrad: true }), w = randn([70, 129], { dtype, requiresGrad: true });
      const b = randn([70], { dtype, requiresGrad: true }), g = randn([37, 70], { dtype });
      const y1 = linearRelu(x, w, b);
      y1.backward(g);
      const grads1 = [x.grad!, w.grad!, b.grad!];
      x.grad = null; w.grad = null; b.grad = null;
      const y2 = relu(linear(x, w, b));
      y2.backward(g);
      same(y1.data, y2.data, `${dtype} y`);
      [x.grad!, w.grad!, b.grad!].forEach((t, i) => same(grads1[i]!.data, t.data, `${dtype} grad ${i}`));
    }
  });

  it("gives bit-identical results on 1 and 2 threads", () => {
    const prev = getNumThreads();
    const run = (): Tensor[] => {
      manualSeed(9);
      const x = randn([256, 128], { requiresGrad: true }), w = randn([512, 128], { requiresGrad: true }), b = randn([512], { requiresGrad: true });
      const y = linearRelu(x, w, b);
      y.backward(randn([256, 512]));
      return [y, x.grad!, w.grad!, b.grad!];
    };
    try {
      setNumThreads(1);
      const one = run();
      setNumThreads(2);
      run().forEach((t, i) => same(t.data, one[i]!.data, `output ${i}`));
    } finally {
      setNumThreads(prev);
    }
  });

  it("nn.MLP (ReLU by default) runs Linear + ReLU fused, with the composed values and gradients", () => {
    manualSeed(11);
    const mlp = new nn.MLP([8, 16, 12, 4], { dtype: "float64" });
    const x = randn([3, 8], { dtype: "float64" });
    const [l0, l2, l4] = [mlp.at(0), mlp.at(2), mlp.at(4)] as nn.Linear[];
    const y = mlp.forward(x);
    assert.equal(y.gradFn!.name, "linear", "the last Linear has no activation to fuse");
    const composed = linear(relu(linear(relu(linear(x, l0!.weight, l0!.bias)), l2!.weight, l2!.bias)), l4!.weight, l4!.bias);
    same(y.data, composed.data, "MLP");
    y.sum().backward();
    const fused = [...mlp.parameters()].map((p) => Float64Array.from(p.grad!.data));
    mlp.zeroGrad();
    composed.sum().backward();
    [...mlp.parameters()].forEach((p, i) => same(fused[i]!, p.grad!.data, `grad ${i}`));
  });

  it("under autocast it rounds the pre-activation like the composed ops", () => {
    manualSeed(13);
    const x = randn([4, 8]), w = randn([6, 8]), b = randn([6]);
    const [y1, y2] = amp.autocast({ dtype: "bfloat16" }, () => [linearRelu(x, w, b), relu(linear(x, w, b))]);
    assert.equal(y1!.dtype, y2!.dtype);
    same(y1!.data, y2!.data, "autocast");
  });

  it("rejects bad input with typed errors naming linearRelu", () => {
    const x = randn([2, 3]), w = randn([4, 3]);
    assert.throws(() => linearRelu(x, randn([4, 5])), (e: unknown) => e instanceof ShapeError && /^linearRelu: input \[2,3\]/.test((e as Error).message));
    assert.throws(() => linearRelu(x, w, randn([3])), (e: unknown) => e instanceof ShapeError && /linearRelu: bias must have shape \[4\]/.test((e as Error).message));
    assert.throws(() => linearRelu(tensor([[1, 2, 3]], { dtype: "int32" }), w), DTypeError);
  });
});
