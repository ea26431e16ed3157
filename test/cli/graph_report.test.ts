// descent graph --checkpoint and descent report on a real (tiny) run: the block's graph grouped by
// module, the trainer's report.html, health lines and the summary sparkline.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/program.js";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("descent graph / report on a trained run", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-graph-"));
  const corpus = join(dir, "corpus.txt");
  writeFileSync(corpus, "the quick brown fox jumps over the lazy dog. ".repeat(100));
  const out = join(dir, "run");

  it("train writes report.html and health lines; graph draws one block; report rewrites it", async () => {
    const r = await run(["train", "--data", corpus, "--steps", "6", "--warmup-steps", "1", "--n-layer", "2", "--n-head", "2", "--n-embd", "16",
      "--batch-size", "2", "--block-size", "8", "--eval-interval", "0", "--eval-iters", "1", "--sample-tokens", "0", "--health-interval", "3",
      "--out", out, "--no-progress"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\nloss [▁▂▃▄▅▆▇█]{6} \d\.\d{3} → \d\.\d{3} \(6 steps\)\n/);
    assert.match(r.err, /report: .*report\.html/);
    assert.ok(existsSync(join(out, "report.html")) && existsSync(join(out, "summary.json")));
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { step: number; health?: { layers: Record<string, unknown> } });
    assert.deepEqual(lines.filter((l) => l.health).map((l) => l.step), [3, 6]);
    assert.ok("transformer.h.1.mlp.c_fc" in lines[2]!.health!.layers);

    const g = await run(["graph", "--checkpoint", out, "--block", "1"]);
    assert.equal(g.code, 0, g.err);
    assert.match(g.out, /^digraph autograd \{/);
    assert.match(g.out, /label="transformer\.h\.1\.attn\.c_attn"/);
    assert.match(g.out, /linear\\n\[1,4,48\] float32\\nsaved /);
    assert.ok(!g.out.includes("transformer.h.0."), "only block 1");
    assert.match(g.out, /add \(outside\)/);
    assert.match((await run(["graph", "--checkpoint", out, "--format", "mermaid"])).out, /^%% transformer\.h\.0 of .*\nflowchart TB/);
    assert.match((await run(["graph", "--checkpoint", out, "--block", "2"])).err, /--block 2 is out of range: the model has 2 blocks/);

    rmSync(join(out, "report.html"));
    const rep = await run(["report", out]);
    assert.equal(rep.code, 0, rep.err);
    assert.equal(rep.out.trim(), join(out, "report.html"));
    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.match(html, /data-stat="steps">6</);
    assert.match((await run(["report", dir])).err, /metrics\.jsonl does not exist/);
  });
});
