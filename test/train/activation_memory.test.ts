// The trainer's activation-memory figures: every step records the peak bytes its graph held for
// backward (metrics.jsonl's activationBytes), the summary the largest; with checkpointing
// "blocks" the same run has the same losses and a lower peak. `descent train --checkpointing`.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type CliIO, runCli } from "../../src/cli/program.js";
import { data, io, manualSeed, models, train } from "../../src/index.js";
import { TEXT } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "descent-actmem-"));
after(() => rmSync(root, { recursive: true, force: true }));

async function runTrainer(checkpointing: "none" | "blocks") {
  const tokenizer = data.CharTokenizer.fromText(TEXT);
  const splits = data.splitTokens(tokenizer.encode(TEXT), 8);
  const modelConfig = { vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 4, nHead: 2, nEmbd: 16, dropout: 0.1, checkpointing };
  manualSeed(5);
  const model = new models.GPT(modelConfig);
  const trainer = new train.Trainer({
    model, train: splits.train, val: splits.val, tokenizer, modelConfig, arch: "gpt",
    config: { steps: 4, batchSize: 4, blockSize: 8, gradAccum: 2, warmupSteps: 1, evalInterval: 0, evalIters: 1, checkpointInterval: 0, sampleTokens: 0, seed: 5 },
  });
  const steps: train.StepRecord[] = [];
  trainer.on("step", (r) => steps.push(r));
  const summary = await trainer.run();
  return { steps, summary };
}

describe("activation memory in the trainer", () => {
  it("records activationBytes per step and the peak in the summary; blocks lowers it, same losses", async () => {
    const none = await runTrainer("none"), blocks = await runTrainer("blocks");
    for (const r of [...none.steps, ...blocks.steps]) assert.ok(Number.isInteger(r.activationBytes) && r.activationBytes! > 0);
    // Same shapes every step: the same bytes every step.
    assert.equal(new Set(none.steps.map((r) => r.activationBytes)).size, 1);
    assert.equal(none.summary.peakActivationBytes, none.steps[0]!.activationBytes);
    assert.equal(blocks.summary.peakActivationBytes, blocks.steps[0]!.activationBytes);
    assert.ok(blocks.summary.peakActivationBytes! * 1.5 < none.summary.peakActivationBytes!, `${blocks.summary.peakActivationBytes} vs ${none.summary.peakActivationBytes}`);
    assert.deepEqual(blocks.steps.map((r) => r.loss), none.steps.map((r) => r.loss)); // dropout on: the same masks
  });

  it("descent train --checkpointing blocks: config.json, metrics.jsonl and the summary line; bad values rejected", async () => {
    const corpus = join(root, "tiny.txt");
    writeFileSync(corpus, TEXT);
    let out = "", err = "";
    const cli: CliIO = { out: (t) => (out += t), err: (t) => (err += t) };
    const dir = join(root, "run");
    const args = ["train", "--data", corpus, "--n-layer", "2", "--n-embd", "16", "--n-head", "2", "--block-size", "8", "--batch-size", "2",
      "--steps", "2", "--warmup-steps", "1", "--eval-iters", "1", "--sample-tokens", "0", "--no-progress", "--out", dir];
    const code = await runCli([...args, "--checkpointing", "blocks"], cli);
    assert.equal(code, 0, err);
    assert.match(out, /\npeak activation memory per step: [\d.]+ KiB \(saved for backward; parameters excluded\)\n/);
    const metrics = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { activationBytes: number });
    assert.equal(metrics.length, 2);
    assert.ok(metrics.every((m) => m.activationBytes > 0));
    const cfg = JSON.parse(readFileSync(join(io.resolveCheckpoint(dir), "config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(cfg["checkpointing"], "blocks");
    out = err = "";
    assert.equal(await runCli([...args.slice(0, -1), join(root, "bad"), "--checkpointing", "layers"], cli), 1);
    assert.match(err, /--checkpointing.*(none, blocks|none or blocks)/);
  });
});
