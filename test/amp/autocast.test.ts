// amp.autocast: which ops run in the low dtype and which in float32, cast caching, gradients to
// float32 master weights, and the scoping of the mode.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValueError, amp, manualSeed, nn, optim, randint, randn, tensor } from "../../src/index.js";
import { autocastLow, withoutAutocast } from "../../src/ops/autocast.js";

const F = nn.functional;

describe("autocast policy", () => {
  it("matmul / linear / attention run in the low dtype; softmax, layerNorm, sum, mean and losses in float32", () => {
    manualSeed(1);
    const x = randn([4, 8]);
    const lin = new nn.Linear(8, 6);
    for (const dtype of ["bfloat16", "float16"] as const) {
      amp.autocast({ dtype }, () => {
        assert.equal(amp.isAutocastEnabled(), true);
        assert.equal(amp.getAutocastDType(), dtype);
        const y = lin.forward(x);
        assert.equal(y.dtype, dtype);
        assert.equal(x.matmul(randn([8, 3])).dtype, dtype);
        assert.equal(y.softmax(-1).dtype, "float32");
        assert.equal(y.logSoftmax(-1).dtype, "float32");
        assert.equal(y.sum().dtype, "float32");
        assert.equal(y.mean(0).dtype, "float32");
        assert.equal(F.layerNorm(y, [6]).dtype, "float32");
        assert.equal(F.crossEntropy(y, randint(0, 6, [4])).dtype, "float32");
        assert.equal(F.mseLoss(y, randn([4, 6])).dtype, "float32");
        assert.equal(y.add(x.narrow(1, 0, 6)).dtype, "float32"); // plain promotion, not autocast
        assert.equal(y.relu().dtype, dtype); // ops on neither list keep their input dtype
        const q = randn([2, 3, 4]);
        assert.equal(F.scaledDotProductAttention(q, q, q, { isCausal: true }).dtype, dtype);
        // float64 is never cast (PyTorch's eligibility rule).
        assert.equal(randn([2, 2], { dtype: "float64" }).matmul(randn([2, 2], { dtype: "float64" })).dtype, "float64");
      });
    }
    assert.equal(amp.isAutocastEnabled(), false);
    assert.equal(lin.forward(x).dtype, "float32");
  });

  it("autocast linear equals linear on inputs cast by hand, bit for bit, and its gradients reach float32 masters", () => {
    manualSeed(2);
    const x = randn([5, 8]);
    const w = randn([3, 8], { requiresGrad: true });
    const b = randn([3], { requiresGrad: true });
    const y = amp.autocast({ dtype: "bfloat16" }, () => F.linear(x, w, b));
    y.to("float32").sum().backward();
    const gw = w.grad!, gb = b.grad!;
    assert.equal(gw.dtype, "float32");
    w.grad = null; b.grad = null;
    const manual = F.linear(x.to("bfloat16"), w.to("bfloat16"), b.to("bfloat16"));
    assert.deepEqual([...y.data], [...manual.data]);
    manual.to("float32").sum().backward();
    assert.deepEqual([...gw.data], [...w.grad!.data]);
    assert.deepEqual([...gb.data], [...b.grad!.data]);
  });

  it("attention under autocast equals attention on low-precision inputs with autocast off", () => {
    manualSeed(3);
    const q = randn([2, 4, 8]), k = randn([2, 5, 8]), v = randn([2, 5, 3]);
    const mask = tensor([[true, false, true, true, true]]);
    const got = amp.autocast({ dtype: "float16" }, () => F.scaledDotProductAttention(q, k, v, { mask }));
    const want = F.scaledDotProductAttention(q.to("float16"), k.to("float16"), v.to("float16"), { mask });
    assert.equal(got.dtype, "float16");
    assert.deepEqual([...got.data], [...want.data]);
  });

  it("a parameter is converted once per region and version; the cache dies with the region", () => {
    const w = randn([4, 4], { requiresGrad: true });
    const activation = randn([4, 4]); // not a leaf requiring grad: converted on every use
    let first: unknown;
    amp.autocast({}, () => {
      first = autocastLow(w).data;
      assert.equal(autocastLow(w).data, first);
      assert.notEqual(autocastLow(activation).data, autocastLow(activation).data);
      w.markModified(); // e.g. an optimizer step inside the region
      assert.notEqual(autocastLow(w).data, first);
      amp.autocast({ cacheEnabled: false }, () => assert.notEqual(autocastLow(w).data, autocastLow(w).data));
    });
    amp.autocast({}, () => assert.notEqual(autocastLow(w).data, first));
  });

  it("two forward/backward passes in one region share the cached weight and accumulate correct gradients", () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tensor([[1, 1]]);
    amp.autocast({}, () => {
      F.linear(x, w).to("float32").sum().backward();
      F.linear(x, w).to("float32").sum().backward(); // backward inside the region: not re-autocast
    });
    assert.deepEqual([...w.grad!.data], [2, 2, 2, 2]);
  });

  it("enabled: false switches autocast off inside a region; the mode is restored after a throw", () => {
    const x = randn([2, 2]);
    amp.autocast({ dtype: "bfloat16" }, () => {
      amp.autocast({ dtype: "bfloat16", enabled: false }, () => assert.equal(x.matmul(x).dtype, "float32"));
      assert.equal(x.matmul(x).dtype, "bfloat16");
      withoutAutocast(() => assert.equal(amp.isAutocastEnabled(), false));
    });
    assert.throws(() => amp.autocast({}, () => { throw new Error("boom"); }), /boom/);
    assert.equal(amp.isAutocastEnabled(), false);
    assert.throws(() => amp.autocast({ dtype: "float32" as never }, () => 0), ValueError);
    assert.throws(() => amp.autocast({ enable: true } as never, () => 0), ValueError);
  });

  it("trains: an MLP under bfloat16 autocast with float32 AdamW reaches nearly the float32 loss", () => {
    const run = (low: boolean): number => {
      manualSeed(4);
      const model = new nn.Sequential(new nn.Linear(4, 32), new nn.GELU(), new nn.Linear(32, 3));
      const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
      const x = randn([64, 4]);
      const y = randint(0, 3, [64]);
      let last = 0;
      for (let s = 0; s < 60; s++) {
        opt.zeroGrad();
        const loss = amp.autocast({ dtype: "bfloat16", enabled: low }, () => F.crossEntropy(model.forward(x), y));
        loss.backward();
        opt.step();
        last = loss.item();
      }
      for (const p of model.parameters()) assert.equal(p.dtype, "float32");
      return last;
    };
    const full = run(false), low = run(true);
    assert.ok(full < 0.8, `float32 loss ${full}`);
    assert.ok(Math.abs(low - full) < 0.05 * full + 0.02, `bfloat16 ${low} vs float32 ${full}`);
  });
});
