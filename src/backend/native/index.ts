// Loader of the native backend (the Node-API addon built from native/ at install). When the addon
// is missing or fails to load, says so once on stderr and reports null so the TS backend is used.

import { ValueError } from "../../util/errors.js";
import type { Backend } from "../backend.js";
import { type NativeAddon, loadAddon } from "./addon.js";
import { createNativeBackend } from "./backend.js";

let tried = false;
let addon: NativeAddon | null = null;
let backend: Backend | null = null;
let loadError: string | null = null;
let pendingThreads: number | null = null;

function tryLoad(): void {
  if (tried) return;
  tried = true;
  const r = loadAddon();
  if (r.addon === null) {
    loadError = r.error;
    console.warn(`descent: native backend unavailable, using the TypeScript backend (${r.error})`);
    return;
  }
  addon = r.addon;
  if (pendingThreads !== null) addon.setNumThreads(pendingThreads);
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
 * Threads the native kernels may use (default: all cores, or DESCENT_NUM_THREADS). Results do not
 * depend on it. Without the addon the value is kept and applied if it loads later.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer number of threads, got ${n}`);
  pendingThreads = n;
  if (addon) addon.setNumThreads(n);
}

/** Threads the native kernels use now (1 without the addon). */
export function getNumThreads(): number {
  tryLoad();
  return addon ? addon.getNumThreads() : 1;
}
