// config.precision: fp16 runs log their loss scale and skipped steps, an overflowing step is
// skipped (parameters and AdamW state untouched, scale halved, schedule still advancing), bf16 and
// fp16 train a tiny GPT about as well as fp32, the scaler state makes fp16 resume bit-identical,
// and a checkpoint of another precision is refused unless the caller allows the change.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { train } from "../../src/index.js";
import { Tensor as TensorClass } from "../../src/tensor/tensor.js";
import { metricsWithoutTiming, runWithMetrics, tempDirs, tinyTrainer } from "./helpers.js";

const fresh = tempDirs("descent-precision-");

const metrics = metricsWithoutTiming;
const bytes = (dir: string, f: string) => readFileSync(join(dir, f));
const trainerJSON = (dir: string) => JSON.parse(readFileSync(join(dir, "trainer.json"), "utf8")) as train.TrainerJSON;

/** Make the gradient of `p` Inf (element 0) during the backward of the given optimizer steps. */
function overflowAt(trainer: train.Trainer, p: TensorClass, steps: readonly number[]): void {
  p.registerHook((g) => {
    if (!steps.includes(trainer.step + 1)) return undefined;
    const data = Float32Array.from(g.data as Float32Array);
    data[0] = Infinity;
    return new TensorClass(data, g.shape);
  });
}

const copyParams = (t: train.Trainer) => t.model.parameters().map((p) => Float32Array.from(p.data as Float32Array));
const copyMoments = (t: train.Trainer) => {
  const sd = t.optimizer.stateDict();
  return Object.entries(sd.state).map(([i, s]) => [i, s.step, Float32Array.from(s.buffers["expAvg"]!.data as Float32Array), Float32Array.from(s.buffers["expAvgSq"]!.data as Float32Array)]);
};

