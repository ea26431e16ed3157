// Native float16/bfloat16 conversion kernels (native/half.cc: portable, F16C, AVX-512 BF16) are
// bit-identical to the TypeScript reference (src/util/half.ts), on every path DESCENT_ISA can force.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadAddon } from "../../src/backend/native/addon.js";
import { BFloat16Bits, Float16Bits } from "../../src/util/dtype.js";
import { f16ToF32Bits, f32BitsToBF16, f32BitsToF16 } from "../../src/util/half.js";
import { native, rng, skip } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const addon = native ? loadAddon().addon : null;

/** Float32 patterns that stress every branch: random bits, every exponent, halfway and subnormal cases. */
function patterns(): Uint32Array {
  const r = rng(7);
  const out: number[] = [];
  for (let i = 0; i < 200000; i++) out.push((r() * 2 ** 32) >>> 0);
  for (let e = 0; e < 256; e++) {
    for (const m of [0, 1, 0x1000, 0x1001, 0x0fff, 0x2000, 0x3000, 0x7fff, 0x8000, 0x8001, 0x18000, 0x7fffff, 0x400000, 0x7fe000]) {
      out.push((e << 23) | m, (0x80000000 | (e << 23) | m) >>> 0);
    }
  }
  return Uint32Array.from(out);
}

describe("native float16/bfloat16 conversion kernels", { skip }, () => {
  it(`match the TS reference bit for bit (path: ${addon?.halfIsa?.() ?? "none"})`, () => {
    assert.ok(addon?.halfFromFloat32 && addon.halfToFloat32, "the addon exports the half kernels");
    const bits = patterns();
    const src = new Float32Array(bits.buffer);
    for (const bf16 of [false, true]) {
      const dst = new Uint16Array(src.length);
      addon.halfFromFloat32!(src, dst, bf16);
      const ref = bf16 ? f32BitsToBF16 : f32BitsToF16;
      for (let i = 0; i < bits.length; i++) {
        if (dst[i] !== ref(bits[i]!)) assert.fail(`${bf16 ? "bfloat16" : "float16"} of 0x${bits[i]!.toString(16)}: native 0x${dst[i]!.toString(16)}, reference 0x${ref(bits[i]!).toString(16)}`);
      }
      // Odd lengths and offsets: the vector loops' tails.
      for (const [off, n] of [[1, 7], [3, 17], [5, 33], [0, 1]] as const) {
        const d = new Uint16Array(n);
        addon.halfFromFloat32!(src.subarray(off, off + n), d, bf16);
        for (let i = 0; i < n; i++) assert.equal(d[i], ref(bits[off + i]!));
      }
      // Every 16-bit pattern back to float32.
      const all = new Uint16Array(65536).map((_, i) => i);
      const wide = new Float32Array(65536);
      addon.halfToFloat32!(all, wide, bf16);
      const w = new Uint32Array(wide.buffer);
      for (let h = 0; h < 65536; h++) {
        const want = bf16 ? (h << 16) >>> 0 : f16ToF32Bits(h);
        if (w[h] !== want) assert.fail(`${bf16 ? "bfloat16" : "float16"} 0x${h.toString(16)} -> native 0x${w[h]!.toString(16)}, reference 0x${want.toString(16)}`);
      }
    }
  });

  it("the native backend's cast uses them for every dtype pair, agreeing with the TS backend", async () => {
    const { tsBackend } = await import("../../src/backend/ts/index.js");
    const src = new Float32Array(patterns().buffer).subarray(0, 5000);
    for (const Half of [Float16Bits, BFloat16Bits]) {
      for (const from of [src, Float64Array.from(src), Int32Array.from(src.map((x) => (Number.isFinite(x) ? Math.max(-1e9, Math.min(1e9, x)) : 0)))]) {
        const a = new Half(from.length), b = new Half(from.length);
        native!.cast(from, a);
        tsBackend.cast(from, b);
        assert.deepEqual(a, b);
        const back1 = new Float64Array(a.length), back2 = new Float64Array(a.length);
        native!.cast(a, back1);
        tsBackend.cast(a, back2);
        assert.deepEqual(new Uint8Array(back1.buffer), new Uint8Array(back2.buffer));
      }
    }
  });

  for (const isa of ["scalar", "avx2", "avx512"]) {
    it(`DESCENT_ISA=${isa}: the forced path is bit-identical too`, (t) => {
      const probe = spawnSync(process.execPath, ["--input-type=module", "-e",
        `import { loadAddon } from ${JSON.stringify(join(here, "../../src/backend/native/addon.js"))};` +
        "console.log(loadAddon().addon.halfIsa())"], { env: { ...process.env, DESCENT_ISA: isa }, encoding: "utf8" });
      const path = probe.stdout.trim();
      if (isa === "scalar") assert.equal(path, "portable");
      if (isa === "avx2" && path !== "f16c") return t.skip(`no F16C/AVX2 here (path ${path})`);
      if (isa === "avx512" && !path.includes("avx512bf16")) return t.skip(`no AVX-512 BF16 on this CPU (path ${path})`);
      const env: NodeJS.ProcessEnv = { ...process.env, DESCENT_ISA: isa };
      delete env["NODE_TEST_CONTEXT"];
      const r = spawnSync(process.execPath, ["--test", "--test-reporter=tap", "--test-name-pattern=match the TS reference",
        join(here, "native_half.test.js")], { env, encoding: "utf8" });
      assert.equal(r.status, 0, `failed with DESCENT_ISA=${isa} (path ${path}):\n${r.stdout.slice(-3000)}`);
      assert.match(r.stdout, /# pass [1-9]/);
    });
  }
});
