// `descent train` and `descent sample`: flag validation before any work, --config, a tiny run,
// resume, mismatched/corrupt checkpoints (nothing in the run directory changes), and Ctrl-C in a
// child process (exit 130 with a checkpoint; a second Ctrl-C quits without breaking the last one).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type CliIO, runCli } from "../../src/cli/program.js";
import { getBackend, getNumThreads, train } from "../../src/index.js";

const root = mkdtempSync(join(tmpdir(), "descent-cli-train-"));
after(() => rmSync(root, { recursive: true, force: true }));
const corpus = join(root, "tiny.txt");
writeFileSync(corpus, "the quick brown fox jumps over the lazy dog. ".repeat(100) + "pack my box with five dozen liquor jugs. ".repeat(100));
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "descent.js");

const TINY = ["--data", corpus, "--n-layer", "1", "--n-embd", "16", "--n-head", "2", "--block-size", "8", "--batch-size", "4", "--eval-iters", "2", "--warmup-steps", "1", "--sample-tokens", "10", "--no-progress"];

async function run(argv: string[]) {
  let out = "";
  let err = "";
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** Every file under dir with its bytes (to check that nothing changed). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length)] = readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}

/** Files added, removed or changed between two snapshots. */
function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

describe("descent train: flag validation before any work", () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "0"], /^descent: --steps must be an integer in \[1, 1e9\], got 0/],
    [["--batch-size", "2.5"], /option '--batch-size <n>' argument '2\.5' is invalid\. expected an integer/],
    [["--lr", "abc"], /option '--lr <n>' argument 'abc' is invalid\. expected a number/],
    [["--lr", "0"], /--lr must be a number in \(0, 10\], got 0/],
    [["--min-lr", "0.5", "--lr", "0.1"], /--min-lr \(0\.5\) must not exceed --lr \(0\.1\)/],
    [["--warmup-steps", "10", "--steps", "10"], /--warmup-steps \(10\) must be less than --steps \(10\)/],
    [["--beta2", "1"], /--beta2 must be a number in \[0, 1\), got 1/],
    [["--dropout", "1"], /--dropout must be a number in \[0, 1\), got 1/],
    [["--n-embd", "30", "--n-head", "4"], /--n-embd \(30\) must be divisible by --n-head \(4\)/],
    [["--n-layer", "0"], /--n-layer must be an integer in \[1, 1024\], got 0/],
    [["--grad-accum", "0"], /--grad-accum must be an integer in \[1, 65536\], got 0/],
    [["--eval-iters", "0"], /--eval-iters must be an integer in \[1, 1e6\], got 0/],
    [["--threads", "0"], /--threads must be an integer in \[1, 1024\], got 0/],
    [["--tokenizer", "bpe"], /argument 'bpe' is invalid\. expected one of char, gpt2/],
    [["--grad-clip", "-1"], /--grad-clip must be a number in \[0, 1e9\], got -1/],
    [["--bogus"], /unknown option '--bogus'/],
  ];
  for (const [args, pattern] of cases) {
    it(`${args.join(" ")} is rejected`, async () => {
      const out = join(root, `never-${args[0]!.slice(2)}`);
      const r = await run(["train", ...args, "--out", out]);
      assert.equal(r.code, 1);
      assert.match(r.err, pattern);
      assert.equal(r.out, "");
      assert.equal(existsSync(out), false);
    });
  }

  it("--config: values are used, flags override them, unknown keys and bad files are errors", async () => {
    const cfg = join(root, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ steps: 3, lr: 0.02, evalInterval: 0, nEmbd: 8 }));
    const out = join(root, "from-config");
    const r = await run(["train", ...TINY, "--config", cfg, "--steps", "2", "--out", out]);
    assert.equal(r.code, 0, r.err);
    const tj = JSON.parse(readFileSync(join(train.resolveCheckpointDir(out), "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(tj.config.steps, 2);
    assert.equal(tj.config.lr, 0.02);
    assert.equal(tj.modelConfig["nEmbd"], 16); // the flag beats the file
    writeFileSync(cfg, JSON.stringify({ stepz: 3 }));
    assert.match((await run(["train", "--config", cfg])).err, /--config: unknown setting "stepz"/);
    writeFileSync(cfg, "{ nope");
    assert.match((await run(["train", "--config", cfg])).err, /--config: .*cfg\.json is not valid JSON/);
    assert.match((await run(["train", "--config", join(root, "none.json")])).err, /--config: cannot read .*none\.json: no such file/);
  });
});

