// The AVX2 and portable fallback kernels: rerun the native-vs-TS kernel tests in child processes
// with DESCENT_ISA forcing each path (the default run covers the best ISA of this machine).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
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

// Every per-ISA object is linked into the one addon that CPUs without that ISA load too, so it must
// run nothing at load time (a dynamic initializer built with -mavx512f is an illegal instruction on
// an AVX2-only CPU: it happened to the row-kernel table) and define no weak/COMDAT symbol the
// linker could pick over the baseline copy of the same inline function.
describe("native per-ISA objects", { skip }, () => {
  const objRoot = join(here, "../../../build/Release/obj.target");
  const objects = existsSync(objRoot)
    ? readdirSync(objRoot).filter((d) => /_(avx2|avx512)$/.test(d)).flatMap((d) => {
      const dir = join(objRoot, d, "native");
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".o")).map((f) => join(dir, f)) : [];
    })
    : [];
  it("run no code at load time and share no inline definitions with the baseline", (t) => {
    if (objects.length === 0) return t.skip("no build/Release object files (a prebuilt addon)");
    const nm = spawnSync("nm", ["--defined-only", ...objects], { encoding: "utf8" });
    if (nm.error) return t.skip(`nm is not available (${nm.error.message})`);
    assert.equal(nm.status, 0, nm.stderr);
    assert.ok(objects.length >= 4, `expected the AVX2 and AVX-512 objects, found ${objects.join(", ")}`);
    const offending = nm.stdout.split("\n").filter((line) => {
      const [, type, name] = line.trim().split(/\s+/);
      return name !== undefined && (/^_GLOBAL__sub_I|^_GLOBAL__I/.test(name) || type === "W" || type === "V" || type === "u");
    });
    assert.deepEqual(offending, [], "load-time initializers or shared inline definitions in per-ISA objects");
  });
});
