// Crash-safe checkpoint directories. A checkpoint is a directory of files (model.safetensors,
// optimizer.safetensors, trainer.json, config.json, tokenizer.json: the trainer decides) plus a
// manifest.json listing each file's size and sha256. Layout inside a run directory:
//
//   <run>/checkpoints/step-000200/        a published checkpoint (never modified once published)
//   <run>/checkpoints/step-000200-v2/     the same step written again (names are never reused)
//   <run>/checkpoints/latest.json         pointer to the newest checkpoint, replaced atomically
//   <run>/checkpoints/.tmp-...            work in progress, or left by a crash (removed later)
//
// Writing: every file goes into a fresh temp directory and is fsynced, manifest.json last; the
// directory is renamed to its final name (atomic), then latest.json is atomically replaced, then
// older checkpoints beyond `keep` are removed (renamed away first, so none is ever half-deleted
// under its real name). A crash at any point leaves latest.json naming the previous complete
// checkpoint or the new complete one, and nothing outside <run>/checkpoints/ is touched.

import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import { type IoFs, defaultFs, fsyncDir, toBytes, uniqueSuffix, writeFileAtomic, writeNewFileSynced } from "./atomic.js";
import { CheckpointError } from "./errors.js";

/** The folder of a run directory that holds its checkpoints. */
export const CHECKPOINTS_DIR = "checkpoints";
/** Pointer file (in CHECKPOINTS_DIR) naming the newest checkpoint. */
export const LATEST_FILE = "latest.json";
/** Written last into every checkpoint: its presence and contents make the checkpoint complete. */
export const MANIFEST_FILE = "manifest.json";

const MANIFEST_FORMAT = "descent.checkpoint";
const POINTER_FORMAT = "descent.checkpoint-pointer";
const CHECKPOINT_NAME = /^step-(\d+)(?:-v(\d+))?$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Temp names end in -<pid>-<12 hex digits> (see uniqueSuffix). */
const TEMP_NAME = /^\.(?:tmp-.*|latest\.json\.tmp)-(\d+)-[0-9a-f]{12}$/;

export interface CheckpointFileInfo {
  readonly bytes: number;
  readonly sha256: string;
}

/** Contents of a checkpoint's manifest.json. */
export interface CheckpointManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: 1;
  /** The training step the checkpoint was taken at. */
  readonly step: number;
  /** Write order within the run directory (1, 2, ...): larger is newer. */
  readonly sequence: number;
  /** Every file of the checkpoint (manifest.json excepted), by name. */
  readonly files: Readonly<Record<string, CheckpointFileInfo>>;
}

export interface WriteCheckpointOptions {
  /** The training step (a non-negative integer); names the directory step-<6+ digits>. */
  readonly step: number;
  /** Keep this many newest checkpoints (at least 1) and remove older ones; default: keep all. */
  readonly keep?: number;
  /** File-system layer (tests inject failures through it). */
  readonly fs?: IoFs;
}

export type CheckpointFiles = ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>>;

