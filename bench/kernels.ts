// Non-GEMM kernel benchmark: milliseconds per call (median) of Descent native (2 threads and 1)
// vs the TypeScript reference on transformer-sized float32 inputs. Usage: npm run bench:kernels
import type { Backend } from "../src/backend/backend.js";
import { loadNativeBackend, nativeInfo, setNumThreads } from "../src/backend/native/index.js";
import { tsBackend } from "../src/backend/ts/index.js";
import { cpuModel, fmt, printTable, timeIt } from "./harness.js";

const R = 2048, C = 768, V = 8192, P = 4 * 1024 * 1024; // rows (B*T), channels, vocab, parameters

function rand(n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * Math.random();
  return a;
}

const x = rand(R * 4 * C, -4, 4), y = rand(R * 4 * C), out = new Float32Array(R * 4 * C);
const row = rand(4 * C), logits = rand(R * V, -5, 5), probs = new Float32Array(R * V);
const targets = Int32Array.from({ length: R }, (_, i) => (i * 131) % V), loss = new Float32Array(R);
const mean = new Float32Array(R), rstd = new Float32Array(R), w = rand(C), b = rand(C), gw = new Float32Array(C), gb = new Float32Array(C);
const param = rand(P), grad = rand(P), m = new Float32Array(P), v = new Float32Array(P);
const table = rand(V * C), idx = Int32Array.from({ length: R }, (_, i) => (i * 17) % V), sums = new Float32Array(4 * C);
const n4 = R * 4 * C, nC = R * C;
const sortIdx = new Int32Array(nC);

const CASES: [string, (be: Backend) => void][] = [
  [`exp (${R}×${4 * C})`, (be) => be.unary("exp", x, out)],
  [`gelu (${R}×${4 * C})`, (be) => be.unary("gelu", x, out)],
  [`gelu backward (${R}×${4 * C})`, (be) => be.unaryBackward("gelu", x, y, y, out)],
  [`tanh (${R}×${4 * C})`, (be) => be.unary("tanh", x, out)],
  [`add same shape (${R}×${4 * C})`, (be) => be.binary("add", x, [n4], y, [n4], out, [n4])],
  [`add row broadcast (${R}×${4 * C} + ${4 * C})`, (be) => be.binary("add", x, [R, 4 * C], row, [4 * C], out, [R, 4 * C])],
  [`mul scalar (${R}×${4 * C})`, (be) => be.binary("mul", x, [n4], row.subarray(0, 1), [], out, [n4])],
  [`sum over rows (${R}×${4 * C} -> ${4 * C})`, (be) => be.reduce("sum", x, 1, R, 4 * C, sums)],
  [`softmax (${R}×${V})`, (be) => be.softmax(logits, R, V, probs)],
  [`layerNorm (${R}×${C})`, (be) => be.layerNorm(x.subarray(0, nC), w, b, R, C, 1e-5, out.subarray(0, nC), mean, rstd)],
  [`layerNorm backward (${R}×${C})`, (be) => be.layerNormBackward(x.subarray(0, nC), w, mean, rstd, y.subarray(0, nC), R, C, out.subarray(0, nC), gw, gb)],
  [`crossEntropy (${R}×${V})`, (be) => be.crossEntropy(logits, targets, R, V, -100, 0, loss, probs)],
  [`embedding (${R} rows of ${C})`, (be) => be.embedding(table, idx, C, out.subarray(0, nC))],
  [`transpose copy (${R}×${4 * C})`, (be) => be.stridedCopy(x, out, { shape: [4 * C, R], srcOffset: 0, srcStrides: [1, 4 * C], dstOffset: 0, dstStrides: [R, 1], accumulate: false })],
  [`adamUpdate (${P / 1024 / 1024}M params)`, (be) => be.adamUpdate(param, grad, m, v, null, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: true, step: 10, amsgrad: false, gradScale: 1 })],
  // Breadth kernels (TS only so far: the native backend delegates them to the reference).
  [`silu (${R}×${4 * C})`, (be) => be.activation("silu", x, { a: 0, b: 0 }, out)],
  [`cumsum along rows (${R}×${4 * C})`, (be) => be.scan("cumsum", x, R, 4 * C, 1, false, out)],
  [`sort rows (${R}×${C})`, (be) => be.sort(x.subarray(0, nC), R, C, 1, false, out.subarray(0, nC), sortIdx)],
];

const native = loadNativeBackend();
console.log(`# Descent kernel benchmark (float32) — ${new Date().toISOString()}`);
console.log(`CPU: ${cpuModel()}; native: ${JSON.stringify(nativeInfo())}\n`);
const rows = CASES.map(([name, fn]) => {
  const ms = (be: Backend | null, threads?: number) => {
    if (!be) return null;
    if (threads) setNumThreads(threads);
    return timeIt(() => fn(be), 0.5, 15).seconds * 1e3;
  };
  const n2 = ms(native, 2), n1 = ms(native, 1), t = ms(tsBackend);
  return [name, fmt(n2, 2), fmt(n1, 2), fmt(t, 2), fmt(n2 && t ? t / n2 : null, 1)];
});
setNumThreads(2);
printTable(["kernel", "native 2T ms", "native 1T ms", "TS ms", "speedup (2T vs TS)"], rows);