describe("Trainer precision", () => {
  it("fp16 logs lossScale and a running skippedSteps per step; summary and trainer.json carry them; fp32 lines do not", async () => {
    const out = fresh();
    const { trainer } = tinyTrainer({ outDir: out, config: { steps: 6, precision: "fp16", evalInterval: 3, sampleTokens: 0 } });
    new train.MetricsWriter(join(out, "metrics.jsonl")).attach(trainer);
    const s = await trainer.run();
    const lines = metrics(out);
    assert.deepEqual(lines.map((l) => l["lossScale"]), [65536, 65536, 65536, 65536, 65536, 65536]);
    assert.deepEqual(lines.map((l) => l["skippedSteps"]), [0, 0, 0, 0, 0, 0]);
    assert.ok(lines.every((l) => !("skipped" in l)));
    assert.equal(s.precision, "fp16");
    assert.equal(s.lossScale, 65536);
    assert.equal(s.skippedSteps, 0);
    const tj = trainerJSON(s.checkpoint!);
    assert.equal(tj.config.precision, "fp16");
    assert.deepEqual(tj.scaler, { scale: 65536, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000, growthTracker: 6 });
    assert.equal(tj.skippedSteps, 0);
    // Parameters stay float32 (master weights); so do the AdamW moments.
    assert.ok(trainer.model.parameters().every((p) => p.dtype === "float32"));
    assert.ok(Object.values(trainer.optimizer.stateDict().state).every((st) => st.buffers["expAvg"]!.dtype === "float32"));

    const out32 = fresh();
    const r32 = tinyTrainer({ outDir: out32, config: { steps: 3, evalInterval: 0, sampleTokens: 0 } }).trainer;
    new train.MetricsWriter(join(out32, "metrics.jsonl")).attach(r32);
    const s32 = await r32.run();
    assert.ok(metrics(out32).every((l) => !("lossScale" in l) && !("skippedSteps" in l)));
    assert.equal(s32.precision, "fp32");
    assert.equal(s32.lossScale, undefined);
    assert.deepEqual(trainerJSON(s32.checkpoint!).scaler, {});
  });

  it("an overflowing fp16 step is skipped: parameters and AdamW state unchanged, the scale halves, the schedule advances", async () => {
    const { trainer } = tinyTrainer({ config: { steps: 5, precision: "fp16", evalInterval: 0, sampleTokens: 0 } });
    const wte = trainer.model.parameters()[0]!;
    overflowAt(trainer, wte, [3]);
    const recs: train.StepRecord[] = [];
    let before: { params: Float32Array[]; moments: unknown[] } | null = null;
    trainer.on("step", (r) => {
      recs.push(r);
      if (r.step === 2) before = { params: copyParams(trainer), moments: copyMoments(trainer) };
      if (r.step === 3) {
        assert.deepEqual(copyParams(trainer), before!.params);
        assert.deepEqual(copyMoments(trainer), before!.moments);
      }
    });
    await trainer.run();
    assert.deepEqual(recs.map((r) => r.lossScale), [65536, 65536, 65536, 32768, 32768]);
    assert.deepEqual(recs.map((r) => r.skippedSteps), [0, 0, 1, 1, 1]);
    assert.deepEqual(recs.map((r) => r.skipped ?? false), [false, false, true, false, false]);
    assert.equal(recs[2]!.gradNorm, Infinity);
    assert.equal(recs[2]!.warnings, undefined); // a skipped step's Inf norm is no exploding-gradient warning
    // AdamW counted 4 updates of the embedding; the schedule still took 5 steps (PyTorch's loop).
    assert.deepEqual(Object.values(trainer.optimizer.stateDict().state).map((s) => s.step), Object.values(trainer.optimizer.stateDict().state).map(() => 4));
    const fp32 = tinyTrainer({ config: { steps: 5, evalInterval: 0, sampleTokens: 0 } }).trainer;
    const lrs: number[] = [];
    fp32.on("step", (r) => lrs.push(r.lr));
    await fp32.run();
    assert.deepEqual(recs.map((r) => r.lr), lrs);
    assert.equal(trainer.scaler.getScale(), 32768);
    assert.equal(trainer.skippedSteps, 1);
  });

  it("bf16 and fp16 train a tiny GPT to within 2 % of the fp32 losses", async () => {
    const finals: Record<string, { first: number; val: number }> = {};
    for (const precision of ["fp32", "bf16", "fp16"] as const) {
      const { trainer } = tinyTrainer({ nEmbd: 32, config: { steps: 30, precision, evalInterval: 0, evalIters: 4, sampleTokens: 0 } });
      let first = NaN;
      trainer.on("step", (r) => r.step === 1 && (first = r.loss));
      const s = await trainer.run();
      finals[precision] = { first, val: s.lastValLoss! };
    }
    const ref = finals["fp32"]!;
    for (const p of ["bf16", "fp16"]) {
      const f = finals[p]!;
      // Step 1 starts from the same weights: the loss differs by rounding of the matmuls only.
      assert.ok(Math.abs(f.first - ref.first) / ref.first < (p === "bf16" ? 1e-3 : 1e-4), `${p} first loss ${f.first} vs fp32 ${ref.first}`);
      assert.ok(Math.abs(f.val - ref.val) / ref.val < 0.02, `${p} val loss ${f.val} vs fp32 ${ref.val}`);
      assert.notEqual(f.first, ref.first); // the low precision is really used
    }
    assert.ok(ref.val < 2.5, `fp32 val loss ${ref.val}`); // it learned (the unigram entropy is about 3)
  });

  it("exact fp16 resume: 8 steps straight = 4, stop, resume, 4 (gradAccum 2, an overflow at step 2)", async () => {
    const EXACT = { steps: 8, gradAccum: 2, evalInterval: 4, checkpointInterval: 0, sampleTokens: 0, precision: "fp16" as const };
    const runTo = async (out: string, stopAt: number | null, resume: boolean) => {
      const { trainer } = tinyTrainer({ outDir: out, dropout: 0.1, config: EXACT, initSeed: resume ? 99 : 3 });
      overflowAt(trainer, trainer.model.parameters()[0]!, [2]);
      return (await runWithMetrics(trainer, out, stopAt, resume ? out : null)).checkpoint!;
    };
    const straight = fresh(), split = fresh();
    const a = await runTo(straight, null, false);
    const half = await runTo(split, 4, false);
    assert.deepEqual(trainerJSON(half).scaler, { scale: 32768, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000, growthTracker: 2 });
    assert.equal(trainerJSON(half).skippedSteps, 1);
    const b = await runTo(split, null, true);
    for (const f of ["model.safetensors", "optimizer.safetensors"]) assert.ok(bytes(a, f).equals(bytes(b, f)), f);
    const tj = (d: string) => {
      const j = trainerJSON(d) as unknown as Record<string, unknown>;
      delete j["elapsedSec"];
      return j;
    };
    assert.deepEqual(tj(b), tj(a));
    assert.deepEqual(metrics(split), metrics(straight));
    assert.deepEqual(metrics(split).map((l) => l["skippedSteps"]), [0, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("a checkpoint of another precision is refused unless allowPrecisionChange; then fp16 starts a fresh scale", async () => {
    const out = fresh();
    await tinyTrainer({ outDir: out, config: { steps: 3, evalInterval: 0, sampleTokens: 0 } }).trainer.run(); // fp32
    const t16 = tinyTrainer({ config: { steps: 6, precision: "fp16" } }).trainer;
    const before = copyParams(t16);
    assert.throws(() => t16.resume(out), (e: Error) => e instanceof train.CheckpointMismatchError &&
      /trainer\.json: the checkpoint trained in fp32 but this run's config\.precision is fp16; keep fp32, or pass resume\(path, \{ allowPrecisionChange: true \}\)/.test(e.message));
    assert.equal(t16.step, 0);
    assert.deepEqual(copyParams(t16), before);
    // A checkpoint from before config.precision existed trained in fp32.
    const old = train.readCheckpoint(out);
    const j = old.json as unknown as Record<string, unknown>;
    delete (j["config"] as Record<string, unknown>)["precision"];
    delete j["scaler"];
    delete j["skippedSteps"];
    const t32 = tinyTrainer({ config: { steps: 6 } }).trainer;
    t32.resume(old);
    assert.equal(t32.step, 3);
    assert.throws(() => t16.resume(old), /the checkpoint trained in fp32 but this run's config\.precision is fp16/);
    t16.resume(out, { allowPrecisionChange: true });
    assert.equal(t16.step, 3);
    assert.equal(t16.scaler.getScale(), 65536);
    await t16.run();
    assert.equal(t16.scaler.getGrowthTracker(), 3);

    const out16 = fresh();
    await tinyTrainer({ outDir: out16, config: { steps: 3, evalInterval: 0, sampleTokens: 0, precision: "fp16" } }).trainer.run();
    const bf = tinyTrainer({ config: { steps: 6, precision: "bf16" } }).trainer;
    assert.throws(() => bf.resume(out16), /checkpoint trained in fp16 but this run's config\.precision is bf16/);
    bf.resume(out16, { allowPrecisionChange: true });
    assert.equal(bf.scaler.isEnabled(), false);
    const s = await bf.run();
    assert.equal(s.lossScale, undefined);
  });

  it("config.precision must be fp32, bf16 or fp16", () => {
    assert.throws(() => tinyTrainer({ config: { precision: "fp8" as train.Precision } }),
      (e: Error) => e instanceof train.TrainConfigError && e.key === "precision" && e.message === 'config.precision must be one of fp32, bf16, fp16, got "fp8"');
    assert.throws(() => train.validateTrainConfig({ precision: 16 as unknown as train.Precision }), /config\.precision must be one of fp32, bf16, fp16, got 16/);
    assert.deepEqual(train.PRECISIONS, ["fp32", "bf16", "fp16"]);
    assert.equal(train.TRAIN_CONFIG_DEFAULTS.precision, "fp32");
  });
});
