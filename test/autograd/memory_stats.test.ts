// autograd.memoryStats / savedTensors: live and peak saved-tensor bytes against sizes computed
// by hand (float64: 8 bytes an element), storages shared by nodes or views counted once,
// parameters listed but not counted, bytes freed by backward, by op and by module path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autograd, nn, randn, tensor } from "../../src/index.js";
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
});
