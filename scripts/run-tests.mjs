#!/usr/bin/env node
// Runs every compiled test (dist/test/**/*.test.js) with node:test, once on the default backend
// (native when the addon is built) and once more on the TypeScript reference backend, then prints
// one combined "N passed, N failed" line. Exits non-zero if either pass fails.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

function run(label, env) {
  console.log(`\n=== tests on the ${label} backend ===`);
  const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
    cwd: root, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 28,
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const count = (key) => Number(r.stdout.match(new RegExp(`^ℹ ${key} (\\d+)$`, "m"))?.[1] ?? 0);
  return { pass: count("pass"), fail: count("fail"), skipped: count("skipped"), todo: count("todo"), status: r.status ?? 1 };
}

const files = findTests(join(root, "dist", "test"));
if (files.length === 0) {
  console.error("run-tests: no compiled tests under dist/test; run `npm run build` first");
  process.exit(1);
}
const { backendInfo } = await import(join(root, "dist", "src", "backend", "index.js"));
const info = backendInfo();
const runs = [run(info.backend, {})];
if (info.backend !== "ts") runs.push(run("ts", { DESCENT_BACKEND: "ts" }));
else console.log(`\n(native addon not loaded: ${info.nativeError ?? "unknown reason"}; tests ran on the TS backend only)`);

const total = runs.reduce((a, r) => ({ pass: a.pass + r.pass, fail: a.fail + r.fail, skipped: a.skipped + r.skipped }), { pass: 0, fail: 0, skipped: 0 });
const failedRun = runs.some((r) => r.status !== 0);
console.log(`\ntotal: ${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(failedRun || total.fail > 0 ? 1 : 0);
