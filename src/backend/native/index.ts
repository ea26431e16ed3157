// Loader of the native backend (the Node-API addon built from native/ at install). When the addon
// is missing or fails to load, says so once on stderr and reports null so the TS backend is used.

import { availableParallelism } from "node:os";
import { ValueError } from "../../util/errors.js";
import { checkOptionKeys } from "../../util/options.js";
import type { Backend } from "../backend.js";
import { type NativeAddon, loadAddon } from "./addon.js";
import { createNativeBackend } from "./backend.js";

let tried = false;
let addon: NativeAddon | null = null;
let backend: Backend | null = null;
let loadError: string | null = null;
let pendingThreads: number | null = null;

const ISAS = ["avx512", "avx2", "scalar"];

/** Cores this process may run on: the default thread count and the cap of setNumThreads. */
export function availableCores(): number {
  return Math.max(1, availableParallelism());
}

/** The thread count DESCENT_NUM_THREADS asks for (capped unless DESCENT_NUM_THREADS_FORCE=1), or null. */
function threadsFromEnv(): number | null {
  const raw = process.env["DESCENT_NUM_THREADS"];
  const force = process.env["DESCENT_NUM_THREADS_FORCE"];
  if (force !== undefined && force !== "" && force !== "0" && force !== "1") {
    throw new ValueError(`DESCENT_NUM_THREADS_FORCE must be 1 (use DESCENT_NUM_THREADS as given) or 0, got "${force}"`);
  }
  if (raw === undefined || raw.trim() === "") return null;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new ValueError(`DESCENT_NUM_THREADS must be a positive integer, got "${raw}"`);
  }
  return force === "1" ? n : Math.min(n, availableCores());
}

/** Check the environment the addon reads, so a typo is an error rather than silently ignored. */
function checkEnv(): number | null {
  const isa = process.env["DESCENT_ISA"];
  if (isa !== undefined && isa !== "" && !ISAS.includes(isa)) {
    throw new ValueError(`DESCENT_ISA must be one of ${ISAS.join(", ")} (the best the CPU supports is used when unset), got "${isa}"`);
  }
  return threadsFromEnv();
}

function tryLoad(): void {
  if (tried) return;
  const envThreads = checkEnv(); // throws on every call until the environment is fixed
  tried = true;
  const r = loadAddon();
  if (r.addon === null) {
    loadError = r.error;
    console.warn(`descent: native backend unavailable, using the TypeScript backend (${r.error})`);
    return;
  }
  addon = r.addon;
  const threads = pendingThreads ?? envThreads;
  if (threads !== null) addon.setNumThreads(threads);
  backend = createNativeBackend(addon);
}

/** The native Backend, or null when the addon is not available (see nativeLoadError()). */
export function loadNativeBackend(): Backend | null {
  tryLoad();
  return backend;
}

/** Why the addon could not be loaded, or null when it loaded (or was not tried yet). */
export function nativeLoadError(): string | null {
  return loadError;
}

export interface NativeInfo {
  /** Instruction set the GEMM kernels dispatched to: "avx512", "avx2" or "scalar". */
  isa: string;
  threads: number;
}

export function nativeInfo(): NativeInfo | null {
  tryLoad();
  return addon ? { isa: addon.isa(), threads: addon.getNumThreads() } : null;
}

/**
 * The machine's float32 FMA peak in FLOP/s, measured: the native kernels' widest FMA instruction
 * on independent register chains, on every thread the kernels use at once, each thread's FLOPs
 * over its own CPU time (about 0.2 s; the best of eight runs). The ceiling a GEMM can reach, so
 * the denominator of an MFU figure. Null without the addon.
 */
export function measureFmaPeak(): number | null {
  tryLoad();
  return addon ? addon.fmaPeak() : null;
}

export interface SetNumThreadsOptions {
  /** Use n even when it exceeds the cores available (oversubscription; default false: capped). */
  force?: boolean;
}

/**
 * Threads the native kernels may use (default: all available cores, or DESCENT_NUM_THREADS).
 * Capped at availableCores() unless `{ force: true }` (DESCENT_NUM_THREADS_FORCE=1 for the
 * environment variable). Results do not depend on it. Without the addon the value is kept and
 * applied if it loads later.
 */
export function setNumThreads(n: number, opts: SetNumThreadsOptions = {}): void {
  checkOptionKeys("setNumThreads", opts, ["force"]);
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer number of threads, got ${n}`);
  const threads = opts.force ? n : Math.min(n, availableCores());
  pendingThreads = threads;
  if (addon) addon.setNumThreads(threads);
}

/** Threads the native kernels use now (1 without the addon). */
export function getNumThreads(): number {
  tryLoad();
  return addon ? addon.getNumThreads() : 1;
}
