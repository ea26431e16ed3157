// A/B of raw native GEMM addons on the MLP and GPT (a) step shapes: loads every addon file named
// in ADDONS (comma separated, default the built one) and times each shape on each, alternating
// within one process, at THREADS (default "1,2"). Reports median GFLOPS per addon. COLD=1 streams
// through 64 MiB before every call (untimed), so operands come from memory as in a training step.
// Usage: ADDONS=/tmp/old.node,build/Release/descent_native.node node dist/bench/gemm_shapes_ab.js
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { NativeAddon } from "../src/backend/native/addon.js";

const req = createRequire(import.meta.url);
const paths = (process.env["ADDONS"] ?? "build/Release/descent_native.node").split(",");
const addons = paths.map((p) => req(resolve(p)) as NativeAddon);
const threadsList = (process.env["THREADS"] ?? "1,2").split(",").map(Number);
const reps = Number(process.env["REPS"] ?? 15);
// [m, n, k, transA, transB, bias]
// SET=b: the GPT (b) step's shapes (6L/6H/384, T 256, B 8) instead.
const SHAPES_B: [number, number, number, boolean, boolean, boolean][] = [
  [2048, 1536, 384, false, true, true], [2048, 384, 1536, false, true, true], [2048, 384, 1536, false, false, false],
  [2048, 1536, 384, false, false, false], [384, 1536, 2048, true, false, false], [1536, 384, 2048, true, false, false],
  [2048, 1152, 384, false, true, true], [1152, 384, 2048, true, false, false], [2048, 384, 384, false, true, true],
];
const SHAPES_A: [number, number, number, boolean, boolean, boolean][] = [
  [256, 1024, 784, false, true, true], [256, 1024, 1024, false, true, true], [256, 1024, 1024, false, false, false],
  [1024, 1024, 256, true, false, false], [1024, 784, 256, true, false, false],
  [2048, 384, 128, false, true, true], [2048, 128, 128, false, true, true], [2048, 512, 128, false, true, true],
  [2048, 128, 512, false, true, true], [2048, 128, 384, false, false, false], [384, 128, 2048, true, false, false],
  [128, 512, 2048, true, false, false],
];
const flush = process.env["COLD"] === "1" ? new Float32Array(16 << 20) : null;
let sink = 0;
const evict = (): void => {
  if (!flush) return;
  for (let i = 0; i < flush.length; i += 16) { flush[i] = flush[i]! + 1; sink += flush[i]!; }
};
const SHAPES = process.env["SET"] === "b" ? SHAPES_B : SHAPES_A;
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const nt of threadsList) {
  for (const [m, n, k, ta, tb, bias] of SHAPES) {
    const a = rand(m * k), b = rand(k * n), bi = rand(n);
    const cs = addons.map(() => new Float32Array(m * n));
    const t: number[][] = addons.map(() => []);
    for (let r = 0; r < reps; r++) {
      addons.forEach((ad, i) => {
        ad.setNumThreads(nt);
        evict();
        const t0 = performance.now();
        ad.gemm(a, b, cs[i]!, 1, m, n, k, ta, tb, 1, 0, 0, 0, 0, 0, 0, 0, bias ? bi : null, -1, null);
        t[i]!.push(performance.now() - t0);
      });
    }
    const same = cs.every((c) => c.every((v, j) => Object.is(v, cs[0]![j])));
    const gf = t.map((x) => (2 * m * n * k / med(x) / 1e6).toFixed(0).padStart(5));
    console.log(`${nt}T ${`${m}x${n}x${k}${ta ? " tA" : ""}${tb ? " tB" : ""}${bias ? " bias" : ""}`.padEnd(24)} GFLOPS ${gf.join(" ")}${same ? "" : "  (outputs differ!)"}`);
  }
}
if (sink === -1) console.log(sink); // keeps the eviction loop from being optimised away
