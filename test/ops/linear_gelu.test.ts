// linearGelu: PyTorch parity (float64, 1e-10), gradchecks, bit-identity with gelu(linear) and
// across thread counts, the fused path in nn.MLP and the GPT MLP, and bad input.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  DTypeError, ShapeError, Tensor, ValueError, amp, gelu, gradcheck, linear, linearGelu, manualSeed, nn, randn, tensor,
} from "../../src/index.js";
import { backendInfo, getNumThreads, setNumThreads } from "../../src/backend/index.js";

interface Case {
  name: string; approximate: "none" | "tanh"; x: number[]; xShape: number[]; weight: number[]; weightShape: number[];
  bias: number[] | null; gy: number[]; y: number[]; yShape: number[]; gx: number[]; gw: number[]; gb: number[] | null;
}
const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_linear_gelu_reference.json", import.meta.url), "utf8")) as { cases: Case[] };
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

describe("linearGelu", () => {
  for (const c of fx.cases) {
    it(`matches PyTorch gelu(linear) in float64: ${c.name}`, () => {
      const x = tensor(c.x, { ...f64, shape: c.xShape });
      const w = tensor(c.weight, { ...f64, shape: c.weightShape });
      const b = c.bias ? tensor(c.bias, f64) : null;
      const y = linearGelu(x, w, b, { approximate: c.approximate });
      assert.deepEqual(y.shape, c.yShape);
      close(y.data, c.y, "y");
      y.backward(tensor(c.gy, { dtype: "float64", shape: c.yShape }));
      close(x.grad!.data, c.gx, "gx");
      close(w.grad!.data, c.gw, "gw");
      if (b) close(b.grad!.data, c.gb!, "gb");
    });
  }

  it("gradchecks with and without bias, both approximations", () => {
    manualSeed(3);
    for (const approximate of ["none", "tanh"] as const) {
      gradcheck((x, w, b) => linearGelu(x!, w!, b!, { approximate }), [randn([2, 3, 4], f64), randn([5, 4], f64), randn([5], f64)]);
      gradcheck((x, w) => linearGelu(x!, w!, null, { approximate }), [randn([3, 4], f64), randn([6, 4], f64)]);
    }
  });

  // The fused op keeps GELU's derivative (in the pre-activation's dtype) for its backward. Native
  // float32 forms it in float32 exactly as the unfused backward does; the TS reference computes
  // in float64 and so rounds the kept float32 derivative once more than its unfused path.
  const roundsDerivative = backendInfo().backend === "ts";
  it("equals gelu(linear(x, W, b)): values bit for bit, gradients too natively and in float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      manualSeed(5);
      const x = randn([37, 129], { dtype, requiresGrad: true }), w = randn([70, 129], { dtype, requiresGrad: true });
      const b = randn([70], { dtype, requiresGrad: true }), g = randn([37, 70], { dtype });
      const y1 = linearGelu(x, w, b);
      y1.backward(g);
      const grads1 = [x.grad!, w.grad!, b.grad!];
      x.grad = null; w.grad = null; b.grad = null;
      const y2 = gelu(linear(x, w, b));
      y2.backward(g);
      same(y1.data, y2.data, `${dtype} y`);
      [x.grad!, w.grad!, b.grad!].forEach((t, i) => {
        if (dtype === "float64" || !roundsDerivative) same(grads1[i]!.data, t.data, `${dtype} grad ${i}`);
        else for (let j = 0; j < t.numel; j++) {
          const a = grads1[i]!.data[j]!, e = t.data[j]!;
          assert.ok(Math.abs(a - e) <= 1e-5 * (1 + Math.abs(e)), `${dtype} grad ${i}[${j}]: ${a} vs ${e}`);
        }
      });
    }
  });

  it("gives bit-identical results on 1 and 2 threads", () => {
    const prev = getNumThreads();
    const run = (): Tensor[] => {
      manualSeed(9);
      const x = randn([256, 128], { requiresGrad: true }), w = randn([512, 128], { requiresGrad: true }), b = randn([512], { requiresGrad: true });
      const y = linearGelu(x, w, b);
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

  it("nn.MLP with GELU runs Linear + GELU fused, with the composed values", () => {
    manualSeed(11);
    const mlp = new nn.MLP([8, 16, 4], { activation: "gelu", dtype: "float64" });
    const x = randn([3, 8], { dtype: "float64" });
    const l0 = mlp.at(0) as nn.Linear, l2 = mlp.at(2) as nn.Linear;
    same(mlp.forward(x).data, linear(gelu(linear(x, l0.weight, l0.bias)), l2.weight, l2.bias).data, "MLP");
  });

  it("under autocast it rounds the pre-activation like the composed ops", () => {
    manualSeed(13);
    const x = randn([4, 8]), w = randn([6, 8]), b = randn([6]);
    const [y1, y2] = amp.autocast({ dtype: "bfloat16" }, () => [linearGelu(x, w, b), gelu(linear(x, w, b))]);
    assert.equal(y1!.dtype, y2!.dtype);
    same(y1!.data, y2!.data, "autocast");
  });

  it("rejects bad input with typed errors naming linearGelu", () => {
    const x = randn([2, 3]), w = randn([4, 3]);
    assert.throws(() => linearGelu(x, randn([4, 5])), (e: unknown) => e instanceof ShapeError && /^linearGelu: input \[2,3\]/.test((e as Error).message));
    assert.throws(() => linearGelu(x, w, randn([3])), (e: unknown) => e instanceof ShapeError && /linearGelu: bias must have shape \[4\]/.test((e as Error).message));
    assert.throws(() => linearGelu(x, w, null, { approximate: "fast" as never }), ValueError);
    assert.throws(() => linearGelu(tensor([[1, 2, 3]], { dtype: "int32" }), w), DTypeError);
  });
});
