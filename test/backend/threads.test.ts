// Thread-count control of the native backend: setNumThreads/getNumThreads, validation, and the
// DESCENT_NUM_THREADS environment variable read when the addon loads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { backendInfo, getNumThreads, setNumThreads } from "../../src/backend/index.js";
import { nativeInfo } from "../../src/backend/native/index.js";
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
      setNumThreads(3);
      assert.equal(getNumThreads(), 3);
      if (backendInfo().backend === "native") assert.equal(backendInfo().threads, 3);
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
});