export interface CheckpointInfo {
  readonly path: string;
  readonly step: number;
  readonly sequence: number;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const errCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

function exists(fs: IoFs, path: string): boolean {
  try {
    fs.lstatSync(path);
    return true;
  } catch (e) {
    if (errCode(e) === "ENOENT" || errCode(e) === "ENOTDIR") return false;
    throw e;
  }
}

function isDir(fs: IoFs, path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function parseJsonFile(fs: IoFs, path: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    throw new CheckpointError(path, errCode(e) === "ENOENT" ? `missing ${what}` : `cannot read ${what}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CheckpointError(path, `${what} is not valid JSON (corrupt or truncated)`);
  }
}

const isIndex = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

/** Read and validate `<dir>/manifest.json`. */
export function readCheckpointManifest(dir: string, options: { fs?: IoFs } = {}): CheckpointManifest {
  const fs = options.fs ?? defaultFs;
  const path = join(dir, MANIFEST_FILE);
  const m = parseJsonFile(fs, path, "checkpoint manifest") as Partial<CheckpointManifest> | null;
  const bad = (what: string): never => {
    throw new CheckpointError(path, `invalid checkpoint manifest: ${what}`);
  };
  if (typeof m !== "object" || m === null || Array.isArray(m)) return bad("not a JSON object");
  if (m.format !== MANIFEST_FORMAT || m.version !== 1) bad(`expected format "${MANIFEST_FORMAT}" version 1`);
  if (!isIndex(m.step)) bad("step must be a non-negative integer");
  if (!isIndex(m.sequence)) bad("sequence must be a non-negative integer");
  if (typeof m.files !== "object" || m.files === null || Array.isArray(m.files)) return bad("files must be an object");
  for (const [name, info] of Object.entries(m.files)) {
    if (!FILE_NAME.test(name) || name === MANIFEST_FILE) bad(`bad file name ${JSON.stringify(name)}`);
    if (typeof info !== "object" || info === null || !isIndex(info.bytes) || typeof info.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(info.sha256)) {
      bad(`file ${JSON.stringify(name)} needs { bytes, sha256 }`);
    }
  }
  return m as CheckpointManifest;
}

/** Validate that every file the manifest lists is present with its size; return the manifest. */
function checkComplete(fs: IoFs, dir: string): CheckpointManifest {
  const manifest = readCheckpointManifest(dir, { fs });
  for (const [name, info] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    let size: number;
    try {
      size = fs.statSync(path).size;
    } catch {
      throw new CheckpointError(dir, `incomplete checkpoint: ${name} is missing`);
    }
    if (size !== info.bytes) throw new CheckpointError(dir, `incomplete checkpoint: ${name} is ${size} bytes but the manifest says ${info.bytes}`);
  }
  return manifest;
}

/** Complete checkpoints in a checkpoints folder, oldest first (by write sequence). */
function scanCheckpoints(fs: IoFs, ckDir: string): CheckpointInfo[] {
  const out: CheckpointInfo[] = [];
  for (const name of fs.readdirSync(ckDir)) {
    if (!CHECKPOINT_NAME.test(name)) continue;
    const path = join(ckDir, name);
    try {
      const m = checkComplete(fs, path);
      out.push({ path, step: m.step, sequence: m.sequence });
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e; // not ours or damaged: leave it alone
    }
  }
  return out.sort((a, b) => a.sequence - b.sequence || a.step - b.step);
}

/** The complete checkpoints of a run directory, oldest first. */
export function listCheckpoints(runDir: string, options: { fs?: IoFs } = {}): CheckpointInfo[] {
  const fs = options.fs ?? defaultFs;
  const ckDir = join(runDir, CHECKPOINTS_DIR);
  return isDir(fs, ckDir) ? scanCheckpoints(fs, ckDir) : [];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === "EPERM";
  }
}

/** Remove temp entries left by crashed writers: those of dead processes, and this process's own. */
function removeStaleTemps(fs: IoFs, ckDir: string): void {
  for (const name of fs.readdirSync(ckDir)) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || !isAlive(pid)) fs.rmSync(join(ckDir, name), { recursive: true, force: true });
  }
}

function checkFiles(runDir: string, files: CheckpointFiles): [string, Uint8Array][] {
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files as Record<string, Uint8Array | string>);
  if (entries.length === 0) throw new CheckpointError(runDir, "writeCheckpoint: files is empty; a checkpoint needs at least one file");
  const out: [string, Uint8Array][] = [];
  for (const [name, data] of entries) {
    if (typeof name !== "string" || !FILE_NAME.test(name) || name === MANIFEST_FILE) {
      throw new CheckpointError(runDir, `writeCheckpoint: bad file name ${JSON.stringify(name)} (expected a plain name like "model.safetensors", not "${MANIFEST_FILE}")`);
    }
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new CheckpointError(runDir, `writeCheckpoint: file ${JSON.stringify(name)} must be a Uint8Array or a string`);
    }
    out.push([name, toBytes(data)]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Write a checkpoint of `files` (name -> bytes or UTF-8 string) into `<runDir>/checkpoints/` and
 * make it the latest. Returns the new checkpoint's directory. Crash-safe (see the top of this file).
 */
export function writeCheckpoint(runDir: string, files: CheckpointFiles, options: WriteCheckpointOptions): string {
  const fs = options.fs ?? defaultFs;
  const { step, keep } = options;
  if (!isIndex(step)) throw new CheckpointError(runDir, `writeCheckpoint: step must be a non-negative integer, got ${String(step)}`);
  if (keep !== undefined && !(Number.isSafeInteger(keep) && keep >= 1)) {
    throw new CheckpointError(runDir, `writeCheckpoint: keep must be an integer >= 1, got ${String(keep)}`);
  }
  const contents = checkFiles(runDir, files);

  const ckDir = join(runDir, CHECKPOINTS_DIR);
  fs.mkdirSync(ckDir, { recursive: true });
  removeStaleTemps(fs, ckDir);
  const existing = scanCheckpoints(fs, ckDir);
  const sequence = existing.reduce((s, c) => Math.max(s, c.sequence), 0) + 1;
  const base = `step-${String(step).padStart(6, "0")}`;
  let name = base;
  for (let v = 2; exists(fs, join(ckDir, name)); v++) name = `${base}-v${v}`;

  // 1. Everything into a temp directory, each file fsynced, the manifest last.
  const tmp = join(ckDir, `.tmp-${name}-${uniqueSuffix()}`);
  fs.mkdirSync(tmp);
  const listed: Record<string, CheckpointFileInfo> = {};
  for (const [file, bytes] of contents) {
    writeNewFileSynced(fs, join(tmp, file), bytes);
    listed[file] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  const manifest: CheckpointManifest = { format: MANIFEST_FORMAT, version: 1, step, sequence, files: listed };
  writeNewFileSynced(fs, join(tmp, MANIFEST_FILE), toBytes(JSON.stringify(manifest, null, 2) + "\n"));
  fsyncDir(fs, tmp);

  // 2. Publish: one rename makes the complete directory appear under its final name.
  const final = join(ckDir, name);
  fs.renameSync(tmp, final);
  fsyncDir(fs, ckDir);

  // 3. Point latest.json at it (atomic replace).
  const pointer = { format: POINTER_FORMAT, version: 1, checkpoint: name, step, sequence };
  writeFileAtomic(join(ckDir, LATEST_FILE), JSON.stringify(pointer, null, 2) + "\n", { fs });

  // 4. Remove checkpoints beyond `keep` (never the new one), each renamed away before deletion.
  if (keep !== undefined) {
    const older = existing.filter((c) => c.path !== final).sort((a, b) => b.sequence - a.sequence).slice(keep - 1);
    for (const c of older) {
      const doomed = join(ckDir, `.tmp-delete-${basename(c.path)}-${uniqueSuffix()}`);
      fs.renameSync(c.path, doomed);
      fs.rmSync(doomed, { recursive: true, force: true });
    }
  }
  return final;
}

function resolveInCheckpointsDir(fs: IoFs, ckDir: string): string {
  const latest = join(ckDir, LATEST_FILE);
  if (exists(fs, latest)) {
    const p = parseJsonFile(fs, latest, "latest-checkpoint pointer") as { format?: unknown; checkpoint?: unknown } | null;
    if (typeof p !== "object" || p === null || p.format !== POINTER_FORMAT || typeof p.checkpoint !== "string" || !CHECKPOINT_NAME.test(p.checkpoint)) {
      throw new CheckpointError(latest, `invalid latest-checkpoint pointer: expected { "format": "${POINTER_FORMAT}", "checkpoint": "step-…" }`);
    }
    const dir = join(ckDir, p.checkpoint);
    if (!isDir(fs, dir)) throw new CheckpointError(latest, `points to checkpoint ${p.checkpoint}, which does not exist`);
    checkComplete(fs, dir);
    return dir;
  }
  // No pointer (first write crashed before it, or it was deleted): the newest complete checkpoint.
  const all = scanCheckpoints(fs, ckDir);
  const newest = all[all.length - 1];
  if (!newest) throw new CheckpointError(ckDir, "no complete checkpoint here");
  return newest.path;
}

/**
 * The complete checkpoint directory to load from `path`: a checkpoint directory itself (one with
 * manifest.json), a run directory (its latest checkpoint), or a run's checkpoints/ folder.
 * A CheckpointError names the path when there is none or it is incomplete.
 */
export function resolveCheckpoint(path: string, options: { fs?: IoFs } = {}): string {
  const fs = options.fs ?? defaultFs;
  if (!exists(fs, path)) throw new CheckpointError(path, "no such checkpoint or run directory");
  if (!isDir(fs, path)) throw new CheckpointError(path, "not a directory (expected a checkpoint or run directory)");
  if (exists(fs, join(path, MANIFEST_FILE))) {
    checkComplete(fs, path);
    return path;
  }
  if (isDir(fs, join(path, CHECKPOINTS_DIR))) return resolveInCheckpointsDir(fs, join(path, CHECKPOINTS_DIR));
  if (exists(fs, join(path, LATEST_FILE)) || basename(path) === CHECKPOINTS_DIR) return resolveInCheckpointsDir(fs, path);
  throw new CheckpointError(path, `not a checkpoint (no ${MANIFEST_FILE}) and not a run directory (no ${CHECKPOINTS_DIR}/)`);
}

/** A file's bytes in a Uint8Array of its own (readFileSync may hand out a slice of a shared pool). */
function readWholeFile(fs: IoFs, path: string): Uint8Array {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const out = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const r = fs.readSync(fd, out, got, size - got, got);
      if (r === 0) break;
      got += r;
    }
    return got === size ? out : out.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read `names` from a checkpoint (any path resolveCheckpoint accepts), verifying each file's size
 * and sha256 against the manifest. Returns name -> bytes (each its own Uint8Array, byteOffset 0).
 */
export function readCheckpointFiles(path: string, names: readonly string[], options: { fs?: IoFs } = {}): Map<string, Uint8Array> {
  const fs = options.fs ?? defaultFs;
  const dir = resolveCheckpoint(path, { fs });
  const manifest = readCheckpointManifest(dir, { fs });
  const out = new Map<string, Uint8Array>();
  for (const name of names) {
    const info = Object.prototype.hasOwnProperty.call(manifest.files, name) ? manifest.files[name] : undefined;
    const file = join(dir, name);
    if (!info) throw new CheckpointError(file, `not in this checkpoint (it has ${Object.keys(manifest.files).join(", ")})`);
    let bytes: Uint8Array;
    try {
      bytes = readWholeFile(fs, file);
    } catch (e) {
      throw new CheckpointError(file, `cannot read: ${(e as Error).message}`);
    }
    if (bytes.length !== info.bytes) throw new CheckpointError(file, `corrupt: ${bytes.length} bytes but the manifest says ${info.bytes}`);
    if (sha256(bytes) !== info.sha256) throw new CheckpointError(file, "corrupt: its sha256 does not match the checkpoint manifest");
    out.set(name, bytes);
  }
  return out;
}
