// Shared fixtures of the trainer tests: a tiny corpus, a tiny GPT and a Trainer factory.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { data, manualSeed, models, train } from "../../src/index.js";

export const TEXT = "the quick brown fox jumps over the lazy dog. ".repeat(40) + "pack my box with five dozen liquor jugs. ".repeat(40);

export function tmp(prefix = "descent-train-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A maker of temporary run directories, all removed after the test file. */
export function tempDirs(prefix?: string): () => string {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = tmp(prefix);
    dirs.push(d);
    return d;
  };
}

const TIMING = new Set(["elapsedSec", "tokensPerSec"]);
/** metrics.jsonl's lines without the wall-clock fields (which differ between otherwise identical runs). */
export const metricsWithoutTiming = (dir: string): Record<string, unknown>[] =>
  readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => Object.fromEntries(Object.entries(JSON.parse(l) as object).filter(([k]) => !TIMING.has(k))));

/**
 * Run a trainer with a metrics writer as the CLI does: resuming from `resumeFrom` first (metrics
 * cut back to its step), stopping after step `stopAt` (null: run to the end).
 */
export async function runWithMetrics(trainer: train.Trainer, out: string, stopAt: number | null, resumeFrom: string | train.CheckpointInfo | null): Promise<train.TrainSummary> {
  const m = new train.MetricsWriter(join(out, "metrics.jsonl"));
  if (resumeFrom) {
    trainer.resume(resumeFrom);
    m.truncateAfter(trainer.step);
  }
  m.attach(trainer);
  if (stopAt !== null) trainer.on("step", (r) => r.step === stopAt && trainer.requestStop());
  return trainer.run();
}

export interface TinyRun {
  trainer: train.Trainer;
  tokenizer: data.CharTokenizer;
  modelConfig: Record<string, unknown>;
}

export function tinyTrainer(opts: { config?: Partial<train.TrainConfig>; outDir?: string | null; dropout?: number; nEmbd?: number; seed?: number; initSeed?: number; text?: string } = {}): TinyRun {
  const text = opts.text ?? TEXT;
  const tokenizer = data.CharTokenizer.fromText(text);
  const tokens = tokenizer.encode(text);
  const splits = data.splitTokens(tokens, 8);
  const modelConfig = { vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: opts.nEmbd ?? 16, dropout: opts.dropout ?? 0, bias: true, tieWeights: true };
  manualSeed(opts.initSeed ?? opts.seed ?? 3); // a resumed trainer starts from other weights
  const model = new models.GPT(modelConfig);
  const trainer = new train.Trainer({
    model, train: splits.train, val: splits.val, tokenizer, outDir: opts.outDir ?? null, modelConfig, arch: "gpt",
    config: { steps: 20, batchSize: 4, blockSize: 8, lr: 1e-2, minLr: 1e-3, warmupSteps: 2, evalInterval: 5, evalIters: 2, checkpointInterval: 0, sampleTokens: 20, seed: opts.seed ?? 3, ...opts.config },
  });
  return { trainer, tokenizer, modelConfig };
}
