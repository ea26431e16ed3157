// `descent info`: which Descent, which Node, and which kernels run the ops on this machine.

import { arch, cpus, platform } from "node:os";
import { backendInfo } from "../../backend/index.js";
import { columns } from "../format.js";
import { packageVersion } from "../../util/version.js";

export { packageVersion };

export interface InfoReport {
  version: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  backend: string;
  nativeAvailable: boolean;
  nativeError: string | null;
  isa: string | null;
  threads: number;
  /** Anything else backendInfo() reports (the native backend may add fields). */
  extra: Record<string, unknown>;
}

export function infoReport(): InfoReport {
  const { backend, nativeAvailable, nativeError, isa, threads, ...extra } = backendInfo();
  const cpuList = cpus();
  return {
    version: packageVersion(),
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    backend,
    nativeAvailable,
    nativeError,
    isa,
    threads,
    extra,
  };
}

export function formatInfo(r: InfoReport): string {
  const override = process.env["DESCENT_BACKEND"];
  const rows: [string, string][] = [
    ["descent", r.version],
    ["node", r.node],
    ["platform", r.platform],
    ["cpu", `${r.cpu} (${r.cores} logical cores)`],
    ["backend", r.backend + (override ? ` (DESCENT_BACKEND=${override})` : "")],
    ["native addon", r.nativeAvailable ? "loaded" : `not loaded: ${r.nativeError ?? "unknown reason"}`],
    ["isa", r.isa ?? "n/a (TypeScript kernels)"],
    ["threads", String(r.threads)],
  ];
  for (const [k, v] of Object.entries(r.extra)) rows.push([k, typeof v === "string" ? v : JSON.stringify(v)]);
  return columns(rows).join("\n");
}
