// GPT training benchmark: Descent vs PyTorch (python3 subprocess) vs TensorFlow.js wasm on the same
// nanoGPT-layout model and random tokens, plus the MLP benchmark. Every run is its own child
// process (so peak RSS is its own); implementations alternate over rounds because the machine is
// shared. Usage: npm run bench:gpt  (BENCH_ROUNDS=n, BENCH_ONLY=a,b,mlp, BENCH_IMPLS=descent,torch,tfjs). Not a test.
// BENCH_BASELINE=path/to/another/checkout (built: its dist/ and addon) adds that tree's Descent as
// "Descent base", run in the same rounds, so a change is measured against PyTorch and the previous
// commit in one run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getNumThreads, measureFmaPeak, nativeInfo, setNumThreads } from "../src/backend/native/index.js";
import { cpuModel, fmt, printTable } from "./harness.js";
import { type RunConfig, type RunResult, runDescent, runTfjs } from "./gpt_workers.js";

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const ROOT = join(HERE, "..", "..");

interface Bench { name: string; base: Omit<RunConfig, "threads" | "steps" | "warmup" | "budgetS">; steps: number; budgetS: number; oneThread: boolean; tfjsSteps: number; rounds: number }

const BENCHES: Bench[] = [
  { name: "a", base: { kind: "gpt", nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128, batch: 16, vocabSize: 65 }, steps: 15, budgetS: 6, oneThread: true, tfjsSteps: 2, rounds: 2 },
  { name: "b", base: { kind: "gpt", nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, batch: 8, vocabSize: 65 }, steps: 6, budgetS: 12, oneThread: false, tfjsSteps: 1, rounds: 1 },
  { name: "mlp", base: { kind: "mlp", sizes: [784, 1024, 1024, 10], batch: 256 }, steps: 30, budgetS: 4, oneThread: false, tfjsSteps: 2, rounds: 2 },
];

type Impl = "descent" | "base" | "torch" | "tfjs";

const BASELINE = process.env["BENCH_BASELINE"];
if (BASELINE !== undefined && !existsSync(join(BASELINE, "dist", "bench", "gpt.js"))) {
  throw new Error(`BENCH_BASELINE=${BASELINE}: no dist/bench/gpt.js there (check out the commit, npm ci, npx tsc -p tsconfig.json)`);
}

