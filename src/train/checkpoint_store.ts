// Where a run's checkpoints live: io's crash-safe checkpoint directories
// (<run>/checkpoints/step-000200/ with a manifest, latest.json naming the newest).

import { dirname, resolve } from "node:path";
import { resolveCheckpoint, writeCheckpoint } from "../io/checkpoint_dir.js";

/** Write `files` as the checkpoint of `step` under runDir and make it the latest; returns its directory. */
export function writeCheckpointDir(runDir: string, step: number, files: Record<string, Uint8Array | string>): string {
  return writeCheckpoint(runDir, files, { step });
}

/** A complete checkpoint directory as is, or a run directory's latest checkpoint (CheckpointError otherwise). */
export function resolveCheckpointDir(pathOrRunDir: string): string {
  return resolve(resolveCheckpoint(pathOrRunDir));
}

/** The run directory a checkpoint directory belongs to (<run>/checkpoints/step-N -> <run>). */
export function runDirOf(checkpointDir: string): string {
  return dirname(dirname(resolve(checkpointDir)));
}
