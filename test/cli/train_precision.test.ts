// `descent train --precision`: bad values are usage errors listing the valid ones (flag and
// --config), an fp16 run logs its loss scale and prints it in the summary, a resumed run keeps
// the checkpoint's precision unless --precision is given, and then warns.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type CliIO, runCli } from "../../src/cli/program.js";
import { train } from "../../src/index.js";

const root = mkdtempSync(join(tmpdir(), "descent-cli-precision-"));
after(() => rmSync(root, { recursive: true, force: true }));
const corpus = join(root, "tiny.txt");
writeFileSync(corpus, "the quick brown fox jumps over the lazy dog. ".repeat(100) + "pack my box with five dozen liquor jugs. ".repeat(100));
const TINY = ["--data", corpus, "--n-layer", "1", "--n-embd", "16", "--n-head", "2", "--block-size", "8", "--batch-size", "4", "--eval-iters", "2", "--warmup-steps", "1", "--sample-tokens", "10", "--no-progress"];

async function run(argv: string[]) {
  let out = "", err = "";
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await runCli(argv, io);
  return { code, out, err };
}
const lines = (dir: string) => readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("descent train --precision", () => {
  it("--precision fp8 and a --config precision of fp8 are usage errors listing fp32, bf16, fp16", async () => {
    const out = join(root, "never");
    const r = await run(["train", ...TINY, "--precision", "fp8", "--out", out]);
    assert.equal(r.code, 1);
    assert.match(r.err, /option '--precision <value>' argument 'fp8' is invalid\. expected one of fp32, bf16, fp16/);
    const cfg = join(root, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ precision: "fp8" }));
    const c = await run(["train", ...TINY, "--config", cfg, "--out", out]);
    assert.equal(c.code, 1);
    assert.match(c.err, /--precision must be one of fp32, bf16, fp16, got "fp8"/);
    assert.equal(existsSync(out), false);
    const help = await run(["train", "--help"]);
    assert.match(help.out, /--precision <value>/);
    assert.match(help.out, /\(default: fp32\)/);
  });

  it("fp16: metrics carry lossScale and skippedSteps, the summary names them; resume keeps fp16, --precision bf16 warns and switches", async () => {
    const out = join(root, "fp16");
    const r = await run(["train", ...TINY, "--steps", "4", "--eval-interval", "2", "--precision", "fp16", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /precision fp16 \(autocast float16, float32 master weights\), loss scale 65536 at the end, 0 steps skipped for Inf\/NaN gradients/);
    assert.deepEqual(lines(out).map((l) => [l["lossScale"], l["skippedSteps"]]), [[65536, 0], [65536, 0], [65536, 0], [65536, 0]]);
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /id="chart-lossScale"/);

    const kept = await run(["train", "--resume", out, "--steps", "6", "--no-progress"]);
    assert.equal(kept.code, 0, kept.err);
    assert.doesNotMatch(kept.err, /warning: --precision/);
    const tj = JSON.parse(readFileSync(join(train.resolveCheckpointDir(out), "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(tj.config.precision, "fp16");
    assert.equal((tj.scaler as { growthTracker: number }).growthTracker, 6);

    const switched = await run(["train", "--resume", out, "--steps", "8", "--precision", "bf16", "--no-progress"]);
    assert.equal(switched.code, 0, switched.err);
    assert.match(switched.err, /warning: --precision bf16 differs from the checkpoint's fp16; continuing in bf16 \(its loss scale is dropped\)/);
    assert.match(switched.out, /precision bf16 \(autocast bfloat16, float32 master weights\)/);
    assert.deepEqual(lines(out).slice(6).map((l) => "lossScale" in l), [false, false]);
    const tj2 = JSON.parse(readFileSync(join(train.resolveCheckpointDir(out), "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(tj2.config.precision, "bf16");
    assert.deepEqual(tj2.scaler, {});
  });
});
