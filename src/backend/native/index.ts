// Loader for the Node-API addon built from native/. Until the addon exists this reports it absent.

import type { Backend } from "../backend.js";

export function loadNativeBackend(): Backend | null {
  return null;
}

export function nativeLoadError(): string | null {
  return "the native addon is not built in this version";
}

export interface NativeInfo {
  isa: string;
  threads: number;
}

export function nativeInfo(): NativeInfo | null {
  return null;
}
