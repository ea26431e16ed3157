// crossEntropy and nllLoss: a 2x3 example by hand (each reduction, ignoreIndex, labelSmoothing,
// class weights, probability targets), spatial and unbatched layouts, gradcheck, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, IndexError, ShapeError, ValueError, gradcheck, manualSeed, randint, randn, rand, tensor } from "../../../src/index.js";
import type { Tensor } from "../../../src/index.js";
import { crossEntropy, logSoftmax, nllLoss } from "../../../src/nn/functional/index.js";
import { close, f64, g64, near } from "./helpers.js";

const i32 = { dtype: "int32" as const };

// The example: logits [[1,2,3],[0,0,0]], targets [2, 0].
const X = [[1, 2, 3], [0, 0, 0]];
const lse0 = Math.log(Math.E + Math.E ** 2 + Math.E ** 3); // 3.4076059644443806
const lse1 = Math.log(3);
const logp = [[1 - lse0, 2 - lse0, 3 - lse0], [-lse1, -lse1, -lse1]];
const l0 = lse0 - 3; // 0.40760596444438
const l1 = lse1; // 1.0986122886681098
const logits = (): Tensor => tensor(X, g64);

describe("crossEntropy: the 2x3 example by hand", () => {
  it("each reduction", () => {
    near(l0, 0.4076059644443806);
    close(crossEntropy(logits(), tensor([2, 0], i32), { reduction: "none" }).data, [l0, l1]);
    near(crossEntropy(logits(), tensor([2, 0], i32), { reduction: "sum" }).item(), l0 + l1);
    near(crossEntropy(logits(), tensor([2, 0], i32)).item(), (l0 + l1) / 2);
    near(crossEntropy(logits(), tensor([2, 0], i32)).item(), 0.7531091265562452);
  });

  it("ignoreIndex (default -100 and a custom one): ignored rows give 0 and leave the mean's count", () => {
    close(crossEntropy(logits(), tensor([2, -100], i32), { reduction: "none" }).data, [l0, 0]);
    near(crossEntropy(logits(), tensor([2, -100], i32)).item(), l0);
    near(crossEntropy(logits(), tensor([2, 0], i32), { ignoreIndex: 0 }).item(), l0);
    near(crossEntropy(logits(), tensor([2, 0], i32), { ignoreIndex: 0, reduction: "sum" }).item(), l0);
    assert.ok(Number.isNaN(crossEntropy(logits(), tensor([-100, -100], i32)).item()), "all ignored: NaN like PyTorch");
  });

  it("labelSmoothing 0.1: 0.9 * nll + (0.1 / 3) * sum_c -logp_c", () => {
    const s = 0.1;
    const r0 = (1 - s) * l0 + (s / 3) * -(logp[0]![0]! + logp[0]![1]! + logp[0]![2]!);
    const r1 = (1 - s) * l1 + (s / 3) * 3 * lse1;
    close(crossEntropy(logits(), tensor([2, 0], i32), { labelSmoothing: s, reduction: "none" }).data, [r0, r1]);
    near(crossEntropy(logits(), tensor([2, 0], i32), { labelSmoothing: s }).item(), (r0 + r1) / 2);
    near(crossEntropy(logits(), tensor([2, -100], i32), { labelSmoothing: s }).item(), r0);
    near(crossEntropy(logits(), tensor([2, 0], i32), { labelSmoothing: s }).item(), 0.8031091265562452, 1e-12);
  });

  it("class weights: mean divides by the summed weights of the targets (with ignore and smoothing)", () => {
    const w = tensor([1, 2, 3], f64);
    const n0 = 3 * l0;
    const n1 = 1 * l1;
    close(crossEntropy(logits(), tensor([2, 0], i32), { weight: w, reduction: "none" }).data, [n0, n1]);
    near(crossEntropy(logits(), tensor([2, 0], i32), { weight: w, reduction: "sum" }).item(), n0 + n1);
    near(crossEntropy(logits(), tensor([2, 0], i32), { weight: w }).item(), (n0 + n1) / 4);
    near(crossEntropy(logits(), tensor([2, -100], i32), { weight: w }).item(), l0);
    const s = 0.1;
    const sm0 = -(1 * logp[0]![0]! + 2 * logp[0]![1]! + 3 * logp[0]![2]!);
    const sm1 = 6 * lse1;
    const want = (1 - s) * ((n0 + n1) / 4) + (s / 3) * ((sm0 + sm1) / 4);
    near(crossEntropy(logits(), tensor([2, 0], i32), { weight: w, labelSmoothing: s }).item(), want);
    near(want, 0.6309660369392392, 1e-12);
    close(crossEntropy(logits(), tensor([2, 0], i32), { weight: w, labelSmoothing: s, reduction: "none" }).data,
      [(1 - s) * n0 + (s / 3) * sm0, (1 - s) * n1 + (s / 3) * sm1]);
  });

  it("probability targets: -sum_c t_c logp_c, mean over rows, with smoothing and weight", () => {
    const t = tensor([[0, 0.5, 0.5], [1, 0, 0]], f64);
    const r0 = -(0.5 * logp[0]![1]! + 0.5 * logp[0]![2]!);
    const r1 = lse1;
    close(crossEntropy(logits(), t, { reduction: "none" }).data, [r0, r1]);
    near(crossEntropy(logits(), t).item(), (r0 + r1) / 2);
    // one-hot probabilities equal index targets
    near(crossEntropy(logits(), tensor([[0, 0, 1], [1, 0, 0]], f64)).item(), (l0 + l1) / 2);
    const s = 0.2;
    const ts = [[s / 3, 0.4 + s / 3, 0.4 + s / 3], [0.8 + s / 3, s / 3, s / 3]];
    const q0 = -ts[0]!.reduce((a, v, c) => a + v * logp[0]![c]!, 0);
    const q1 = -ts[1]!.reduce((a, v, c) => a + v * logp[1]![c]!, 0);
    near(crossEntropy(logits(), t, { labelSmoothing: s, reduction: "sum" }).item(), q0 + q1);
    const w = [1, 2, 3];
    const wr0 = -(0.5 * 2 * logp[0]![1]! + 0.5 * 3 * logp[0]![2]!);
    near(crossEntropy(logits(), t, { weight: tensor(w, f64) }).item(), (wr0 + 1 * lse1) / 2);
  });

  it("gradient is (softmax - onehot) / N under mean", () => {
    const x = logits();
    crossEntropy(x, tensor([2, 0], i32)).backward();
    const p0 = logp[0]!.map(Math.exp);
    close(x.grad!.data, [p0[0]! / 2, p0[1]! / 2, (p0[2]! - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6]);
  });

  it("unbatched (C) logits with a 0-d target, and (N, C, d) logits match the per-position loss", () => {
    near(crossEntropy(tensor([1, 2, 3], f64), tensor(2, i32)).item(), l0);
    assert.deepEqual(crossEntropy(tensor([1, 2, 3], f64), tensor(2, i32), { reduction: "none" }).shape, []);
    // (1, 3, 2): position 0 holds row [1,2,3], position 1 holds [0,0,0].
    const x = tensor([[[1, 0], [2, 0], [3, 0]]], f64);
    const none = crossEntropy(x, tensor([[2, 0]], i32), { reduction: "none" });
    assert.deepEqual(none.shape, [1, 2]);
    close(none.data, [l0, l1]);
    near(crossEntropy(x, tensor([[2, 0]], i32), { labelSmoothing: 0.1 }).item(), 0.8031091265562452);
    near(crossEntropy(x, tensor([[2, 0]], i32), { weight: tensor([1, 2, 3], f64), labelSmoothing: 0.1 }).item(), 0.6309660369392392, 1e-12);
  });

  it("float32 logits give float32 losses", () => {
    const y = crossEntropy(tensor(X), tensor([2, 0], i32));
    assert.equal(y.dtype, "float32");
    near(y.item(), (l0 + l1) / 2, 1e-6);
  });
});

describe("nllLoss", () => {
  it("picks -logp at the targets, with weights, ignoreIndex and reductions", () => {
    const lp = tensor(logp, f64);
    near(nllLoss(lp, tensor([2, 0], i32)).item(), (l0 + l1) / 2);
    close(nllLoss(lp, tensor([2, -100], i32), { reduction: "none" }).data, [l0, 0]);
    near(nllLoss(lp, tensor([2, 0], i32), { weight: tensor([1, 2, 3], f64) }).item(), (3 * l0 + l1) / 4);
    near(nllLoss(lp, tensor([2, 1], i32), { weight: tensor([1, 2, 3], f64), reduction: "sum" }).item(), 3 * l0 + 2 * l1);
    assert.ok(Number.isNaN(nllLoss(tensor([[-1, -2]], f64), tensor([1], i32), { ignoreIndex: 1 }).item()), "all ignored: NaN");
  });

  it("crossEntropy equals nllLoss(logSoftmax) on a random (N, C, d1, d2) batch", () => {
    manualSeed(5);
    const x = randn([2, 4, 3, 2], f64);
    const t = randint(0, 4, [2, 3, 2], i32);
    t.data[3] = -100;
    for (const reduction of ["mean", "sum", "none"] as const) {
      const a = crossEntropy(x, t, { reduction });
      const b = nllLoss(logSoftmax(x, 1), t, { reduction });
      close(a.data, Array.from(b.data), 1e-12);
    }
  });
});

describe("crossEntropy / nllLoss gradcheck (float64)", () => {
  const shapes: [number[], number[]][] = [[[3, 4], [3]], [[4], []], [[2, 3, 2], [2, 2]], [[1, 3, 1, 2], [1, 1, 2]], [[1, 1], [1]], [[2, 5, 1], [2, 1]]];
  for (const [xs, ts] of shapes) {
    it(`logits [${xs}] targets [${ts}]: every reduction x smoothing x weight x ignore`, () => {
      manualSeed(xs.length * 7 + xs[0]!);
      const C = xs.length === 1 ? xs[0]! : xs[1]!;
      const x = randn(xs, g64);
      const t = randint(0, C, ts, i32);
      if (t.numel > 1) t.data[0] = -100;
      const w = rand([C], f64).add(0.5);
      for (const reduction of ["mean", "sum", "none"] as const) {
        for (const labelSmoothing of [0, 0.15]) {
          for (const weight of [undefined, w]) {
            const opts = { reduction, labelSmoothing, weight };
            assert.ok(gradcheck((a) => crossEntropy(a!, t, opts), [x]), JSON.stringify({ reduction, labelSmoothing, w: !!weight }));
          }
        }
        assert.ok(gradcheck((a) => nllLoss(a!, t, { reduction, weight: w }), [x]));
        // probability targets: gradients for logits and targets
        const p = rand(xs, g64);
        assert.ok(gradcheck((a, b) => crossEntropy(a!, b!, { reduction, labelSmoothing: 0.1, weight: w }), [x, p]));
      }
    });
  }
});

describe("crossEntropy errors", () => {
  const x = randn([2, 3]);
  it("targets of the wrong batch size or shape", () => {
    assert.throws(() => crossEntropy(x, tensor([0, 1, 2], i32)),
      (e: Error) => e instanceof ShapeError && /crossEntropy/.test(e.message) && /\[2\]/.test(e.message) && /\[3\]/.test(e.message) && /\[2,3\]/.test(e.message));
    assert.throws(() => crossEntropy(x, randn([2, 4])), (e: Error) => e instanceof ShapeError && /\[2,4\]/.test(e.message));
    assert.throws(() => nllLoss(x, tensor([[0], [1]], i32)), (e: Error) => e instanceof ShapeError && /nllLoss/.test(e.message));
  });
  it("target out of range names the value and C", () => {
    assert.throws(() => crossEntropy(x, tensor([0, 3], i32)), (e: Error) => e instanceof IndexError && /target 3/.test(e.message) && /3 classes/.test(e.message));
    assert.throws(() => crossEntropy(x, tensor([-1, 0], i32)), (e: Error) => e instanceof IndexError && /target -1/.test(e.message));
    assert.throws(() => nllLoss(x, tensor([5, 0], i32)), (e: Error) => e instanceof IndexError && /nllLoss/.test(e.message));
  });
  it("bad options, dtypes and weight shapes", () => {
    const t = tensor([0, 1], i32);
    assert.throws(() => crossEntropy(x, t, { reduction: "avg" as "mean" }), (e: Error) => e instanceof ValueError && /reduction/.test(e.message) && /avg/.test(e.message));
    assert.throws(() => crossEntropy(x, t, { labelSmoothing: 1.5 }), (e: Error) => e instanceof ValueError && /labelSmoothing/.test(e.message));
    assert.throws(() => crossEntropy(x, t, { weight: randn([2]) }), (e: Error) => e instanceof ShapeError && /weight/.test(e.message) && /\[3\]/.test(e.message));
    assert.throws(() => crossEntropy(tensor([[1, 2]], i32), tensor([0], i32)), (e: Error) => e instanceof DTypeError && /crossEntropy/.test(e.message) && /int32/.test(e.message));
    assert.throws(() => crossEntropy(tensor(1), tensor(0, i32)), (e: Error) => e instanceof ShapeError && /0-d/.test(e.message));
  });
});
