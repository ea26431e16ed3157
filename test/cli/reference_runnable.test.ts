// docs/reference-runnable.md stays true: every command in its console blocks runs (exit 0) and
// prints every line the page quotes under it; every `descent demo <name>` it mentions exists.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DEMOS } from "../../src/cli/demos/index.js";
import { runCli } from "../../src/cli/program.js";

const page = readFileSync(new URL("../../../docs/reference-runnable.md", import.meta.url), "utf8");

interface Example {
  command: string;
  expected: string[];
}

/** The `$ descent ...` commands of the page's ```console blocks, each with the lines quoted under it. */
function examples(markdown: string): Example[] {
  const out: Example[] = [];
  let indent: number | null = null;
  for (const raw of markdown.split("\n")) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(raw);
    if (fence) {
      indent = indent === null && fence[2] === "console" ? fence[1]!.length : null;
      continue;
    }
    if (indent === null) continue;
    const line = raw.slice(indent).trimEnd();
    if (line.startsWith("$ ")) out.push({ command: line.slice(2), expected: [] });
    else if (line !== "..." && line !== "") out[out.length - 1]!.expected.push(line);
  }
  return out;
}

async function run(command: string): Promise<{ code: number; out: string; err: string }> {
  const argv = command.split(/\s+/);
  assert.equal(argv.shift(), "descent", `commands on the page start with descent: ${command}`);
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("docs/reference-runnable.md", () => {
  const found = examples(page);

  it("has a console example for every section of the reference it covers", () => {
    assert.ok(found.length >= 14, `found ${found.length} examples`);
    for (const e of found) assert.ok(e.expected.length > 0, `${e.command} quotes no output`);
  });

  for (const e of found) {
    it(`${e.command} runs and prints the quoted lines`, async () => {
      const r = await run(e.command);
      assert.equal(r.code, 0, `${e.command} exited ${r.code}: ${r.err}`);
      const lines = new Set(r.out.split("\n").map((l) => l.trimEnd()));
      for (const want of e.expected) assert.ok(lines.has(want), `${e.command} did not print:\n${want}`);
    });
  }

  it("names only demos that exist", () => {
    const names = new Set(DEMOS.map((d) => d.name));
    const mentioned = [...page.matchAll(/descent demo ([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
    assert.ok(mentioned.length > 0);
    for (const name of mentioned) assert.ok(names.has(name), `descent demo ${name} is not a registered demo`);
  });
});
