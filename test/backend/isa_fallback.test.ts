// The AVX2 and portable fallback kernels: rerun the native-vs-TS kernel tests in child processes
// with DESCENT_ISA forcing each path (the default run covers the best ISA of this machine).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { native, skip } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("native ISA fallbacks", { skip }, () => {
  for (const isa of ["avx2", "scalar"]) {
    it(`DESCENT_ISA=${isa}: gemm and kernel tests pass on that code path`, (t) => {
      const probe = spawnSync(process.execPath, ["--input-type=module", "-e",
        `import { nativeInfo } from ${JSON.stringify(join(here, "../../src/backend/native/index.js"))};` +
        "console.log(nativeInfo()?.isa)"], { env: { ...process.env, DESCENT_ISA: isa }, encoding: "utf8" });
      const got = probe.stdout.trim();
      assert.ok(native !== null);
      if (isa === "avx2" && got !== "avx2") return t.skip(`this CPU has no AVX2 (the addon picked ${got})`);
      assert.equal(got, isa, `the addon should report isa=${isa}`);
      const env: NodeJS.ProcessEnv = { ...process.env, DESCENT_ISA: isa };
      delete env["NODE_TEST_CONTEXT"]; // run the child as a top-level test run that prints its report
      const r = spawnSync(process.execPath, ["--test", "--test-reporter=tap",
        join(here, "native_gemm.test.js"), join(here, "native_kernels.test.js")], { env, encoding: "utf8" });
      assert.equal(r.status, 0, `tests failed with DESCENT_ISA=${isa}:\n${r.stdout.slice(-3000)}`);
      assert.match(r.stdout, /# fail 0/);
    });
  }
});
