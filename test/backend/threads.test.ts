// Thread-count control of the native backend: setNumThreads/getNumThreads, validation, and the
// DESCENT_NUM_THREADS environment variable read when the addon loads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { availableCores, backendInfo, getNumThreads, measurePeakFlops, setNumThreads } from "../../src/backend/index.js";
import { measureFmaPeak, nativeInfo } from "../../src/backend/native/index.js";
import { ValueError } from "../../src/util/errors.js";
import { skip } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("native thread count", { skip }, () => {
  it("setNumThreads changes getNumThreads, nativeInfo and backendInfo", () => {
    const prev = getNumThreads();
    try {
      setNumThreads(1);
      assert.equal(getNumThreads(), 1);
      assert.equal(nativeInfo()!.threads, 1);
      setNumThreads(3, { force: true });
      assert.equal(getNumThreads(), 3);
      if (backendInfo().backend === "native") assert.equal(backendInfo().threads, 3);
      // Without force the count is capped at the cores available.
      setNumThreads(availableCores() + 5);
      assert.equal(getNumThreads(), availableCores());
    } finally {
      setNumThreads(prev);
    }
  });

  it("measureFmaPeak: the float32 FMA peak in FLOP/s on the pool's threads (the MFU denominator)", () => {
    const prev = getNumThreads();
    try {
      setNumThreads(1);
      const one = measureFmaPeak()!;
      // An x86 core with FMA does 16-64 float32 FLOPs a cycle at 1-6 GHz; the forced scalar path
      // (DESCENT_ISA=scalar) still a few a cycle. Anything outside 1e9-1e12 is a unit or timing bug.
      assert.ok(Number.isFinite(one) && one > 1e9 && one < 1e12, `1 thread: ${one} FLOP/s`);
      assert.equal(measurePeakFlops() === null, backendInfo().backend !== "native");
    } finally {
      setNumThreads(prev);
    }
  });

  it("rejects a thread count that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => setNumThreads(bad), ValueError);
  });

  it("DESCENT_NUM_THREADS sets the default when the addon loads", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e",
      `import { nativeInfo } from ${JSON.stringify(join(here, "../../src/backend/native/index.js"))};` +
      "console.log(nativeInfo()?.threads)"], { env: { ...process.env, DESCENT_NUM_THREADS: "1" }, encoding: "utf8" });
    assert.equal(r.stdout.trim(), "1");
  });

  const probe = (env: Record<string, string>) => spawnSync(process.execPath, ["--input-type=module", "-e",
    `import { nativeInfo } from ${JSON.stringify(join(here, "../../src/backend/native/index.js"))};` +
    "try { console.log(nativeInfo()?.threads); } catch (e) { console.log(e.name + ': ' + e.message); }"], { env: { ...process.env, ...env }, encoding: "utf8" });

  it("DESCENT_NUM_THREADS above the cores is capped unless DESCENT_NUM_THREADS_FORCE=1", () => {
    const many = String(availableCores() + 3);
    assert.equal(probe({ DESCENT_NUM_THREADS: many }).stdout.trim(), String(availableCores()));
    assert.equal(probe({ DESCENT_NUM_THREADS: many, DESCENT_NUM_THREADS_FORCE: "1" }).stdout.trim(), many);
  });

  it("a bad DESCENT_NUM_THREADS, DESCENT_NUM_THREADS_FORCE or DESCENT_ISA is a ValueError naming the variable", () => {
    for (const bad of ["0", "-2", "abc", "1.5", "4 threads"]) {
      assert.match(probe({ DESCENT_NUM_THREADS: bad }).stdout.trim(), new RegExp(`^ValueError: DESCENT_NUM_THREADS must be a positive integer, got "${bad}"$`));
    }
    assert.match(probe({ DESCENT_NUM_THREADS_FORCE: "yes" }).stdout.trim(), /^ValueError: DESCENT_NUM_THREADS_FORCE must be 1/);
    assert.match(probe({ DESCENT_ISA: "avx" }).stdout.trim(), /^ValueError: DESCENT_ISA must be one of avx512, avx2, scalar .*got "avx"$/);
  });
});
