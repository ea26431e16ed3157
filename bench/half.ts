// float16/bfloat16 conversion throughput: the native kernels (F16C / AVX-512 BF16 / portable, as
// dispatched) vs the TypeScript reference, and what a bfloat16 matmul costs against float32 (the
// widening to float32 around every kernel). Usage: npm run bench:half  (not a test).
import { loadAddon } from "../src/backend/native/addon.js";
import { tsKernels } from "../src/backend/ts/index.js";
import { BFloat16Bits, Float16Bits } from "../src/util/dtype.js";
import { randn } from "../src/tensor/create.js";
import "../src/ops/index.js";
import { cpuModel, fmt, printTable, timeIt } from "./harness.js";

const N = 1 << 22; // 4M elements
const addon = loadAddon().addon;
const src = new Float32Array(N).map(() => Math.random() * 200 - 100);
const rows: string[][] = [];
for (const [name, Half] of [["float16", Float16Bits], ["bfloat16", BFloat16Bits]] as const) {
  const dst = new Half(N);
  const back = new Float32Array(N);
  const gb = (s: number): string => fmt((N * 6) / s / 1e9, 2); // 4 bytes read + 2 written per element
  const tsNarrow = timeIt(() => tsKernels.cast(src, dst)).seconds;
  const tsWiden = timeIt(() => tsKernels.cast(dst, back)).seconds;
  const bf = name === "bfloat16";
  const nNarrow = addon?.halfFromFloat32 ? timeIt(() => addon.halfFromFloat32!(src, dst, bf)).seconds : NaN;
  const nWiden = addon?.halfToFloat32 ? timeIt(() => addon.halfToFloat32!(dst, back, bf)).seconds : NaN;
  rows.push([`f32 -> ${name}`, gb(tsNarrow), gb(nNarrow), fmt(tsNarrow / nNarrow, 1)]);
  rows.push([`${name} -> f32`, gb(tsWiden), gb(nWiden), fmt(tsWiden / nWiden, 1)]);
}
console.log(`CPU: ${cpuModel()}; conversion path: ${addon?.halfIsa?.() ?? "no addon"}; ${N} elements`);
printTable(["conversion", "TS GB/s", "native GB/s", "speedup"], rows);

const a = randn([512, 512]), b = randn([512, 512]);
const a16 = a.to("bfloat16"), b16 = b.to("bfloat16");
const t32 = timeIt(() => a.matmul(b)).seconds;
const t16 = timeIt(() => a16.matmul(b16)).seconds;
printTable(["512³ matmul", "ms"], [["float32", fmt(t32 * 1e3, 2)], ["bfloat16 (widened to float32, rounded back)", fmt(t16 * 1e3, 2)]]);
