// Validation of a safetensors header: the 8-byte length prefix and the JSON that follows. Every
// check runs on sizes and offsets alone, before any tensor data is touched or allocated, and every
// failure is a SafetensorsError that names the file and the problem.

import { SafetensorsError } from "./errors.js";
import { JsonNumber, type JsonValue, JsonSyntaxError, jsonTypeName, parseStrictJson, safeIndex } from "./strict_json.js";
import { type SafetensorsDType, describeUnknownDType, isSafetensorsDType, itemSize } from "./safetensors_dtype.js";

/** The largest header accepted (the Rust crate's limit): 100 MB. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** Where one tensor lives in the data buffer (offsets relative to the buffer's start). */
export interface TensorLayout {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsLayout {
  /** N, the JSON header's length in bytes (including padding). */
  readonly headerLength: number;
  /** Byte offset of the data buffer in the file: 8 + N. */
  readonly dataStart: number;
  /** Length of the data buffer: file size − 8 − N. */
  readonly dataLength: number;
  /** Every tensor, ordered by data offset. */
  readonly tensors: readonly TensorLayout[];
  /** The `__metadata__` map, or null when the header has none. */
  readonly metadata: Readonly<Record<string, string>> | null;
}

const fmtShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** The header length N from the first 8 bytes, checked against the file size and the cap. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(source, `file is ${fileSize} bytes, too short for the 8-byte header length`);
  }
  const dv = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_LENGTH) {
    const n = dv.getBigUint64(0, true);
    throw new SafetensorsError(source, `header length ${n} exceeds the limit of ${MAX_HEADER_LENGTH} bytes`);
  }
  if (lo > fileSize - 8) {
    throw new SafetensorsError(source, `header length ${lo} exceeds the ${fileSize - 8} bytes after the 8-byte length prefix`);
  }
  return lo;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Validate the header bytes (the N bytes after the prefix) of a file of `fileSize` bytes and
 * return the layout: known dtypes, shapes whose byte size equals their offsets' span, offsets
 * inside the data buffer, tensors contiguous and non-overlapping and covering it exactly.
 */
export function parseSafetensorsHeader(header: Uint8Array, fileSize: number, source: string): SafetensorsLayout {
  const headerLength = header.length;
  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const fail = (problem: string): never => {
    throw new SafetensorsError(source, problem);
  };

  let text: string;
  try {
    text = utf8.decode(header);
  } catch {
    return fail("header is not valid UTF-8");
  }
  let json: JsonValue;
  try {
    json = parseStrictJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return fail(`header is not valid JSON: ${e.message}`);
    throw e;
  }
  if (!(json instanceof Map)) return fail(`header must be a JSON object, got ${jsonTypeName(json)}`);

  let metadata: Record<string, string> | null = null;
  const tensors: TensorLayout[] = [];
  for (const [name, info] of json) {
    if (name === "__metadata__") {
      if (!(info instanceof Map)) return fail(`__metadata__ must be an object of strings, got ${jsonTypeName(info)}`);
      const entries: [string, string][] = [];
      for (const [k, v] of info) {
        if (typeof v !== "string") return fail(`__metadata__ ${JSON.stringify(k)} must be a string, got ${jsonTypeName(v)}`);
        entries.push([k, v]);
      }
      metadata = Object.fromEntries(entries);
      continue;
    }
    tensors.push(checkTensorInfo(name, info, dataLength, fail));
  }

  // Contiguity: sorted by offsets, each tensor starts where the previous one ends, from 0 to the
  // end of the buffer (the crate's rule; no gaps a polyglot file could hide data in).
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: TensorLayout | null = null;
  for (const t of tensors) {
    if (t.begin !== at) {
      const where = prev ? `the previous tensor ${JSON.stringify(prev.name)} ends at ${at}` : "the first tensor must start at 0";
      fail(`tensor ${JSON.stringify(t.name)}: data_offsets [${t.begin}, ${t.end}] ${t.begin < at ? "overlap" : "leave a gap"}: ${where}`);
    }
    at = t.end;
    prev = t;
  }
  if (at !== dataLength) {
    fail(`the tensors cover ${at} bytes of data but the file has ${dataLength} bytes after the header`);
  }
  return { headerLength, dataStart, dataLength, tensors, metadata };
}

function checkTensorInfo(name: string, info: JsonValue, dataLength: number, fail: (p: string) => never): TensorLayout {
  const what = `tensor ${JSON.stringify(name)}`;
  if (!(info instanceof Map)) return fail(`${what}: expected an object with dtype, shape and data_offsets, got ${jsonTypeName(info)}`);
  for (const key of info.keys()) {
    if (key !== "dtype" && key !== "shape" && key !== "data_offsets") fail(`${what}: unexpected field ${JSON.stringify(key)}`);
  }
  const dtype = info.get("dtype");
  const shapeJson = info.get("shape");
  const offsetsJson = info.get("data_offsets");
  if (dtype === undefined) fail(`${what}: missing field "dtype"`);
  if (shapeJson === undefined) fail(`${what}: missing field "shape"`);
  if (offsetsJson === undefined) fail(`${what}: missing field "data_offsets"`);
  if (typeof dtype !== "string") return fail(`${what}: dtype must be a string, got ${jsonTypeName(dtype!)}`);
  if (!isSafetensorsDType(dtype)) return fail(`${what}: ${describeUnknownDType(dtype)}`);

  if (!Array.isArray(shapeJson)) return fail(`${what}: shape must be an array of non-negative integers, got ${jsonTypeName(shapeJson!)}`);
  const shape: number[] = [];
  for (const d of shapeJson) {
    const v = d instanceof JsonNumber ? safeIndex(d) : null;
    if (v === null) return fail(`${what}: shape entries must be non-negative integers below 2^53, got ${jsonTypeName(d)}`);
    shape.push(v);
  }

  if (!Array.isArray(offsetsJson) || offsetsJson.length !== 2) {
    return fail(`${what}: data_offsets must be an array [begin, end], got ${jsonTypeName(offsetsJson!)}${Array.isArray(offsetsJson) ? ` of length ${offsetsJson.length}` : ""}`);
  }
  const [b, e] = offsetsJson.map((x) => (x instanceof JsonNumber ? safeIndex(x) : null));
  if (b === null || e === null || b === undefined || e === undefined) {
    return fail(`${what}: data_offsets must be non-negative integers below 2^53, got [${offsetsJson.map(jsonTypeName).join(", ")}]`);
  }
  if (e < b) fail(`${what}: data_offsets [${b}, ${e}] end before they begin`);
  if (e > dataLength) fail(`${what}: data_offsets [${b}, ${e}] lie outside the ${dataLength}-byte data buffer`);

  // Byte size of shape × dtype, overflow-safe: a zero dimension makes it 0 whatever the others are.
  const size = itemSize(dtype);
  let bytes = size;
  let overflow = false;
  for (const d of shape) {
    bytes *= d;
    if (bytes > Number.MAX_SAFE_INTEGER) {
      overflow = true;
      bytes = Number.MAX_SAFE_INTEGER; // keep multiplying only to notice a later 0
    }
  }
  if (shape.includes(0)) {
    bytes = 0;
    overflow = false;
  }
  if (overflow || bytes !== e - b) {
    fail(`${what}: data_offsets [${b}, ${e}] but shape ${fmtShape(shape)} × ${dtype} needs ${overflow ? "more than 2^53" : bytes} bytes`);
  }
  return { name, dtype, shape, begin: b, end: e };
}
