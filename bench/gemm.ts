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

/** Measure a GEMM implementation on every shape, skipping shapes estimated to exceed the limit. */
function series(run: (s: [number, number, number]) => (() => void) | null, slow: boolean): Result[] {
  let rate = 0; // GFLOPS seen so far, for the time estimate
  return SHAPES.map((s) => {
    if (slow && rate > 0 && flopsOf(s) / (rate * 1e9) > SLOW_LIMIT_S) return null;
    const fn = run(s);
    if (!fn) return null;
    const t = timeIt(fn, slow ? 1 : 1.5);
    const g = flopsOf(s) / t.seconds / 1e9;
    rate = rate === 0 ? g : Math.min(rate, g) * 0.8 + Math.max(rate, g) * 0.2;
    return g;
  });
}

function descent(Ctor: Float32ArrayConstructor | Float64ArrayConstructor, threads: number | null): Result[] {
  const be = threads === null ? tsBackend : loadNativeBackend();
  if (!be) return SHAPES.map(() => null);
  if (threads !== null) setNumThreads(threads);
  return series(([m, k, n]) => {
    const a = rand(Ctor, m * k), b = rand(Ctor, k * n), c = new Ctor(m * n);
    const p = params(m, k, n);
    return () => be.gemm(a, b, c, p);
  }, threads === null);
}

async function tfjs(backend: "wasm" | "cpu"): Promise<{ results: Result[]; note: string }> {
  try {
    const tf = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-cpu");
    if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
    await tf.ready();
    const note = backend === "wasm"
      ? `simd=${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")} threads=${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")}`
      : "plain JS";
    const results = series(([m, k, n]) => {
      const a = tf.tensor2d(rand(Float32Array, m * k) as Float32Array, [m, k]);
      const b = tf.tensor2d(rand(Float32Array, k * n) as Float32Array, [k, n]);
      return () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      };
    }, backend === "cpu");
    return { results, note };
  } catch (e) {
    return { results: SHAPES.map(() => null), note: `unavailable: ${e instanceof Error ? e.message : String(e)}` };
  }
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
    runs = max(3, min(25, int(round(1.5 / max(first, 1e-6)))))
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
    ts.sort()
    out.append(2.0 * m * k * n / ts[len(ts) // 2] / 1e9)
print(json.dumps({"gflops": out, "numpy": np.__version__, "core": corename(), "python": sys.executable}))
`;

function numpy(): { results: Result[]; note: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: "2", OPENBLAS_NUM_THREADS: "2" };
  delete env["OPENBLAS_CORETYPE"];
  delete env["OPENBLAS_L2_SIZE"];
  const r = spawnSync("python3", ["-c", NUMPY_SCRIPT, JSON.stringify(SHAPES)], { env, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    return { results: SHAPES.map(() => null), note: `unavailable (${(r.stderr || r.error?.message || "").trim().split("\n").pop()})` };
  }
  const j = JSON.parse(r.stdout) as { gflops: number[]; numpy: string; core: string; python: string };
  return { results: j.gflops, note: `NumPy ${j.numpy} (${j.python}), OpenBLAS kernel: ${j.core}, 2 threads` };
}

async function main(): Promise<void> {
  const info = nativeInfo();
  console.log(`# Descent GEMM benchmark — ${new Date().toISOString()}`);
  console.log(`CPU: ${cpuModel()}; Node ${process.version}`);
  console.log(`Descent native: ${info ? `isa=${info.isa}, default threads=${info.threads}` : `unavailable (${nativeLoadError()})`}`);
  const defaultThreads = getNumThreads();
  console.log("Measuring NumPy (subprocess)…");
  const np = numpy();
  console.log("Measuring Descent native…");
  const n2 = descent(Float32Array, 2);
  const n1 = descent(Float32Array, 1);
  const n64 = descent(Float64Array, 2);
  setNumThreads(defaultThreads);
  console.log("Measuring Descent TS, tfjs-wasm, tfjs-cpu…");
  const ts = descent(Float32Array, null);
  const wasm = await tfjs("wasm");
  const cpu = await tfjs("cpu");
  console.log(`tfjs-wasm: ${wasm.note}; tfjs-cpu: ${cpu.note}`);
  console.log(`NumPy: ${np.note}`);
  console.log("GFLOPS, float32 unless noted, median of runs; — = skipped (estimated > 10 s/run) or unavailable\n");
  const rows = SHAPES.map((s, i) => [
    label(s), fmt(n2[i]), fmt(n1[i]), fmt(n64[i]), fmt(ts[i], 2), fmt(wasm.results[i]), fmt(cpu.results[i], 2),
    fmt(np.results[i]),
    fmt(n2[i] !== null && np.results[i] ? n2[i]! / np.results[i]! : null, 2),
    fmt(n2[i] !== null && wasm.results[i] ? n2[i]! / wasm.results[i]! : null, 1),
  ]);
  printTable(["shape [M×K·K×N]", "native 2T", "native 1T", "native f64 2T", "TS", "tfjs-wasm", "tfjs-cpu",
    "NumPy 2T", "native/NumPy", "native/wasm"], rows);
}

await main();
