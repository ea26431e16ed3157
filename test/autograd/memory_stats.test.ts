// autograd.memoryStats / savedTensors: live and peak saved-tensor bytes against sizes computed
// by hand (float64: 8 bytes an element), storages shared by nodes or views counted once,
// parameters listed but not counted, bytes freed by backward, by op and by module path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
    it("where keeps its condition (4 bools = 4); gelu keeps its output (4·8 = 32)", () => {
      const a = randn([4], f64), b = randn([4], f64), cond = tensor([true, false, true, true]);
      assert.equal(delta(() => where(cond, a, b)), 4);
      assert.equal(delta(() => F.gelu(a)), 32);
    });
  });
});

