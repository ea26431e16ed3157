// autograd.memoryStats / savedTensors: live and peak saved-tensor bytes against sizes computed
// by hand (float64: 8 bytes an element), storages shared by nodes or views counted once,
// parameters listed but not counted, bytes freed by backward, by op and by module path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as d from "../../src/index.js";
import { type Tensor, autograd, nn, randn, tensor, where } from "../../src/index.js";
import { dropout } from "../../src/nn/functional/dropout.js";

const f64 = { dtype: "float64", requiresGrad: true } as const;
const live = (): number => autograd.memoryStats().liveBytes;

describe("autograd.memoryStats", () => {
  it("counts a storage held by two nodes once and frees it all in backward", () => {
    const x = randn([4, 8], f64); // a leaf that requires grad: not counted
    const base = live();
    autograd.resetPeak();
    const y = x.exp(); // exp holds x (parameter) and y: 32 * 8 = 256 bytes
    assert.equal(live() - base, 256);
    const z = y.tanh(); // tanh holds y (already counted) and z: +256
    assert.equal(live() - base, 512);
    const s = z.sum(); // sum holds nothing
    assert.equal(live() - base, 512);
    const stats = autograd.memoryStats();
    assert.equal(stats.peakBytes - base, 512);
    assert.equal(stats.byOp.exp, 256); // y is charged to exp, which held it first
    assert.equal(stats.byOp.tanh, 256);
    s.backward();
    assert.equal(live(), base);
    assert.equal(autograd.memoryStats().peakBytes - base, 512); // the peak stays until resetPeak
    autograd.resetPeak();
    assert.equal(autograd.memoryStats().peakBytes, base);
  });

  it("views of one storage count once; a dropout mask counts", () => {
    const x = randn([4, 8], f64);
    const base = live();
    const y = x.exp(); // 256
    const w = y.reshape([32]).mul(y.reshape([32])); // mul saves two views of y's storage: +0
    assert.equal(live() - base, 256);
    const d = dropout(w, 0.5); // the mask, 32 float64: +256
    assert.equal(live() - base, 512);
    d.sum().backward();
    assert.equal(live(), base);
  });

  it("savedTensors lists what the graph behind a tensor holds, later nodes first", () => {
    const x = randn([2, 3], f64);
    const y = x.exp();
    const z = y.tanh().sum();
    const saved = autograd.savedTensors(z);
    assert.deepEqual(saved.map((s) => [s.op, s.shape, s.dtype, s.bytes, s.parameter, s.counted]), [
      ["tanh", [2, 3], "float64", 48, false, true], // its input y
      ["tanh", [2, 3], "float64", 48, false, true], // its output
      ["exp", [2, 3], "float64", 48, true, false], // x: a parameter
      ["exp", [2, 3], "float64", 48, false, false], // y again: counted once
    ]);
    z.backward();
    assert.deepEqual(autograd.savedTensors(z), []); // freed
    assert.deepEqual(autograd.savedTensors(x), []); // a leaf has no graph
  });

  it("charges bytes to module paths while tracking is on", () => {
    const net = new nn.Sequential(new nn.Linear(8, 4, { dtype: "float64" }), new nn.GELU());
    const x = tensor(new Float64Array(16), { shape: [2, 8] });
    const base = autograd.memoryStats();
    const out = autograd.trackModulePaths(() => net.forward(x));
    const stats = autograd.memoryStats();
    // "0": linear holds x (2*8*8 = 128; its weight is a parameter); "1": gelu holds its input and output (2 * 64)
    assert.equal((stats.byModule["0"] ?? 0) - (base.byModule["0"] ?? 0), 128);
    assert.equal((stats.byModule["1"] ?? 0) - (base.byModule["1"] ?? 0), 128);
    assert.equal(stats.liveBytes - base.liveBytes, 256);
    out.sum().backward();
    assert.equal(live(), base.liveBytes);
  });

  it("retainGraph keeps the bytes until the last backward", () => {
    const x = randn([3], f64);
    const base = live();
    const s = x.exp().sum();
    s.backward(undefined, { retainGraph: true });
    assert.equal(live() - base, 24);
    s.backward();
    assert.equal(live(), base);
  });

  // Hand-counted bytes of what each op's backward keeps besides its inputs (parameters, leaves
  // that require grad, are never counted). Every tensor is a leaf so only the op's own storage shows.
  describe("ops declare what their backward keeps", () => {
    const F = nn.functional;
    const delta = (make: () => Tensor): number => {
      const base = live();
      const y = make();
      const d = live() - base;
      y.sum().backward(); // sum holds nothing; everything is freed again
      assert.equal(live(), base);
      return d;
    };
    it("rmsNorm: the float64 copy of a float32 input (2·4·8) and rstd (2·8) = 80", () => {
      const x = randn([2, 4], { requiresGrad: true }), w = randn([4], f64);
      assert.equal(delta(() => F.rmsNorm(x, 4, w)), 64 + 16);
    });
    it("applyRotaryEmb: the saved float32 cos/sin (2·4·4 each) and their float64 copies (2·4·8 each) = 192", () => {
      const x = randn([1, 2, 4], f64), cos = randn([2, 4]), sin = randn([2, 4]);
      assert.equal(delta(() => F.applyRotaryEmb(x, cos, sin)), 2 * 32 + 2 * 64);
    });
    it("gather: the int32 flat positions, index-shaped (2·4·4) = 32", () => {
      const x = randn([3, 4], f64), index = tensor([[0, 1, 2, 0], [2, 2, 1, 0]], { dtype: "int32" });
      assert.equal(delta(() => x.gather(0, index)), 32);
    });
    it("binaryCrossEntropyWithLogits: the target (6·8) and softplus(-x) (6·8) = 96", () => {
      const x = randn([6], f64), t = tensor([0, 1, 1, 0, 1, 0], { dtype: "float64" });
      assert.equal(delta(() => F.binaryCrossEntropyWithLogits(x, t, { reduction: "none" })), 48 + 48);
    });
    it("binaryCrossEntropy: the target and both clamped logs (3·6·8) = 144", () => {
      const p = tensor([0.1, 0.5, 0.9, 0.3, 0.7, 0.2], f64), t = tensor([0, 1, 1, 0, 1, 0], { dtype: "float64" });
      assert.equal(delta(() => F.binaryCrossEntropy(p, t, { reduction: "none" })), 144);
    });
    it("packedCausalAttention: the output (4·4·4) and the row log-sum-exp (2 heads·4·4) = 96", () => {
      const qkv = randn([1, 4, 12], { requiresGrad: true });
      assert.equal(delta(() => F.packedCausalAttention(qkv, 2)), 64 + 32);
    });
    it("std: the output (8) and the private x - mean (4·8) = 40; nllLoss: targets (3·4) and row weights (3·8) = 36", () => {
      const x = randn([4], f64);
      assert.equal(delta(() => x.std()), 8 + 32);
      const lp = randn([3, 5], f64), y = tensor([1, 4, 0], { dtype: "int32" });
      assert.equal(delta(() => F.nllLoss(lp, y)), 12 + 24);
    });
    it("lerp: a number weight's scalar (8); a weight without grad only itself (2·1·8 = 16); with grad end - start (2·4·8 = 64)", () => {
      const a = randn([2, 4], f64), b = randn([2, 4], f64);
      assert.equal(delta(() => a.lerp(b, 0.3)), 8);
      assert.equal(delta(() => a.lerp(b, tensor([[0.2], [0.7]], { dtype: "float64" }))), 16);
      assert.equal(delta(() => a.lerp(b, tensor([[0.2], [0.7]], f64))), 64); // the weight is a parameter: not counted
    });
    it("vectorNorm over dim 1 of a (3, 4) non-leaf: ord 2 and ±Inf keep x (96) and the norm (24); ord 1 only x; ord 0 nothing", () => {
      const a = randn([3, 4], f64), b = randn([3, 4], f64);
      const x = () => a.add(b); // add keeps nothing, so x counts only where vectorNorm keeps it
      assert.equal(delta(() => d.vectorNorm(x(), 2, 1)), 96 + 24);
      assert.equal(delta(() => d.vectorNorm(x(), 3, 1)), 96 + 24);
      assert.equal(delta(() => d.vectorNorm(x(), Infinity, 1)), 96 + 24);
      assert.equal(delta(() => d.vectorNorm(x(), 1, 1)), 96);
      assert.equal(delta(() => d.vectorNorm(x(), 0, 1)), 0);
      // ord 0's gradient is zero everywhere (PyTorch's zeros_like), also at non-finite x.
      const c = tensor([1, Infinity, 0, Number.NaN], f64);
      d.vectorNorm(c, 0).backward();
      assert.deepEqual([...c.grad!.data], [0, 0, 0, 0]);
    });
    it("normalize of a (2, 3) leaf: the norm (2·8), clampMin's float64 0/1 mask (2·8) and div's divisor (2·8) = 48", () => {
      const x = randn([2, 3], f64);
      assert.equal(delta(() => d.normalize(x, 2, 1)), 16 + 16 + 16);
    });
    it("tril keeps its int32 mask (3·4·4 = 48)", () => {
      const x = randn([2, 3, 4], f64);
      assert.equal(delta(() => d.tril(x)), 48);
    });
    it("where keeps its condition (4 bools = 4); gelu keeps its output (4·8 = 32)", () => {
      const a = randn([4], f64), b = randn([4], f64), cond = tensor([true, false, true, true]);
      assert.equal(delta(() => where(cond, a, b)), 4);
      assert.equal(delta(() => F.gelu(a)), 32);
    });
  });

  // A shape op's backward needs only its input's shape: the rule must not keep the input (and with
  // it a storage nothing else holds) alive. x is a non-leaf nothing else references; after a
  // collection it is gone, and the gradient through the op is still right.
  describe("shape ops keep only their input's shape, not the input", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const ops: [string, (x: Tensor) => Tensor, number[]][] = [
      // [name, op on a (2, 3) x, expected gradient of sum(op(x)) w.r.t. x, row-major]
      ["reshape", (x) => x.reshape([3, 2]), [1, 1, 1, 1, 1, 1]],
      ["narrow", (x) => d.narrow(x, 1, 1, 2), [0, 1, 1, 0, 1, 1]],
      ["pad constant", (x) => d.pad(x, [1, 0]), [1, 1, 1, 1, 1, 1]],
      ["pad reflect", (x) => d.pad(x, [0, 1], "reflect"), [1, 2, 1, 1, 2, 1]],
      ["cat", (x) => d.cat([x, x.reshape([2, 3])], 0), [2, 2, 2, 2, 2, 2]],
      ["flip", (x) => d.flip(x, [1]), [1, 1, 1, 1, 1, 1]],
      ["repeat", (x) => x.repeat([1, 2]), [2, 2, 2, 2, 2, 2]],
      ["tril", (x) => d.tril(x), [1, 0, 0, 1, 1, 0]],
      ["diag", (x) => d.diag(x.reshape([6])), [1, 1, 1, 1, 1, 1]],
    ];
    for (const [name, op, grad] of ops) {
      it(name, async () => {
        const a = randn([2, 3], f64), b = randn([2, 3], f64);
        const build = () => {
          const x = a.add(b);
          return { y: op(x), ref: new WeakRef(x) };
        };
        const { y, ref } = build();
        await new Promise((r) => setImmediate(r)); // a WeakRef's target survives the job that made it
        gc();
        assert.equal(ref.deref(), undefined, `${name} kept its input alive`);
        y.sum().backward();
        assert.deepEqual([...a.grad!.data], grad);
      });
    }
  });
});
