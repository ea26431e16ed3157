// GEMM benchmark: GFLOPS (median of several runs) of Descent native (f32 with 2 and 1 threads,
// f64), Descent TS, TensorFlow.js wasm and cpu backends, and NumPy/OpenBLAS in a python3
// subprocess, side by side in one run. Usage: npm run bench:gemm  (not a test).
import { spawnSync } from "node:child_process";
import type { GemmParams } from "../src/backend/backend.js";
import { getNumThreads, loadNativeBackend, nativeInfo, nativeLoadError, setNumThreads } from "../src/backend/native/index.js";
import { tsBackend } from "../src/backend/ts/index.js";
import { cpuModel, fmt, printTable, timeIt } from "./harness.js";

/** [M, K, N]: C (M x N) = A (M x K) B (K x N). */
const SHAPES: [number, number, number][] = [
  [128, 128, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [2048, 2048, 2048],
  [2048, 128, 384], [2048, 512, 128],
];
const SLOW_LIMIT_S = 10; // skip a slow baseline when its estimated time per run exceeds this

const flopsOf = ([m, k, n]: [number, number, number]) => 2 * m * k * n;
const label = ([m, k, n]: [number, number, number]) => (m === k && k === n ? `${m}³` : `(${m}×${k})·(${k}×${n})`);

function params(m: number, k: number, n: number): GemmParams {
  return {
    batch: 1, m, n, k, transA: false, transB: false, alpha: 1, beta: 0,
    strideA: 0, strideB: 0, strideC: 0, offsetA: 0, offsetB: 0, offsetC: 0,
  };
}

function rand(Ctor: Float32ArrayConstructor | Float64ArrayConstructor, n: number): Float32Array | Float64Array {
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

type Result = number | null; // GFLOPS, null = skipped / unavailable
type Shape = [number, number, number];

/** A GEMM implementation under test: prepare(shape) returns the call to time, or null to skip. */
interface Impl { name: string; slow: boolean; prepare: (s: Shape) => (() => void) | null }

function descentImpl(name: string, Ctor: Float32ArrayConstructor | Float64ArrayConstructor, threads: number | null): Impl {
  const be = threads === null ? tsBackend : loadNativeBackend();
  return {
    name, slow: threads === null,
    prepare: ([m, k, n]) => {
      if (!be) return null;
      const a = rand(Ctor, m * k), b = rand(Ctor, k * n), c = new Ctor(m * n);
      const p = params(m, k, n);
      return () => {
        if (threads !== null) setNumThreads(threads);
        be.gemm(a, b, c, p);
      };
    },
  };
}

async function tfjsImpl(backend: "wasm" | "cpu"): Promise<{ impl: Impl; note: string }> {
  let note = "";
  let ok = false;
  type Tf = typeof import("@tensorflow/tfjs-core");
  let tf: Tf | null = null;
  try {
    tf = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-cpu");
    await import("@tensorflow/tfjs-backend-wasm");
    ok = await tf.setBackend(backend);
    await tf.ready();
    note = backend === "wasm"
      ? `simd=${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")} threads=${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")}`
      : "plain JS";
  } catch (e) {
    note = `unavailable: ${e instanceof Error ? e.message : String(e)}`;
  }
  const impl: Impl = {
    name: `tfjs-${backend}`, slow: backend === "cpu",
    prepare: ([m, k, n]) => {
      if (!ok || !tf) return null;
      const t = tf;
      if (t.getBackend() !== backend) void t.setBackend(backend); // initialised above: switches at once
      const a = t.tensor2d(rand(Float32Array, m * k) as Float32Array, [m, k]);
      const b = t.tensor2d(rand(Float32Array, k * n) as Float32Array, [k, n]);
      return () => {
        if (t.getBackend() !== backend) t.setBackend(backend); // both tfjs backends share one engine
        const c = t.matMul(a, b);
        c.dataSync();
        c.dispose();
      };
    },
  };
  return { impl, note };
}

const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
def corename():
    try:
        import threadpoolctl
        for info in threadpoolctl.threadpool_info():
            if info.get("internal_api") == "openblas":
                return "%s (threadpoolctl, %s threads)" % (info.get("architecture"), info.get("num_threads"))
    except Exception:
        pass
    try:
        import ctypes
        for line in open("/proc/self/maps"):
            path = line.split()[-1]
            if "openblas" in path.lower() and ".so" in path:
                lib = ctypes.CDLL(path)
                for name in ("openblas_get_corename", "scipy_openblas_get_corename64_", "openblas_get_corename64_"):
                    if hasattr(lib, name):
                        f = getattr(lib, name); f.restype = ctypes.c_char_p
                        return f().decode() + " (openblas_get_corename)"
    except Exception:
        pass
    return "unknown"
shapes = json.loads(sys.argv[1])
out = []
for m, k, n in shapes:
    a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32)
    a @ b
    t0 = time.perf_counter(); a @ b; first = time.perf_counter() - t0
    runs = max(3, min(15, int(round(0.5 / max(first, 1e-6)))))
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
    ts.sort()
    out.append(2.0 * m * k * n / ts[len(ts) // 2] / 1e9)
print(json.dumps({"gflops": out, "numpy": np.__version__, "core": corename(), "python": sys.executable}))
`;

/** NumPy/OpenBLAS (2 threads) on one shape in a python3 subprocess: GFLOPS and a description. */
function numpy(shape: Shape): { gflops: Result; note: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: "2", OPENBLAS_NUM_THREADS: "2" };
  delete env["OPENBLAS_CORETYPE"];
  delete env["OPENBLAS_L2_SIZE"];
  const r = spawnSync("python3", ["-c", NUMPY_SCRIPT, JSON.stringify([shape])], { env, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    return { gflops: null, note: `unavailable (${(r.stderr || r.error?.message || "").trim().split("\n").pop()})` };
  }
  const j = JSON.parse(r.stdout) as { gflops: number[]; numpy: string; core: string; python: string };
  return { gflops: j.gflops[0]!, note: `NumPy ${j.numpy} (${j.python}), OpenBLAS kernel: ${j.core}, 2 threads` };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ROUNDS = 3; // the machine is shared and noisy: alternate implementations, then take medians

async function main(): Promise<void> {
  const info = nativeInfo();
  console.log(`# Descent GEMM benchmark — ${new Date().toISOString()}`);
  console.log(`CPU: ${cpuModel()}; Node ${process.version}`);
  console.log(`Descent native: ${info ? `isa=${info.isa}, default threads=${info.threads}` : `unavailable (${nativeLoadError()})`}`);
  const defaultThreads = getNumThreads();
  const wasm = await tfjsImpl("wasm");
  const cpu = await tfjsImpl("cpu");
  const fast: Impl[] = [
    descentImpl("native 2T", Float32Array, 2), descentImpl("native 1T", Float32Array, 1),
    descentImpl("native f64 2T", Float64Array, 2), wasm.impl,
  ];
  const slow: Impl[] = [descentImpl("TS", Float32Array, null), cpu.impl];
  const results = new Map<string, Result[]>();
  const slowRate = new Map<string, number>();
  let npNote = "";
  for (const shape of SHAPES) {
    process.stdout.write(`${label(shape)}: `);
    const calls = fast.map((im) => im.prepare(shape));
    const samples: number[][] = fast.map(() => []);
    const np: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      calls.forEach((fn, i) => { if (fn) samples[i]!.push(flopsOf(shape) / timeIt(fn, 0.5, 15).seconds / 1e9); });
      const n = numpy(shape);
      npNote = n.note;
      if (n.gflops !== null) np.push(n.gflops);
    }
    fast.forEach((im, i) => {
      const list = results.get(im.name) ?? [];
      list.push(samples[i]!.length ? median(samples[i]!) : null);
      results.set(im.name, list);
    });
    const npList = results.get("NumPy") ?? [];
    npList.push(np.length ? median(np) : null);
    results.set("NumPy", npList);
    for (const im of slow) { // one measurement, skipped when the estimate exceeds the limit
      const rate = slowRate.get(im.name);
      const list = results.get(im.name) ?? [];
      const fn = rate !== undefined && flopsOf(shape) / (rate * 1e9) > SLOW_LIMIT_S ? null : im.prepare(shape);
      const g = fn ? flopsOf(shape) / timeIt(fn, 1, 3).seconds / 1e9 : null;
      if (g !== null) slowRate.set(im.name, Math.min(g, rate ?? g));
      list.push(g);
      results.set(im.name, list);
    }
    process.stdout.write("done\n");
  }
  setNumThreads(defaultThreads);
  console.log(`tfjs-wasm: ${wasm.note}; tfjs-cpu: ${cpu.note}`);
  console.log(`NumPy: ${npNote}`);
  console.log(`GFLOPS, float32 unless noted; median of ${ROUNDS} interleaved rounds (each a median of runs);` +
    " — = skipped (estimated > 10 s/run) or unavailable\n");
  const col = (name: string, i: number) => results.get(name)?.[i] ?? null;
  const rows = SHAPES.map((s, i) => {
    const n2 = col("native 2T", i), npv = col("NumPy", i), w = col("tfjs-wasm", i);
    return [
      label(s), fmt(n2), fmt(col("native 1T", i)), fmt(col("native f64 2T", i)), fmt(col("TS", i), 2), fmt(w),
      fmt(col("tfjs-cpu", i), 2), fmt(npv), fmt(n2 !== null && npv ? n2 / npv : null, 2),
      fmt(n2 !== null && w ? n2 / w : null, 1),
    ];
  });
  printTable(["shape [M×K·K×N]", "native 2T", "native 1T", "native f64 2T", "TS", "tfjs-wasm", "tfjs-cpu",
    "NumPy 2T", "native/NumPy", "native/wasm"], rows);
}

await main();
