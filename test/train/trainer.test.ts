// Trainer on a tiny GPT and corpus: the loss falls, events and metrics lines carry the right
// numbers, gradient accumulation equals the full batch, and the summary is complete.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { train } from "../../src/index.js";
import { tinyTrainer, tmp } from "./helpers.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("Trainer", () => {
  it("trains: val loss falls well below the unigram entropy; events, summary and sample", async () => {
    const { trainer } = tinyTrainer({ config: { steps: 60, evalInterval: 20, lr: 3e-2 } });
    const steps: train.StepRecord[] = [];
    const evals: train.EvalRecord[] = [];
    trainer.on("step", (r) => steps.push(r));
    trainer.on("eval", (e) => evals.push(e));
    let ended: train.TrainSummary | null = null;
    trainer.on("end", (s) => (ended = s));
    const s = await trainer.run();
    assert.equal(ended, s);
    assert.deepEqual(steps.map((r) => r.step), Array.from({ length: 60 }, (_, i) => i + 1));
    assert.deepEqual(evals.map((e) => e.step), [0, 20, 40, 60]);
    assert.ok(evals[3]!.valLoss < 0.6 * evals[0]!.valLoss, `val ${evals[0]!.valLoss} -> ${evals[3]!.valLoss}`);
    assert.ok(s.lastValLoss! < s.unigramEntropy - 0.5, `val ${s.lastValLoss} vs unigram ${s.unigramEntropy}`);
    assert.equal(s.step, 60);
    assert.equal(s.completed, true);
    assert.equal(s.tokens, 60 * 4 * 8);
    assert.equal(s.bestValLoss, Math.min(...evals.map((e) => e.valLoss)));
    assert.ok(s.mfu !== null && s.mfu > 0);
    assert.equal(typeof s.sample, "string");
    assert.equal(s.sample!.length, 21); // "\n" + 20 characters
    // lr follows warmupCosine: warmup 2 steps to 3e-2, then cosine to 1e-3 at step 60.
    assert.equal(steps[0]!.lr, 0);
    assert.equal(steps[1]!.lr, 1.5e-2);
    assert.ok(Math.abs(steps[2]!.lr - 3e-2) < 1e-12);
    assert.ok(steps[59]!.lr > 1e-3 && steps[59]!.lr < 1.05e-3);
    assert.ok(steps.every((r) => r.gradNorm > 0 && r.tokensPerSec > 0 && Number.isFinite(r.loss)));
    assert.equal(steps[19]!.valLoss, evals[1]!.valLoss);
    assert.equal(steps[18]!.valLoss, undefined);
  });

  it("gradAccum 2 at batch 2 takes the same first step as batch 4 would on the same windows (loss and grad norm)", async () => {
    // Same sampler seed: 2 micro-batches of 2 rows draw the same 4 windows as one batch of 4.
    const a = tinyTrainer({ config: { steps: 3, batchSize: 4, gradAccum: 1, evalInterval: 0, sampleTokens: 0 } });
    const b = tinyTrainer({ config: { steps: 3, batchSize: 2, gradAccum: 2, evalInterval: 0, sampleTokens: 0 } });
    const ra = a.trainer.trainStep();
    const rb = b.trainer.trainStep();
    assert.ok(Math.abs(ra.loss - rb.loss) < 1e-6, `${ra.loss} vs ${rb.loss}`);
    assert.ok(Math.abs(ra.gradNorm - rb.gradNorm) < 1e-5 * ra.gradNorm, `${ra.gradNorm} vs ${rb.gradNorm}`);
  });

  it("metrics.jsonl: one line per step with the documented fields, eval fields on eval steps", async () => {
    const out = tmp();
    dirs.push(out);
    const { trainer } = tinyTrainer({ outDir: out, config: { steps: 10, evalInterval: 5 } });
    new train.MetricsWriter(join(out, "metrics.jsonl")).attach(trainer);
    const seen: train.StepRecord[] = [];
    trainer.on("step", (r) => seen.push({ ...r }));
    await trainer.run();
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 10);
    assert.deepEqual(Object.keys(lines[0]), ["step", "loss", "lr", "gradNorm", "tokensPerSec", "elapsedSec", "activationBytes"]);
    assert.deepEqual(Object.keys(lines[4]), ["step", "loss", "lr", "gradNorm", "tokensPerSec", "elapsedSec", "activationBytes", "valLoss", "trainLoss"]);
    lines.forEach((l, i) => assert.deepEqual(l, JSON.parse(JSON.stringify(seen[i]))));
    assert.ok(lines[9].elapsedSec > lines[0].elapsedSec);
  });

  it("rejects a blockSize above the model's and tokens outside the vocabulary, before training", () => {
    assert.throws(() => tinyTrainer({ config: { blockSize: 9 } }), (e: Error) => e instanceof train.TrainConfigError && /config\.blockSize 9 exceeds the model's blockSize 8/.test(e.message));
    assert.throws(() => tinyTrainer({ config: { warmupSteps: 20 } }), /config\.warmupSteps \(20\) must be less than config\.steps \(20\)/);
  });
});
