// The `descent` command: wiring, options, output streams and exit codes (in-process, plus one spawn).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { formatInfo, infoReport, packageVersion } from "../../src/cli/commands/info.js";
import { defineDemo, numberOption } from "../../src/cli/demos/index.js";
import { type CliIO, runCli } from "../../src/cli/program.js";
import { ValueError } from "../../src/util/errors.js";

async function run(argv: string[], demos?: Parameters<typeof runCli>[2]) {
  let out = "";
  let err = "";
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await runCli(argv, io, demos);
  return { code, out, err };
}

describe("descent CLI (in-process)", () => {
  it("demo backprop prints the comparison and exits 0", async () => {
    const r = await run(["demo", "backprop"]);
    assert.equal(r.code, 0);
    assert.equal(r.err, "");
    assert.match(r.out, /Loss \(autograd\):\s+0\.00184/);
    assert.equal([...r.out.matchAll(/max \|manual − autograd\|: 0\.00e\+0/g)].length, 4);
  });

  it("demo backprop --json prints parseable JSON", async () => {
    const r = await run(["demo", "backprop", "--json"]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out) as { maxAbsDiff: number; loss: { manual: number } };
    assert.ok(j.maxAbsDiff <= 1e-15);
    assert.ok(Math.abs(j.loss.manual - 0.001849) < 1e-15);
  });

  it("demo with no name lists the demos; an unknown demo exits 1 with the list", async () => {
    const list = await run(["demo"]);
    assert.equal(list.code, 0);
    assert.match(list.out, /backprop/);
    assert.match(list.out, /chain-rule/);
    assert.match(list.out, /graph/);
    const bad = await run(["demo", "nope"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, "");
    assert.match(bad.err, /^descent: unknown demo 'nope'; available: backprop, chain-rule, graph/);
  });

  it("unknown command and unknown option exit 1 with a clear message", async () => {
    const cmd = await run(["frobnicate"]);
    assert.equal(cmd.code, 1);
    assert.match(cmd.err, /^descent: unknown command 'frobnicate'/);
    const opt = await run(["demo", "backprop", "--bogus"]);
    assert.equal(opt.code, 1);
    assert.match(opt.err, /unknown option '--bogus'/);
  });

  it("no command prints a one-line usage hint to stderr and exits 1; extra arguments are rejected", async () => {
    const none = await run([]);
    assert.equal(none.code, 1);
    assert.equal(none.out, "");
    assert.match(none.err, /^descent: no command given; usage: descent <demo\|info(\|[a-z]+)*> \[options\] \(run `descent --help` for details\)\n$/);
    const extra = await run(["demo", "backprop", "extra"]);
    assert.equal(extra.code, 1);
    assert.match(extra.err, /too many arguments/);
  });

  it("a non-Descent error is reported as an internal error with exit code 1", async () => {
    const broken = defineDemo<Record<string, never>>({
      name: "broken",
      summary: "throws a TypeError",
      run: () => {
        throw new TypeError("boom");
      },
    });
    const r = await run(["demo", "broken"], [broken]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^descent: internal error \(please report\): TypeError: boom/);
  });

  it("--version prints package.json's version; --help lists the commands", async () => {
    const v = await run(["--version"]);
    assert.equal(v.code, 0);
    assert.equal(v.out.trim(), packageVersion());
    assert.match(v.out.trim(), /^\d+\.\d+\.\d+/);
    const h = await run(["--help"]);
    assert.equal(h.code, 0);
    assert.match(h.out, /demo \[name\]/);
    assert.match(h.out, /info/);
  });

  it("info reports version, Node, backend and thread count", async () => {
    const r = await run(["info"]);
    assert.equal(r.code, 0);
    const rep = infoReport();
    assert.equal(rep.node, process.version);
    assert.ok(rep.backend === "ts" || rep.backend === "native");
    assert.ok(rep.threads >= 1);
    assert.ok(rep.nativeAvailable || rep.nativeError !== null, "a missing addon says why");
    assert.match(r.out, new RegExp(`descent\\s+${packageVersion().replace(/\./g, "\\.")}`));
    assert.match(r.out, new RegExp(`node\\s+${process.version.replace(/\./g, "\\.")}`));
    assert.match(r.out, new RegExp(`backend\\s+${rep.backend}`));
    assert.match(r.out, /threads\s+\d+/);
    assert.equal(formatInfo(rep), r.out.trimEnd());
  });

  it("demos declare their own options; DescentErrors print `descent: <message>` without a stack", async () => {
    const seen: { warmupSteps: number; csv?: string }[] = [];
    const fake = defineDemo<{ warmupSteps: number; csv?: string }>({
      name: "fake",
      summary: "test demo",
      options: [numberOption("--warmup-steps <n>", "steps", 100), { flags: "--csv <path>", description: "csv" }],
      run: (o) => {
        seen.push({ warmupSteps: o.warmupSteps, ...(o.csv ? { csv: o.csv } : {}) });
        if (o.csv === "fail") throw new ValueError("fake: cannot write fail");
        return "ok";
      },
    });
    assert.deepEqual(await run(["demo", "fake"], [fake]), { code: 0, out: "ok\n", err: "" });
    assert.equal((await run(["demo", "fake", "--warmup-steps", "7", "--csv", "x.csv"], [fake])).code, 0);
    assert.deepEqual(seen, [{ warmupSteps: 100 }, { warmupSteps: 7, csv: "x.csv" }]);
    const badNum = await run(["demo", "fake", "--warmup-steps", "abc"], [fake]);
    assert.equal(badNum.code, 1);
    assert.match(badNum.err, /expected a number, got "abc"/);
    const thrown = await run(["demo", "fake", "--csv", "fail"], [fake]);
    assert.equal(thrown.code, 1);
    assert.equal(thrown.err, "descent: fake: cannot write fail\n");
  });
});

describe("descent CLI (spawned)", () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

  it("node bin/descent.js demo backprop exits 0 and prints both losses", () => {
    const r = spawnSync(process.execPath, [join(root, "bin", "descent.js"), "demo", "backprop"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Loss \(manual\):\s+0\.00184/);
    assert.match(r.stdout, /Loss \(autograd\):\s+0\.00184/);
    // The only stderr allowed is the one-line notice printed when the native addon is not built.
    assert.equal(r.stderr.replace(/^descent: native backend unavailable, using the TypeScript backend \(.*\)\n/, ""), "");
  });

  it("an unknown command exits 1; a bad DESCENT_BACKEND is a one-line error", () => {
    const bad = spawnSync(process.execPath, [join(root, "bin", "descent.js"), "nope"], { encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^descent: unknown command 'nope'/);
    const env = { ...process.env, DESCENT_BACKEND: "bogus" };
    const info = spawnSync(process.execPath, [join(root, "bin", "descent.js"), "info"], { encoding: "utf8", env });
    assert.equal(info.status, 1);
    assert.equal(info.stderr, 'descent: DESCENT_BACKEND must be "ts" or "native", got "bogus"\n');
  });
});
