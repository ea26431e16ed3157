// Crash-safe file writes: write a temporary file in the same directory, fsync it, rename it over
// the target, fsync the directory. A reader sees the old complete file or the new complete one.
// The file-system calls go through an `IoFs` object so tests can inject failures between them.

import * as nodeFs from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/** The synchronous node:fs calls src/io uses; pass a wrapper to inject faults in tests. */
export type IoFs = Pick<
  typeof nodeFs,
  | "openSync" | "writeSync" | "fsyncSync" | "closeSync" | "readSync" | "fstatSync" | "renameSync" | "mkdirSync"
  | "rmSync" | "readdirSync" | "readFileSync" | "statSync" | "lstatSync"
>;

/** The real file system. */
export const defaultFs: IoFs = nodeFs;

/** A fresh name that no other writer (process or call) will pick. */
export function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString("hex")}`;
}

/** Write every byte of `data` to `fd`. */
export function writeAll(fs: IoFs, fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/** Create `path` (which must not exist), write `data`, fsync, close. */
export function writeNewFileSynced(fs: IoFs, path: string, data: Uint8Array): void {
  const fd = fs.openSync(path, "wx", 0o644);
  try {
    writeAll(fs, fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Make a rename or file creation inside `dir` durable. Directories cannot be fsynced on Windows. */
export function fsyncDir(fs: IoFs, dir: string): void {
  if (process.platform === "win32") return;
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string; bytes pass through. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/**
 * Atomically replace (or create) the file at `path` with `data`: temp file
 * `.<name>.tmp-<pid>-<random>` in the same directory, fsync, rename, fsync the directory.
 * A crash leaves either the old file or the new one at `path` (and perhaps a stale temp file).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: { fs?: IoFs } = {}): void {
  const fs = options.fs ?? defaultFs;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${uniqueSuffix()}`);
  try {
    writeNewFileSynced(fs, tmp, toBytes(data));
    fs.renameSync(tmp, path);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Best effort: a leftover temp file is harmless and never read.
    }
    throw e;
  }
  fsyncDir(fs, dir);
}
