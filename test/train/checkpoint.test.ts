// Checkpoints: the files and their contents, deterministic bytes, exact resume (N steps straight
// = N/2, stop, resume, N/2: bit-identical weights, optimizer state and metrics lines, with
// gradient accumulation and dropout on), and clear errors for corrupt or mismatched checkpoints.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { io, train } from "../../src/index.js";
import { metricsWithoutTiming, runWithMetrics, tempDirs, TEXT, tinyTrainer } from "./helpers.js";

const fresh = tempDirs();

const EXACT = { steps: 8, gradAccum: 2, evalInterval: 4, checkpointInterval: 0, sampleTokens: 0 };
const metrics = metricsWithoutTiming;
const bytes = (dir: string, f: string) => readFileSync(join(dir, f));

async function runTo(out: string, stopAt: number | null, resume: boolean): Promise<string> {
  const { trainer } = tinyTrainer({ outDir: out, dropout: 0.1, config: EXACT, initSeed: resume ? 99 : 3 });
  return (await runWithMetrics(trainer, out, stopAt, resume ? out : null)).checkpoint!;
}

describe("checkpoints", () => {
  it("hold model, optimizer, trainer, config and tokenizer files; the tied head is saved once; bytes are deterministic", async () => {
    const out = fresh();
    const { trainer, modelConfig, tokenizer } = tinyTrainer({ outDir: out, config: { steps: 4, evalInterval: 0, checkpointInterval: 2, sampleTokens: 0 } });
    const events: train.CheckpointRecord[] = [];
    trainer.on("checkpoint", (c) => events.push(c));
    await trainer.run();
    assert.deepEqual(events.map((e) => e.step), [2, 4]);
    const dir = events[1]!.path;
    assert.equal(train.resolveCheckpointDir(out), dir);
    assert.deepEqual(readdirSync(dir).sort(), [...train.CHECKPOINT_FILES, "manifest.json"].sort());
    const model = io.readSafetensors(join(dir, "model.safetensors"));
    assert.ok(model.has("transformer.wte.weight") && !model.has("lm_head.weight"));
    assert.deepEqual(model.names().sort(), Object.keys(trainer.model.stateDict()).sort());
    assert.deepEqual([...model.tensor("transformer.wte.weight").data], [...trainer.model.stateDict()["transformer.wte.weight"]!.data]);
    const opt = io.readSafetensors(join(dir, "optimizer.safetensors"));
    assert.equal(opt.names().length, 2 * trainer.model.parameters().length);
    assert.ok(opt.has("transformer.h.0.attn.c_attn.weight.exp_avg") && opt.has("transformer.h.0.attn.c_attn.weight.exp_avg_sq"));
    const tj = JSON.parse(readFileSync(join(dir, "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(tj.step, 4);
    assert.equal(tj.schedule.lastStep, 4);
    assert.deepEqual(Object.keys(tj.rng).sort(), ["evalTrain", "evalVal", "global", "trainBatches"]);
    assert.equal(tj.config.steps, 4);
    assert.equal(tj.optimizer.paramGroups[1]!.weightDecay, 0);
    assert.ok(tj.optimizer.paramGroups[1]!.params.includes("transformer.ln_f.weight"));
    assert.ok(tj.optimizer.paramGroups[0]!.params.includes("transformer.wte.weight"));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")), modelConfig);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), tokenizer.toJSON());
    // Same state, same bytes.
    const again = train.checkpointFiles(trainer);
    assert.deepEqual(Buffer.from(again["model.safetensors"] as Uint8Array), bytes(dir, "model.safetensors"));
    assert.deepEqual(Buffer.from(again["optimizer.safetensors"] as Uint8Array), bytes(dir, "optimizer.safetensors"));
  });

  it("exact resume: 8 steps straight = 4, stop, resume, 4 (gradAccum 2, dropout 0.1)", async () => {
    const straight = fresh();
    const split = fresh();
    const a = await runTo(straight, null, false);
    const half = await runTo(split, 4, false);
    assert.match(half, /step-000004$/);
    const b = await runTo(split, null, true);
    for (const f of ["model.safetensors", "optimizer.safetensors", "config.json", "tokenizer.json"]) assert.ok(bytes(a, f).equals(bytes(b, f)), f);
    const tj = (d: string) => {
      const j = JSON.parse(readFileSync(join(d, "trainer.json"), "utf8")) as Record<string, unknown>;
      delete j["elapsedSec"];
      return j;
    };
    assert.deepEqual(tj(b), tj(a));
    assert.deepEqual(metrics(split), metrics(straight));
    assert.equal(metrics(split).length, 8);
  });

  it("a resumed run truncates metrics lines written after its checkpoint", async () => {
    const out = fresh();
    await runTo(out, 4, false);
    const extra = JSON.stringify({ step: 5, loss: 1, lr: 0, gradNorm: 0, tokensPerSec: 0, elapsedSec: 0 }) + "\n";
    writeFileSync(join(out, "metrics.jsonl"), readFileSync(join(out, "metrics.jsonl"), "utf8") + extra);
    await runTo(out, null, true);
    assert.deepEqual(metrics(out).map((l) => l["step"]), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("corrupt, truncated and mismatched checkpoints are errors naming the file; the trainer is unchanged", async () => {
    const out = fresh();
    const { trainer } = tinyTrainer({ outDir: out, config: { steps: 3, evalInterval: 0, sampleTokens: 0 } });
    await trainer.run();
    const dir = train.resolveCheckpointDir(out);
    const check = (mutate: () => void, restore: () => void, pattern: RegExp, build = () => tinyTrainer({ config: { steps: 3 } }).trainer) => {
      mutate();
      try {
        const t = build();
        const before = t.model.stateDict()["transformer.wte.weight"]!.data.slice();
        assert.throws(() => t.resume(out), pattern);
        assert.equal(t.step, 0);
        assert.deepEqual(t.model.stateDict()["transformer.wte.weight"]!.data, before);
      } finally {
        restore();
      }
    };
    const save = (f: string) => {
      const b = bytes(dir, f);
      return () => writeFileSync(join(dir, f), b);
    };
    const m = save("model.safetensors");
    check(() => truncateSync(join(dir, "model.safetensors"), 100), m, /incomplete checkpoint: model\.safetensors is 100 bytes but the manifest says \d+/);
    const o = save("optimizer.safetensors");
    check(() => writeFileSync(join(dir, "optimizer.safetensors"), Buffer.alloc(bytes(dir, "optimizer.safetensors").length, 7)), o, /optimizer\.safetensors: corrupt: its sha256 does not match the checkpoint manifest/);
    const t = save("trainer.json");
    check(() => writeFileSync(join(dir, "trainer.json"), "{\"format\": \"descent-trainer\", "), t, /incomplete checkpoint: trainer\.json is \d+ bytes/);
    // Another model config, another vocabulary, another training setting.
    check(() => {}, () => {}, /config\.json: the checkpoint's model differs from this one: nEmbd 16 \(checkpoint\) vs 32/, () => tinyTrainer({ nEmbd: 32, config: { steps: 3 } }).trainer);
    check(() => {}, () => {}, /trainer\.json: config\.lr is 0\.01 in the checkpoint but 0\.02 here/, () => tinyTrainer({ config: { steps: 3, lr: 2e-2 } }).trainer);
    // Same vocabulary size (so config.json matches), other characters.
    check(() => {}, () => {}, /tokenizer\.json: the checkpoint's vocabulary \(char, 28 characters\) differs from this run's \(char, 28 characters\)/,
      () => tinyTrainer({ text: TEXT.replace(/z/g, "Z"), config: { steps: 3 } }).trainer);
    assert.throws(() => tinyTrainer({ config: { steps: 3 } }).trainer.resume(join(out, "nope")), (e: Error) => e instanceof io.CheckpointError && /no such checkpoint or run directory/.test(e.message));
  });
});
