// PROVISIONAL until io's checkpoint_dir lands: where checkpoint directories live in a run
// directory and how one is written crash-safely. Layout: <run>/checkpoints/step-00000200/.
// A checkpoint is assembled in a temporary sibling directory (every file fsynced), then renamed
// into place in one step, so a crash leaves the previous complete checkpoint or the new one.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CheckpointError } from "../io/errors.js";
import { defaultFs, fsyncDir, toBytes, uniqueSuffix, writeNewFileSynced } from "../io/atomic.js";

const PREFIX = "step-";

export function checkpointName(step: number): string {
  return `${PREFIX}${String(step).padStart(8, "0")}`;
}

/** Write `files` as the checkpoint of `step` under runDir; returns its directory. */
export function writeCheckpointDir(runDir: string, step: number, files: Record<string, Uint8Array | string>): string {
  const root = join(runDir, "checkpoints");
  mkdirSync(root, { recursive: true });
  const final = join(root, checkpointName(step));
  const tmp = join(root, `.${checkpointName(step)}.tmp-${uniqueSuffix()}`);
  mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeNewFileSynced(defaultFs, join(tmp, name), toBytes(data));
    fsyncDir(defaultFs, tmp);
    // Replacing an existing checkpoint of the same step: move the old one aside first.
    const old = existsSync(final) ? `${tmp}.old` : null;
    if (old) renameSync(final, old);
    renameSync(tmp, final);
    if (old) rmSync(old, { recursive: true, force: true });
    fsyncDir(defaultFs, root);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return final;
}

/** A checkpoint directory (holds trainer.json) as is, or a run directory's latest checkpoint. */
export function resolveCheckpointDir(pathOrRunDir: string): string {
  const p = resolve(pathOrRunDir);
  if (!existsSync(p)) throw new CheckpointError(pathOrRunDir, "no such checkpoint or run directory");
  if (!statSync(p).isDirectory()) throw new CheckpointError(pathOrRunDir, "not a directory (pass a run directory or one of its checkpoints/step-* directories)");
  if (existsSync(join(p, "trainer.json"))) return p;
  const root = join(p, "checkpoints");
  const steps = existsSync(root) ? readdirSync(root).filter((n) => n.startsWith(PREFIX) && /^step-\d+$/.test(n)).sort() : [];
  if (steps.length === 0) throw new CheckpointError(pathOrRunDir, "holds no checkpoint (no trainer.json, no checkpoints/step-* directory)");
  return join(root, steps[steps.length - 1]!);
}

/** The run directory a checkpoint directory belongs to (<run>/checkpoints/step-N -> <run>). */
export function runDirOf(checkpointDir: string): string {
  return dirname(dirname(resolve(checkpointDir)));
}