function spawnRun(impl: Impl, cfg: RunConfig): RunResult | string {
  const threads = String(cfg.threads);
  const env: NodeJS.ProcessEnv = { ...process.env };
  let cmd: string, args: string[];
  if (impl === "torch") {
    // PyTorch at its best: OpenBLAS (checked in the output), `threads` for both OpenMP and
    // OpenBLAS, passive OpenMP waiting (its pool and OpenBLAS's would otherwise spin against each
    // other); OPENBLAS_CORETYPE unset so OpenBLAS picks the kernel for this CPU itself.
    Object.assign(env, { OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, OMP_WAIT_POLICY: "PASSIVE", MKL_NUM_THREADS: threads });
    delete env["OPENBLAS_CORETYPE"];
    cmd = "/usr/bin/python3";
    args = [join(ROOT, "bench", "gpt_torch.py"), JSON.stringify(cfg)];
  } else if (impl === "base") {
    cmd = process.execPath;
    args = [join(BASELINE!, "dist", "bench", "gpt.js"), "--worker", "descent", JSON.stringify(cfg)];
  } else {
    cmd = process.execPath;
    args = [fileURLToPath(import.meta.url), "--worker", impl, JSON.stringify(cfg)];
  }
  const r = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 900_000, maxBuffer: 1 << 26 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-2).join(" ")}`;
  const line = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as RunResult;
}

/** float32 GFLOPS of the addon's register-only FMA loop (the peak descent train's MFU divides by) on 1 and `threads` threads. */
function fmaPeak(threads: number): { one: number; many: number } | null {
  const before = getNumThreads();
  try {
    setNumThreads(1);
    const one = measureFmaPeak();
    setNumThreads(threads);
    const many = measureFmaPeak();
    return one === null || many === null ? null : { one: one / 1e9, many: many / 1e9 };
  } finally {
    setNumThreads(before);
  }
}

/** Model FLOPs per step: nanoGPT's 6N + 12·L·C·T per token (N without the position table); 6N per sample for the MLP. */
function flopsPerStep(b: Bench, params: number): number {
  const c = b.base;
  if (c.kind === "mlp") return 6 * params * c.batch;
  const tokens = c.batch * c.blockSize!;
  const n = params - c.blockSize! * c.nEmbd!;
  return tokens * (6 * n + 12 * c.nLayer! * c.nEmbd! * c.blockSize!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Row { label: string; threads: number; result: RunResult | string }

async function main(): Promise<void> {
  const info = nativeInfo();
  const isa = info?.isa ?? "scalar";
  const rounds = Number(process.env["BENCH_ROUNDS"] ?? 2);
  const only = process.env["BENCH_ONLY"]?.split(",");
  console.log(`# Descent GPT training benchmark — ${new Date().toISOString()}`);
  console.log(`CPU: ${cpuModel()}; Node ${process.version}; Descent native isa=${isa}`);
  const peak = fmaPeak(2);
  console.log(peak ? `FMA peak (register-only loop, float32): ${fmt(peak.one)} GFLOPS on 1 thread, ${fmt(peak.many)} on 2` : "FMA peak: no native addon");
  const notes = new Set<string>();
  for (const b of BENCHES) {
    if (only && !only.includes(b.name)) continue;
    const plan: { impl: Impl; threads: number }[] = [];
    for (const threads of b.oneThread ? [2, 1] : [2]) {
      plan.push({ impl: "descent", threads });
      if (BASELINE) plan.push({ impl: "base", threads });
      plan.push({ impl: "torch", threads });
    }
    const impls = process.env["BENCH_IMPLS"]?.split(","); // e.g. BENCH_IMPLS=tfjs reruns one column
    if (impls) plan.splice(0, plan.length, ...plan.filter((p) => impls.includes(p.impl) || (p.impl === "base" && impls.includes("descent"))));
    const results = new Map<string, RunResult[]>();
    const failures = new Map<string, string>();
    const key = (impl: Impl, t: number) => `${impl}/${t}`;
    for (let r = 0; r < (process.env["BENCH_ROUNDS"] ? rounds : b.rounds); r++) {
      for (const p of plan) {
        const cfg: RunConfig = { ...b.base, threads: p.threads, steps: b.steps, warmup: 2, budgetS: b.budgetS } as RunConfig;
        const res = spawnRun(p.impl, cfg);
        if (typeof res === "string") failures.set(key(p.impl, p.threads), res);
        else results.set(key(p.impl, p.threads), [...(results.get(key(p.impl, p.threads)) ?? []), res]);
      }
    }
    // tfjs-wasm is one to two orders slower: few steps, and no warm-up step on the big config.
    const tf = impls && !impls.includes("tfjs") ? "not run" : spawnRun("tfjs", { ...b.base, threads: 1, steps: b.tfjsSteps, warmup: b.tfjsSteps > 1 ? 1 : 0, budgetS: 1 } as RunConfig);
    if (typeof tf === "string") failures.set(key("tfjs", 1), tf);
    else results.set(key("tfjs", 1), [tf]);

    const rows: Row[] = [];
    for (const p of [...plan, { impl: "tfjs" as Impl, threads: 1 }]) {
      const k = key(p.impl, p.threads);
      const list = results.get(k);
      const label = p.impl === "descent" ? "Descent" : p.impl === "base" ? "Descent base" : p.impl === "torch" ? "PyTorch" : "tfjs-wasm";
      rows.push({ label, threads: p.threads, result: list ? merge(list) : failures.get(k) ?? "not run" });
      for (const x of list ?? []) if (x.note) notes.add(`${label}: ${x.note}`);
    }
    const c = b.base;
    const title = c.kind === "gpt"
      ? `(${b.name}) GPT ${c.nLayer}L/${c.nHead}H/${c.nEmbd}, T ${c.blockSize}, B ${c.batch}, vocab ${c.vocabSize}, AdamW`
      : `(mlp) MLP ${c.sizes!.join("-")}, batch ${c.batch}, SGD`;
    console.log(`\n## ${title}`);
    const unit = c.kind === "gpt" ? "tokens/s" : "samples/s";
    const perStep = c.kind === "gpt" ? c.batch * c.blockSize! : c.batch;
    const torchMs = new Map<number, number>();
    for (const r of rows) if (r.label === "PyTorch" && typeof r.result !== "string") torchMs.set(r.threads, median(r.result.steps.map(sum)));
    const table = rows.map((r) => {
      if (typeof r.result === "string") return [r.label, String(r.threads), r.result, "", "", "", "", "", "", "", ""];
      const tot = r.result.steps.map(sum);
      const med = median(tot);
      const ph = [0, 1, 2].map((i) => median(r.result instanceof Object ? (r.result as RunResult).steps.map((s) => s[i]!) : []));
      const flops = flopsPerStep(b, r.result.params);
      const pk = peak ? (r.threads === 1 ? peak.one : peak.many) : null;
      const tm = torchMs.get(r.threads);
      return [
        r.label, String(r.threads), `${fmt(med * 1e3)} (${fmt(Math.min(...tot) * 1e3)}–${fmt(Math.max(...tot) * 1e3)})`,
        fmt(perStep / med, 0), r.label === "tfjs-wasm" ? `${fmt(ph[0]! * 1e3)} (fwd+bwd)` : fmt(ph[0]! * 1e3), r.label === "tfjs-wasm" ? "—" : fmt(ph[1]! * 1e3), fmt(ph[2]! * 1e3),
        fmt(r.result.maxRssKB / 1024, 0), pk ? `${fmt((100 * flops) / med / 1e9 / pk)} %` : "—",
        tm ? fmt(tm / med, 2) : "—", String(tot.length),
      ];
    });
    printTable(["impl", "threads", "ms/step median (min–max)", unit, "fwd ms", "bwd ms", "opt ms", "peak RSS MB", "MFU", "× PyTorch", "steps"], table);
  }
  console.log("");
  for (const n of notes) console.log(n);
}

const sum = (s: readonly number[]) => s[0]! + s[1]! + s[2]!;

/** Pool the measured steps of several rounds; peak RSS is the largest. */
function merge(list: RunResult[]): RunResult {
  return { ...list[0]!, steps: list.flatMap((r) => r.steps), maxRssKB: Math.max(...list.map((r) => r.maxRssKB)) };
}

if (process.argv[2] === "--worker") {
  const impl = process.argv[3];
  const cfg = JSON.parse(process.argv[4]!) as RunConfig;
  const res = impl === "tfjs" ? await runTfjs(cfg) : runDescent(cfg);
  console.log(JSON.stringify(res));
} else {
  await main();
}
