// The README's "training a GPT from code" example, run as written but on a tiny corpus and model.
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, it } from "node:test";
import { data, manualSeed, models, train } from "../../src/index.js";
import { tmp } from "./helpers.js";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

it("README example: prepareData, models.GPT, train.Trainer with metrics and progress", async () => {
  const file = join(dir, "corpus.txt");
  writeFileSync(file, "a man, a plan, a canal: panama. ".repeat(50));
  const out = join(dir, "run");
  const lines: string[] = [];
  // --- as in the README (data: file instead of the default corpus; smaller sizes) ---
  const corpus = await data.prepareData({ data: file, tokenizer: "char", blockSize: 16 });
  manualSeed(1337);
  const model = new models.GPT({ vocabSize: corpus.tokenizer.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16 });
  const trainer = new train.Trainer({
    model, train: corpus.splits.train, val: corpus.splits.val, tokenizer: corpus.tokenizer, outDir: out, arch: "gpt",
    config: { steps: 30, batchSize: 8, blockSize: 16, lr: 3e-2, warmupSteps: 2, evalInterval: 15, evalIters: 2, sampleTokens: 20 },
  });
  new train.MetricsWriter(join(out, "metrics.jsonl")).attach(trainer);
  new train.ProgressRenderer({ write: (t: string) => lines.push(t) }).attach(trainer);
  trainer.on("eval", (e) => lines.push(`step ${e.step}: val loss ${e.valLoss.toFixed(3)}`));
  const summary = await trainer.run();
  // ---
  const stderrFits: train.ProgressStream = process.stderr; // the README passes process.stderr
  assert.equal(typeof stderrFits.write, "function");
  assert.equal(summary.step, 30);
  assert.ok(summary.lastValLoss! < summary.unigramEntropy, `${summary.lastValLoss} vs ${summary.unigramEntropy}`);
  assert.equal(summary.sample!.length, 21);
  assert.equal(train.readMetrics(join(out, "metrics.jsonl")).length, 30);
  assert.ok(existsSync(join(train.resolveCheckpointDir(out), "config.json")));
  assert.ok(lines.some((l) => /^step 30: val loss \d\.\d{3}$/.test(l)));
});
