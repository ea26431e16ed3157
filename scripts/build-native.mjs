#!/usr/bin/env node
// Builds the native kernels (native/ -> build/Release/descent_native.node) with node-gyp at
// install time. Never fails the install: on any error it prints why and exits 0, and Descent
// then runs on the TypeScript backend. DESCENT_SKIP_NATIVE=1 skips the build.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const say = (msg) => console.log(`descent: ${msg}`);

/** node-gyp as npm runs it: npm's own copy first, then one installed next to node or in node_modules. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    candidates.push(join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  }
  const prefix = resolve(dirname(process.execPath), "..");
  candidates.push(join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(join(prefix, "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  try {
    candidates.push(createRequire(join(root, "package.json")).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not installed locally; fine
  }
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Local Node headers, so node-gyp never tries to download them. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = resolve(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  if (process.env.DESCENT_SKIP_NATIVE === "1") {
    say("DESCENT_SKIP_NATIVE=1: not building the native addon (the TypeScript backend will be used)");
    return;
  }
  const gyp = findNodeGyp();
  if (!gyp) {
    say("node-gyp not found, native addon not built; the TypeScript backend will be used");
    return;
  }
  const started = Date.now();
  const r = spawnSync(process.execPath, [gyp, "rebuild", "--release", "--jobs", "max", ...nodedirArgs()], {
    cwd: root, encoding: "utf8", env: process.env, maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status === 0 && existsSync(join(root, "build", "Release", "descent_native.node"))) {
    say(`native addon built in ${((Date.now() - started) / 1000).toFixed(0)} s (build/Release/descent_native.node)`);
    return;
  }
  const tail = out.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("gyp info")).slice(-15).join("\n");
  say(`building the native addon failed (${r.error?.message ?? `exit code ${r.status}`}); ` +
    "Descent still works on the TypeScript backend. Last build output:");
  console.log(tail);
}

try {
  main();
} catch (e) {
  say(`native build skipped: ${e instanceof Error ? e.message : String(e)}`);
}
process.exit(0);
