// Fused causal attention benchmark: forward and backward of the native kernel on the packed
// (B, T, 3C) layout models.GPT uses, ms (median) and GFLOPS, 1 and 2 threads, next to PyTorch
// (python3 subprocess, (B, H, T, D) tensors). FLOPs count only the causal half: a query row i
// sees i + 1 keys, so per (batch, head) there are T(T+1)/2 (query, key) pairs, and the forward
// does 4D FLOPs per pair (q.k and p v), the backward 10D (q.k again, dO.v, dV, dQ, dK).
// BENCH_ATTN_BASELINE=path/to/old/descent_native.node adds that build's kernel, interleaved
// with the current one in the same process (A/B); "descent f64" is the float64 kernel. BENCH_ROUNDS
// (default 3) interleaved rounds, median. Usage: npm run bench:attention
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type NativeAddon, loadAddon } from "../src/backend/native/addon.js";
import { cpuModel, fmt, printTable, timeIt } from "./harness.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHAPES: [string, number, number, number, number][] = [["(a)", 16, 4, 128, 32], ["(b)", 8, 6, 256, 64]]; // B, H, T, D
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);

type F = Float32Array | Float64Array;
interface Impl { name: string; addon: NativeAddon; f64?: boolean }

const loaded = loadAddon();
if (!loaded.addon) throw new Error(`bench:attention needs the native addon: ${loaded.error}`);
const impls: Impl[] = [{ name: "descent", addon: loaded.addon }];
const basePath = process.env["BENCH_ATTN_BASELINE"];
if (basePath) impls.push({ name: "baseline", addon: createRequire(import.meta.url)(basePath) as NativeAddon });
impls.push({ name: "descent f64", addon: loaded.addon, f64: true });

function rand<T extends F>(a: T): T {
  for (let i = 0; i < a.length; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** attentionMeta of src/backend/native/backend.ts for the packed causal layout. */
function meta(B: number, H: number, T: number, D: number): Float64Array {
  const C = H * D, lay = (off: number) => [off, 3 * T * C, D, 3 * C];
  return Float64Array.from([B, H, T, T, D, D, 1 / Math.sqrt(D), 1, ...lay(0), ...lay(C), ...lay(2 * C), 0, T * C, D, C]);
}

interface Row { fwd: number[]; bwd: number[]; fwdCpu: number[]; bwdCpu: number[] }

/** Wall-clock median (ms) and process CPU time per call (ms, all threads): the CPU time is not inflated by time slicing. */
function time(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t = timeIt(fn, 0.4, 30);
  const c = process.cpuUsage(c0);
  return { wall: t.seconds * 1e3, cpu: (c.user + c.system) / 1e3 / (t.runs + 1) };
}

function measure(impl: Impl, B: number, H: number, T: number, D: number, threads: number) {
  const Ctor = impl.f64 ? Float64Array : Float32Array, C = H * D;
  const x = rand(new Ctor(B * T * 3 * C)), out = new Ctor(B * T * C), lse = new Ctor(B * H * T);
  const g = rand(new Ctor(B * T * C)), gx = new Ctor(B * T * 3 * C), m = meta(B, H, T, D);
  impl.addon.setNumThreads(threads);
  const fwd = time(() => impl.addon.attentionForward(x, x, x, out, lse, m));
  const bwd = time(() => impl.addon.attentionBackward(x, x, x, out, g, lse, gx, gx, gx, m));
  return { fwd, bwd };
}

interface TorchRow { forwardMs: number; backwardMs: number; forwardCpuMs: number; backwardCpuMs: number }

function torch(threads: number): TorchRow[] | string {
  const t = String(threads);
  const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_WAIT_POLICY: "PASSIVE" };
  const cfg = { shapes: SHAPES.map((s) => s.slice(1)), threads, seconds: 0.6 };
  const r = spawnSync("/usr/bin/python3", [join(ROOT, "bench", "attention_torch.py"), JSON.stringify(cfg)], { env, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-1)[0]}`;
  const res = JSON.parse(r.stdout.trim().split("\n").pop()!) as { rows: TorchRow[]; note: string };
  notes.add(res.note);
  return res.rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const notes = new Set<string>();
console.log(`# Fused causal attention (packed qkv, float32 unless noted) — ${new Date().toISOString()}`);
console.log(`CPU: ${cpuModel()}; native isa=${loaded.addon.isa()}; ${ROUNDS} interleaved rounds, median round\n`);
const table: string[][] = [];
for (const threads of [1, 2]) {
  const results = new Map<string, Row>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, B, H, T, D] of SHAPES) {
      for (const impl of impls) {
        const key = `${name}|${impl.name}`;
        const row = results.get(key) ?? { fwd: [], bwd: [], fwdCpu: [], bwdCpu: [] };
        const t = measure(impl, B, H, T, D, threads);
        row.fwd.push(t.fwd.wall); row.bwd.push(t.bwd.wall); row.fwdCpu.push(t.fwd.cpu); row.bwdCpu.push(t.bwd.cpu);
        results.set(key, row);
      }
    }
  }
  const th = torch(threads);
  SHAPES.forEach(([name, B, H, T, D], si) => {
    const pairs = B * H * T * (T + 1) / 2;
    const gf = (flopsPerPair: number, ms: number) => fmt(pairs * flopsPerPair * D / ms / 1e6, 1);
    const shape = `${name} B${B} H${H} T${T} D${D}`;
    const add = (impl: string, f: number, b: number, fc: number | null, bc: number | null) =>
      table.push([shape, String(threads), impl, fmt(f, 2), gf(4, f), fmt(b, 2), gf(10, b), fmt(fc, 2), fmt(bc, 2)]);
    for (const impl of impls) {
      const row = results.get(`${name}|${impl.name}`)!;
      add(impl.name, median(row.fwd), median(row.bwd), median(row.fwdCpu), median(row.bwdCpu));
    }
    if (typeof th === "string") table.push([shape, String(threads), `torch ${th}`, "—", "—", "—", "—", "—", "—"]);
    else add("torch", th[si]!.forwardMs, th[si]!.backwardMs, th[si]!.forwardCpuMs, th[si]!.backwardCpuMs);
  });
}
for (const impl of impls) impl.addon.setNumThreads(2);
printTable(["shape", "threads", "impl", "fwd ms", "fwd GFLOPS", "bwd ms", "bwd GFLOPS", "fwd CPU ms", "bwd CPU ms"], table);
console.log("\nms: wall-clock median per call; GFLOPS from it; CPU ms: process CPU time per call over all threads (robust to time slicing on a shared machine).");
for (const n of notes) console.log(`\ntorch: ${n}`);
