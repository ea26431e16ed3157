// Backend selection: native when its addon loaded, else the TypeScript reference backend.
// DESCENT_BACKEND=ts|native and setBackend() override.

import { DescentError } from "../util/errors.js";
import type { Backend } from "./backend.js";
import { loadNativeBackend, measureFmaPeak, nativeInfo, nativeLoadError } from "./native/index.js";
import { tsBackend } from "./ts/index.js";

export type { Backend } from "./backend.js";
export { tsBackend } from "./ts/index.js";
export { type SetNumThreadsOptions, availableCores, getNumThreads, setNumThreads } from "./native/index.js";

let current: Backend | null = null;

function initialBackend(): Backend {
  const wanted = process.env["DESCENT_BACKEND"];
  if (wanted !== undefined && wanted !== "" && wanted !== "ts" && wanted !== "native") {
    throw new DescentError(`DESCENT_BACKEND must be "ts" or "native", got "${wanted}"`);
  }
  if (wanted === "ts") return tsBackend;
  const native = loadNativeBackend();
  if (wanted === "native" && !native) {
    throw new DescentError(`DESCENT_BACKEND=native but the native addon could not be loaded: ${nativeLoadError() ?? "unknown reason"}`);
  }
  return native ?? tsBackend;
}

/** The backend every op runs on. */
export function getBackend(): Backend {
  current ??= initialBackend();
  return current;
}

/** Switch backend by name ("ts" | "native") or to a Backend object. Returns the previous one. */
export function setBackend(which: "ts" | "native" | Backend): Backend {
  const prev = getBackend();
  if (which === "ts") current = tsBackend;
  else if (which === "native") {
    const native = loadNativeBackend();
    if (!native) throw new DescentError(`setBackend("native"): the native addon is not available: ${nativeLoadError() ?? "unknown reason"}`);
    current = native;
  } else current = which;
  return prev;
}

export interface BackendInfo {
  /** The backend ops run on now ("ts" or "native"). */
  backend: string;
  /** Whether the native addon loaded, and why not if it did not. */
  nativeAvailable: boolean;
  nativeError: string | null;
  /** Instruction set the native kernels dispatched to (e.g. "avx512"), null without the addon. */
  isa: string | null;
  /** Threads the native kernels use (1 for the TS backend). */
  threads: number;
}

/**
 * The float32 FMA peak (FLOP/s) of the backend in use: measured on the native kernels' threads
 * (about 0.2 s), null on the TypeScript backend, whose ceiling is not the hardware's.
 */
export function measurePeakFlops(): number | null {
  return getBackend().name === "native" ? measureFmaPeak() : null;
}

export function backendInfo(): BackendInfo {
  const backend = getBackend().name; // first, so a bad DESCENT_BACKEND is reported before any load attempt
  const native = nativeInfo();
  return {
    backend,
    nativeAvailable: native !== null,
    nativeError: nativeLoadError(),
    isa: native?.isa ?? null,
    threads: backend === "native" && native ? native.threads : 1,
  };
}
