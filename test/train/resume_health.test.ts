// Exact resume of the trainer's health monitor: the spike monitor's running losses and per-layer
// gradient-norm averages are saved in trainer.json, so a run stopped at step 12 and resumed emits
// the same warnings and metrics lines as a straight run; an older checkpoint without the state
// resumes with a cold monitor; a malformed state is an error naming trainer.json. Anomaly mode is
// recorded in trainer.json but a resumed run follows its own option (it changes no numbers).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { train } from "../../src/index.js";
import { metricsWithoutTiming, runWithMetrics, tempDirs, tinyTrainer } from "./helpers.js";

const fresh = tempDirs();

// spikeFactor 0.97: a step warns when its loss is above 0.97 x the running median of the steps
// before, which this slowly falling loss does at some steps after 12 (never before step 11: the
// median needs 10 losses). gradNormWarn 1.3 warns on some steps; both messages name the layers
// whose norm jumped against their running averages (the monitor's other state).
const CONFIG = { steps: 18, evalInterval: 0, checkpointInterval: 0, sampleTokens: 0, spikeFactor: 0.97, gradNormWarn: 1.3 };
const metrics = metricsWithoutTiming;

async function runTo(out: string, stopAt: number | null, resumeFrom: string | train.CheckpointInfo | null, detectAnomaly = false): Promise<train.Trainer> {
  const tiny = tinyTrainer({ outDir: out, config: CONFIG, initSeed: resumeFrom ? 99 : 3 }).trainer;
  const trainer = detectAnomaly
    ? new train.Trainer({ model: tiny.model, train: tiny.trainBatches.tokens, val: tiny.evalBatches.val.tokens, tokenizer: tiny.tokenizer, outDir: out, modelConfig: tiny.modelConfig, arch: tiny.arch, config: tiny.config, detectAnomaly })
    : tiny;
  await runWithMetrics(trainer, out, stopAt, resumeFrom);
  return trainer;
}

const spikeSteps = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => (l["warnings"] as { kind: string }[] | undefined)?.some((w) => w.kind === "loss spike")).map((l) => l["step"] as number);

describe("Trainer resume: the spike monitor", () => {
  it("a run stopped at 12 and resumed writes the same warnings and metrics lines as a straight run", async () => {
    const straight = fresh();
    const split = fresh();
    await runTo(straight, null, null);
    const half = await runTo(split, 12, null);
    assert.equal(half.step, 12);
    const saved = JSON.parse(readFileSync(join(train.resolveCheckpointDir(split), "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(saved.spikeMonitor!.losses.length, 12);
    assert.deepEqual(saved.spikeMonitor!.losses, metrics(split).map((l) => l["loss"]));
    assert.ok(saved.spikeMonitor!.typical.some(([l]) => l === "transformer.h.0.attn.c_attn"));
    await runTo(split, null, split);
    const a = metrics(straight), b = metrics(split);
    assert.equal(b.length, 18);
    assert.deepEqual(b, a);
    // The case this test exists for: loss spikes after the resume point.
    assert.ok(spikeSteps(a).some((s) => s > 12), `spike steps ${spikeSteps(a).join(",")}`);
  });

  it("a checkpoint without spikeMonitor (older format) resumes with a cold monitor; a malformed one is refused", async () => {
    const out = fresh();
    await runTo(out, 12, null);
    const old = train.readCheckpoint(out);
    delete (old.json as unknown as Record<string, unknown>)["spikeMonitor"];
    const cold = fresh();
    const t = await runTo(cold, null, old);
    assert.equal(t.step, 18);
    // Cold: the median needs 10 losses again, so steps 13-18 cannot warn of a spike.
    assert.deepEqual(spikeSteps(metrics(cold)), []);
    assert.equal(t.spikes.stateDict().losses.length, 6);

    const bad = train.readCheckpoint(out);
    bad.json.spikeMonitor = { losses: [1, Number.NaN], typical: [] };
    const { trainer } = tinyTrainer({ config: CONFIG, initSeed: 99 });
    const before = trainer.model.stateDict()["transformer.wte.weight"]!.data.slice();
    assert.throws(() => trainer.resume(bad), (e: Error) => e instanceof train.CheckpointMismatchError && /trainer\.json: spikeMonitor losses must be an array of finite numbers/.test(e.message));
    assert.equal(trainer.step, 0);
    assert.deepEqual(trainer.model.stateDict()["transformer.wte.weight"]!.data, before);
    assert.deepEqual(trainer.spikes.stateDict(), { losses: [], typical: [] });
  });

  it("detectAnomaly is recorded in trainer.json; a resumed run follows its own option and the numbers do not change", async () => {
    const straight = fresh();
    const split = fresh();
    const a = await runTo(straight, null, null);
    assert.equal(a.detectAnomaly, false);
    const record = (d: string) => (JSON.parse(readFileSync(join(train.resolveCheckpointDir(d), "trainer.json"), "utf8")) as train.TrainerJSON).detectAnomaly;
    assert.equal(record(straight), false);
    const half = await runTo(split, 6, null, true);
    assert.equal(half.detectAnomaly, true);
    assert.equal(record(split), true);
    const plain = await runTo(split, 12, split); // anomaly mode off after resume
    assert.equal(plain.detectAnomaly, false);
    assert.equal(record(split), false);
    const again = await runTo(split, null, split, true); // and on again
    assert.equal(again.detectAnomaly, true);
    assert.deepEqual(metrics(split), metrics(straight));
    const bits = (t: train.Trainer) => t.model.parameters().map((p) => [...p.data]);
    assert.deepEqual(bits(again), bits(a));
  });
});
