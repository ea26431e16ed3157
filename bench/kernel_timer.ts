// Wraps every method of the active backend with a timer (profile_step.ts, profile_mlp.ts): time and
// calls per kernel name (GEMMs by shape and flags, with their FLOPs), and the gaps between
// consecutive backend calls (a pool worker spins ~1 ms after a job, then sleeps).
import { getBackend } from "../src/backend/index.js";

export interface KernelTimer {
  times: Map<string, number>;
  counts: Map<string, number>;
  flops: Map<string, number>;
  gaps: number[];
  reset(): void;
  /** One line per kernel, slowest first: ms per step, calls per step, name (GFLOPS for GEMMs). */
  report(reps: number): { inKernelsMs: number; lines: string[] };
}

export function timeBackendCalls(): KernelTimer {
  const times = new Map<string, number>(), counts = new Map<string, number>(), flops = new Map<string, number>();
  const gaps: number[] = [];
  let lastEnd = 0;
  const be = getBackend() as unknown as Record<string, unknown>;
  for (const key of Object.keys(be)) {
    const f = be[key];
    if (typeof f !== "function") continue;
    be[key] = (...args: unknown[]): unknown => {
      let name = key;
      if (key === "gemm") {
        const p = args[3] as { batch: number; m: number; n: number; k: number; transA: boolean; transB: boolean; beta: number; bias?: unknown; act?: unknown };
        name = `gemm b${p.batch} ${p.m}x${p.n}x${p.k}${p.transA ? " tA" : ""}${p.transB ? " tB" : ""}${p.beta ? " beta" : ""}${p.bias ? " bias" : ""}${p.act ? " act" : ""}`;
        flops.set(name, 2 * p.batch * p.m * p.n * p.k);
      } else if (typeof args[0] === "string") name = `${key}:${args[0]}`;
      const t0 = performance.now();
      if (lastEnd) gaps.push(t0 - lastEnd);
      const r = (f as (...a: unknown[]) => unknown).apply(be, args);
      lastEnd = performance.now();
      times.set(name, (times.get(name) ?? 0) + lastEnd - t0);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return r;
    };
  }
  return {
    times, counts, flops, gaps,
    reset() {
      times.clear(); counts.clear(); gaps.length = 0; lastEnd = 0;
    },
    report(reps) {
      const rows = [...times.entries()].sort((a, b) => b[1] - a[1]);
      let inKernelsMs = 0;
      for (const [, t] of rows) inKernelsMs += t / reps;
      const lines = rows.map(([k, t]) => {
        const c = counts.get(k)! / reps, f = flops.get(k);
        const gf = f ? `  ${(f * c / (t / reps) / 1e6).toFixed(0)} GFLOPS` : "";
        return `${(t / reps).toFixed(2).padStart(8)} ms ${String(c).padStart(5)}x  ${k}${gf}`;
      });
      return { inKernelsMs, lines };
    },
  };
}