describe("descent train / sample end to end (tiny)", () => {
  const out = join(root, "run");

  it("trains, writes the run directory, refuses to overwrite it, resumes to a new total, samples", async () => {
    const r = await run(["train", ...TINY, "--steps", "6", "--eval-interval", "3", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^run: .*run\nsteps 6\/6 \(6 this run\), 192 tokens in /);
    assert.match(r.out, /val loss \d\.\d{4} \(best \d\.\d{4}\), unigram entropy of the training tokens \d\.\d{4} nats\/token/);
    // The MFU denominator: this machine's measured FMA peak on the native backend (within what a
    // 2-256 thread x86 core can do), the stated assumption on the TypeScript backend.
    if (getBackend().name === "native") {
      const m = /MFU \d+\.\d\d % of this machine's float32 FMA peak, ([\d.]+) GFLOP\/s measured on (\d+) threads? \(--peak-flops sets one\)/.exec(r.out);
      assert.ok(m, r.out);
      assert.ok(Number(m[1]) > 0.5 && Number(m[1]) < 1e5, `peak ${m[1]} GFLOP/s`);
      assert.equal(Number(m[2]), getNumThreads());
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
      assert.ok(Math.abs(summary.peakFlops / 1e9 - Number(m[1])) <= 0.5 + 1e-9, `${summary.peakFlops} vs ${m[1]}`);
    } else {
      assert.match(r.out, /MFU \d+\.\d\d % of an assumed peak of 200 GFLOP\/s \(--peak-flops\)/);
    }
    assert.match(r.out, /\nsample:\n.{11}\n$/s); // the start token (" ": this corpus has no newline) and 10 more
    assert.match(r.err, /eval step 3: train loss \d\.\d{4}, val loss \d\.\d{4}/);
    assert.deepEqual(readdirSync(out).sort(), ["checkpoints", "data.json", "metrics.jsonl", "report.html", "summary.json"]);
    const d = JSON.parse(readFileSync(join(out, "data.json"), "utf8"));
    assert.equal(d.documents, 1);
    assert.equal(d.characters, 8600);
    assert.equal(d.tokens, 8600);
    assert.equal(d.trainTokens, 7740);
    assert.match(d.sha256, /^[0-9a-f]{64}$/);
    const again = await run(["train", ...TINY, "--steps", "6", "--out", out]);
    assert.equal(again.code, 1);
    assert.match(again.err, /already holds a run; continue it with --resume/);

    const res = await run(["train", "--resume", out, "--steps", "9", "--no-progress", "--peak-flops", "1.5e11"]);
    assert.equal(res.code, 0, res.err);
    assert.match(res.out, /steps 9\/9 \(3 this run\)/);
    assert.match(res.out, /MFU \d+\.\d\d % of the given peak of 150 GFLOP\/s \(--peak-flops\)/);
    assert.equal(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).peakFlops, 1.5e11);
    assert.deepEqual(train.readMetrics(join(out, "metrics.jsonl")).map((m) => m.step), [1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const s1 = await run(["sample", "--checkpoint", out, "--prompt", "the ", "--max-new-tokens", "12", "--seed", "5"]);
    assert.equal(s1.code, 0, s1.err);
    assert.equal(s1.out.length, "the ".length + 12 + 1);
    assert.ok(s1.out.startsWith("the "));
    const s2 = await run(["sample", "--checkpoint", out, "--prompt", "the ", "--max-new-tokens", "12", "--seed", "5"]);
    assert.equal(s2.out, s1.out);
    const greedy = await run(["sample", "--checkpoint", out, "--prompt", "the ", "--max-new-tokens", "12", "--temperature", "0", "--seed", "9"]);
    const greedy2 = await run(["sample", "--checkpoint", out, "--prompt", "the ", "--max-new-tokens", "12", "--temperature", "0", "--seed", "1"]);
    assert.equal(greedy.out, greedy2.out);
    assert.match((await run(["sample", "--checkpoint", out, "--top-p", "0"])).err, /--top-p must be a number in \(0, 1\]/);
    assert.match((await run(["sample", "--checkpoint", out, "--prompt", "XYZ"])).err, /character "X" \(U\+0058\) at offset 0 is not in the vocabulary/);
  });

  it("mismatched flags, another corpus and corrupt checkpoints are errors naming the file; nothing in the run directory changes", async () => {
    const before = snapshot(out);
    const ckpt = train.resolveCheckpointDir(out);
    const expect = async (argv: string[], pattern: RegExp, ref = before) => {
      const r = await run(argv);
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, pattern);
      assert.deepEqual(changed(snapshot(out), ref), []);
    };
    await expect(["train", "--resume", out, "--lr", "0.5"], /--lr 0\.5 differs from the checkpoint's 0\.003 \(.*step-000009\/trainer\.json\)/);
    await expect(["train", "--resume", out, "--n-embd", "32"], /--n-embd 32 differs from the checkpoint's 16 \(.*config\.json\)/);
    await expect(["train", "--resume", out, "--steps", "5"], /--steps 5 is below the checkpoint's step 9/);
    const other = join(root, "other.txt");
    writeFileSync(other, readFileSync(corpus, "utf8").replace("fox", "cat"));
    await expect(["train", "--resume", out, "--data", other, "--steps", "12"], /the corpus .* differs from the one the checkpoint was trained on/);
    const model = join(ckpt, "model.safetensors");
    const bytes = readFileSync(model);
    writeFileSync(model, bytes.subarray(0, bytes.length - 7));
    const snap = snapshot(out);
    try {
      const r = await run(["train", "--resume", out, "--steps", "12"]);
      assert.equal(r.code, 1);
      assert.match(r.err, /incomplete checkpoint: model\.safetensors is \d+ bytes but the manifest says \d+/);
      assert.deepEqual(changed(snapshot(out), snap), []);
      assert.match((await run(["sample", "--checkpoint", out])).err, /model\.safetensors is \d+ bytes/);
    } finally {
      writeFileSync(model, bytes);
    }
    const tok = join(ckpt, "tokenizer.json");
    const tokBytes = readFileSync(tok);
    writeFileSync(tok, JSON.stringify({ type: "char", chars: ["a", "b"] }));
    try {
      await expect(["train", "--resume", out, "--steps", "12"], /incomplete checkpoint: tokenizer\.json is \d+ bytes/, snapshot(out));
    } finally {
      writeFileSync(tok, tokBytes);
    }
  });
});

describe("descent train --detect-anomaly", () => {
  it("is recorded in trainer.json; a resumed run is in anomaly mode only when the flag is given again, and says so", async () => {
    const out = join(root, "anomaly");
    const r = await run(["train", ...TINY, "--steps", "2", "--eval-interval", "0", "--sample-tokens", "0", "--detect-anomaly", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /anomaly mode on \(--detect-anomaly\)/);
    const recorded = () => (JSON.parse(readFileSync(join(train.resolveCheckpointDir(out), "trainer.json"), "utf8")) as train.TrainerJSON).detectAnomaly;
    assert.equal(recorded(), true);
    const plain = await run(["train", "--resume", out, "--steps", "3", "--no-progress"]);
    assert.equal(plain.code, 0, plain.err);
    assert.doesNotMatch(plain.err, /anomaly mode on/);
    assert.match(plain.err, /note: the checkpoint's session ran with --detect-anomaly; this one does not \(pass it again to keep anomaly mode\)/);
    assert.equal(recorded(), false);
    const on = await run(["train", "--resume", out, "--steps", "4", "--no-progress", "--detect-anomaly"]);
    assert.equal(on.code, 0, on.err);
    assert.match(on.err, /anomaly mode on/);
    assert.doesNotMatch(on.err, /note: the checkpoint's session/);
    assert.equal(recorded(), true);
  });
});

describe("descent train --arch llama", () => {
  it("trains a tiny LLaMA, records the architecture, resumes and samples from it; GPT-only keys are rejected", async () => {
    const out = join(root, "llama");
    const r = await run(["train", ...TINY, "--arch", "llama", "--steps", "4", "--eval-interval", "2", "--out", out]);
    assert.equal(r.code, 0, r.err);
    const dir = train.resolveCheckpointDir(out);
    const tj = JSON.parse(readFileSync(join(dir, "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(tj.arch, "llama");
    const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    assert.deepEqual([cfg.nLayer, cfg.nHead, cfg.nKvHeads, cfg.nEmbd, cfg.tieWeights], [1, 2, 2, 16, false]);
    assert.equal("bias" in cfg, false);
    const res = await run(["train", "--resume", out, "--steps", "5", "--no-progress"]);
    assert.equal(res.code, 0, res.err);
    assert.match(res.out, /steps 5\/5 \(1 this run\)/);
    const s = await run(["sample", "--checkpoint", out, "--prompt", "the ", "--max-new-tokens", "5"]);
    assert.equal(s.code, 0, s.err);
    assert.equal(s.out.length, 4 + 5 + 1);
    const cfgFile = join(root, "llama-bias.json");
    writeFileSync(cfgFile, JSON.stringify({ bias: false }));
    assert.match((await run(["train", "--arch", "llama", "--config", cfgFile])).err, /"bias" is not a setting of the llama architecture/);
  });
});

describe("Ctrl-C (child process)", () => {
  const spawnTrain = (out: string, extra: string[] = []) =>
    spawn(process.execPath, [bin, "train", ...TINY, "--steps", "100000", "--warmup-steps", "1", "--eval-interval", "0", "--out", out, ...extra], { stdio: ["ignore", "pipe", "pipe"] });

  it("finishes the step, saves a checkpoint, says where, exits 130; the run resumes from it", async () => {
    const out = join(root, "sigint");
    const child = spawnTrain(out);
    let err = "";
    let scheduled = false;
    child.stderr.on("data", (d) => {
      err += String(d);
      if (!scheduled && /training from step 0/.test(err)) {
        scheduled = true;
        setTimeout(() => child.kill("SIGINT"), 300);
      }
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    assert.equal(signal, null, err);
    assert.equal(code, 130, err);
    const m = /stopped at step (\d+) of 100000; checkpoint saved to (\S+)/.exec(err);
    assert.ok(m, err);
    const step = Number(m[1]);
    assert.ok(step >= 1);
    assert.equal(train.resolveCheckpointDir(out), m[2]);
    const tj = JSON.parse(readFileSync(join(m[2]!, "trainer.json"), "utf8")) as train.TrainerJSON;
    assert.equal(tj.step, step);
    assert.equal(train.readMetrics(join(out, "metrics.jsonl")).length, step);
    const res = await run(["train", "--resume", out, "--steps", String(step + 2), "--no-progress"]);
    assert.equal(res.code, 0, res.err);
    assert.match(res.out, new RegExp(`steps ${step + 2}/${step + 2} \\(2 this run\\)`));
  });

  it("a second Ctrl-C quits at once; the last complete checkpoint stays readable", async () => {
    const out = join(root, "sigint2");
    const child = spawnTrain(out, ["--checkpoint-interval", "1", "--n-embd", "64", "--batch-size", "32"]);
    let err = "";
    let sent = 0;
    child.stderr.on("data", (d) => {
      err += String(d);
      if (sent === 0 && /checkpoint step 2:/.test(err)) {
        sent = 1;
        child.kill("SIGINT");
      }
      if (sent === 1 && /interrupted: finishing this step/.test(err)) {
        sent = 2;
        child.kill("SIGINT");
      }
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    // Killed by the second signal, or (if the save was faster than the second signal) exited 130 after saving.
    assert.ok(signal === "SIGINT" || code === 130, `${code} ${signal}\n${err}`);
    const dir = train.resolveCheckpointDir(out);
    const ckpt = train.readCheckpoint(dir);
    assert.ok(ckpt.json.step >= 2);
    assert.equal(ckpt.model.size > 0, true);
  });
});
