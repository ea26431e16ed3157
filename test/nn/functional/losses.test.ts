// mseLoss, l1Loss, binaryCrossEntropy(WithLogits): hand values, stability, gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, ShapeError, ValueError, gradcheck, manualSeed, rand, randn, tensor } from "../../../src/index.js";
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, l1Loss, mseLoss } from "../../../src/nn/functional/index.js";
import { close, f64, g64, near } from "./helpers.js";

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const REDUCTIONS = ["mean", "sum", "none"] as const;

describe("mseLoss and l1Loss", () => {
  it("hand values for each reduction and gradients", () => {
    const x = tensor([1, 2, 3], g64);
    const t = tensor([1, 0, 0], f64);
    near(mseLoss(x, t).item(), 13 / 3);
    near(mseLoss(x, t, { reduction: "sum" }).item(), 13);
    close(mseLoss(x, t, { reduction: "none" }).data, [0, 4, 9]);
    near(l1Loss(x, t).item(), 5 / 3);
    close(l1Loss(x, t, { reduction: "none" }).data, [0, 2, 3]);
    mseLoss(x, t).backward();
    close(x.grad!.data, [0, 4 / 3, 2]);
    x.grad = null;
    l1Loss(x, t, { reduction: "sum" }).backward();
    close(x.grad!.data, [0, 1, 1]);
  });

  it("gradcheck for input and target, several shapes and reductions", () => {
    manualSeed(2);
    for (const shape of [[3], [2, 3], [1, 4, 1]]) {
      const x = randn(shape, g64);
      const t = randn(shape, g64);
      for (const reduction of REDUCTIONS) {
        assert.ok(gradcheck((a, b) => mseLoss(a!, b!, { reduction }), [x, t]));
        assert.ok(gradcheck((a, b) => l1Loss(a!, b!, { reduction }), [x, t]));
      }
    }
  });

  it("errors", () => {
    assert.throws(() => mseLoss(randn([2, 3]), randn([4])), (e: Error) => e instanceof ShapeError && /mseLoss/.test(e.message) && /\[4\]/.test(e.message) && /\[2,3\]/.test(e.message));
    assert.throws(() => l1Loss(tensor([1], { dtype: "int32" }), randn([1])), (e: Error) => e instanceof DTypeError && /l1Loss/.test(e.message));
    assert.throws(() => mseLoss(randn([2]), randn([2]), { reduction: "max" as "mean" }), (e: Error) => e instanceof ValueError && /mseLoss/.test(e.message) && /max/.test(e.message));
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  it("hand values: softplus(-x) + (1 - t) x", () => {
    const x = tensor([0, 2, -3], f64);
    const t = tensor([1, 0, 0.5], f64);
    const want = [Math.LN2, Math.log(1 + Math.exp(-2)) + 2, Math.log(1 + Math.exp(3)) - 1.5];
    close(binaryCrossEntropyWithLogits(x, t, { reduction: "none" }).data, want);
    near(binaryCrossEntropyWithLogits(x, t).item(), (want[0]! + want[1]! + want[2]!) / 3);
    near(binaryCrossEntropyWithLogits(x, t, { reduction: "sum" }).item(), want[0]! + want[1]! + want[2]!);
  });

  it("is stable at |x| = 1000", () => {
    close(binaryCrossEntropyWithLogits(tensor([1000, -1000, 1000, -1000], f64), tensor([0, 1, 1, 0], f64), { reduction: "none" }).data, [1000, 1000, 0, 0]);
    const x = tensor([1000, -1000], { dtype: "float32", requiresGrad: true });
    binaryCrossEntropyWithLogits(x, tensor([0, 1]), { reduction: "sum" }).backward();
    close(x.grad!.data, [1, -1]);
  });

  it("posWeight and weight: -[p t log σ(x) + (1 - t) log(1 - σ(x))] * w", () => {
    const xs = [0.3, -1.2, 2];
    const ts = [1, 0.25, 0];
    const p = 3;
    const w = [2, 1, 0.5];
    const want = xs.map((x, i) => -(p * ts[i]! * Math.log(sig(x)) + (1 - ts[i]!) * Math.log(1 - sig(x))) * w[i]!);
    close(binaryCrossEntropyWithLogits(tensor(xs, f64), tensor(ts, f64), { posWeight: tensor([p], f64), weight: tensor(w, f64), reduction: "none" }).data, want, 1e-12);
  });

  it("gradient at x = 0 is sigmoid(0) - t exactly (no kink from |x|)", () => {
    const x = tensor([0, 0, 0], g64);
    binaryCrossEntropyWithLogits(x, tensor([0, 1, 0.3], f64), { reduction: "sum" }).backward();
    close(x.grad!.data, [0.5, -0.5, 0.2], 1e-15);
  });

  it("gradcheck for input, target, posWeight and weight", () => {
    manualSeed(4);
    for (const shape of [[4], [2, 3], [3, 1]]) {
      const x = randn(shape, g64);
      const t = rand(shape, g64);
      const pw = rand([shape[shape.length - 1]!], g64).add(0.5).detach().requiresGrad_();
      const w = rand(shape, g64);
      for (const reduction of REDUCTIONS) {
        assert.ok(gradcheck((a, b) => binaryCrossEntropyWithLogits(a!, b!, { reduction }), [x, t]));
        assert.ok(gradcheck((a, b, c, d) => binaryCrossEntropyWithLogits(a!, b!, { reduction, posWeight: c!, weight: d! }), [x, t, pw, w]));
      }
    }
  });

  it("errors", () => {
    assert.throws(() => binaryCrossEntropyWithLogits(randn([2, 3]), randn([3])), (e: Error) => e instanceof ShapeError && /binaryCrossEntropyWithLogits/.test(e.message) && /\[3\]/.test(e.message));
    assert.throws(() => binaryCrossEntropyWithLogits(randn([2, 3]), randn([2, 3]), { posWeight: randn([2]) }), (e: Error) => e instanceof ShapeError && /posWeight/.test(e.message));
  });
});

describe("binaryCrossEntropy", () => {
  it("hand values and the -100 clamp at p = 0 or 1", () => {
    const ps = [0.2, 0.9, 0.5];
    const ts = [0, 1, 0.3];
    const want = ps.map((p, i) => -(ts[i]! * Math.log(p) + (1 - ts[i]!) * Math.log(1 - p)));
    close(binaryCrossEntropy(tensor(ps, f64), tensor(ts, f64), { reduction: "none" }).data, want);
    near(binaryCrossEntropy(tensor(ps, f64), tensor(ts, f64)).item(), (want[0]! + want[1]! + want[2]!) / 3);
    close(binaryCrossEntropy(tensor([0, 1, 0, 1], f64), tensor([1, 0, 0, 1], f64), { reduction: "none" }).data, [100, 100, 0, 0]);
  });

  it("gradient (p - t) / (p (1 - p)), finite at p = 0 and 1", () => {
    const p = tensor([0.2, 0.9, 0, 1], g64);
    binaryCrossEntropy(p, tensor([0, 1, 0, 1], f64), { reduction: "sum" }).backward();
    close(p.grad!.data, [0.2 / 0.16, -0.1 / 0.09, 0, 0], 1e-12);
  });

  it("gradcheck for probabilities and targets, with weight", () => {
    manualSeed(6);
    for (const shape of [[5], [2, 3], [1, 2, 1]]) {
      const p = rand(shape, f64).mul(0.8).add(0.1).detach().requiresGrad_();
      const t = rand(shape, g64);
      const w = rand(shape, f64);
      for (const reduction of REDUCTIONS) {
        assert.ok(gradcheck((a, b) => binaryCrossEntropy(a!, b!, { reduction }), [p, t], { atol: 1e-5, rtol: 1e-4 }));
        assert.ok(gradcheck((a, b) => binaryCrossEntropy(a!, b!, { reduction, weight: w }), [p, t], { atol: 1e-5, rtol: 1e-4 }));
      }
    }
  });

  it("errors: probabilities outside [0, 1], shapes", () => {
    assert.throws(() => binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])), (e: Error) => e instanceof ValueError && /binaryCrossEntropy/.test(e.message) && /1\.5/.test(e.message));
    assert.throws(() => binaryCrossEntropy(tensor([0.5]), tensor([0, 1])), ShapeError);
  });
});
