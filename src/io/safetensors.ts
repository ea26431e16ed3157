// The safetensors format, read and written here: an 8-byte little-endian header length N, N bytes
// of UTF-8 JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {...} }`
// padded with spaces to a multiple of 8, then the tensors' little-endian bytes, contiguous.
//
// Writing is deterministic and byte-identical to the reference (Rust crate / Python `save_file`):
// tensors are laid out by descending dtype (the crate's enum order: U64, I64, F64, F32, I32, BF16,
// F16, ...) then by name in code-point order, whatever the insertion order; `__metadata__` comes
// first with its keys sorted (the crate's HashMap order is arbitrary; sorting makes ours fixed).
// Reading validates the whole header (see safetensors_header.ts) before it touches the data.

import { type Shape, numel } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { type IoFs, defaultFs, writeFileAtomic } from "./atomic.js";
import { SafetensorsError } from "./errors.js";
import {
  CRATE_DTYPE_RANK, ConversionProblem, FROM_DESCENT, HOST_LITTLE_ENDIAN, type SafetensorsArray, type SafetensorsDType,
  TO_DESCENT, describeUnknownDType, isSafetensorsDType, itemSize, rawValues, swapBytes,
} from "./safetensors_dtype.js";
import { MAX_HEADER_LENGTH, type SafetensorsLayout, type TensorLayout, parseSafetensorsHeader, readHeaderLength } from "./safetensors_header.js";

/** A tensor given as raw little-endian element bytes, for dtypes Descent has no tensor type for (I64, F16, ...). */
export interface RawTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: Shape;
  /** numel(shape) × itemSize(dtype) little-endian bytes. */
  readonly bytes: Uint8Array;
}

/** What the writer takes: Descent tensors (float64 -> F64, float32 -> F32, int32 -> I32) or raw tensors. */
export type SafetensorsInput = Tensor | RawTensor;

/** Named tensors: a Map, a plain object, or [name, tensor] pairs (checked for duplicates). */
export type SafetensorsTensors =
  | ReadonlyMap<string, SafetensorsInput>
  | Readonly<Record<string, SafetensorsInput>>
  | readonly (readonly [string, SafetensorsInput])[];

/** One tensor of a parsed file. `bytes` is a view into the parsed buffer (no copy). */
export class SafetensorsEntry {
  constructor(
    readonly source: string,
    readonly name: string,
    readonly dtype: SafetensorsDType,
    readonly shape: readonly number[],
    /** [begin, end] relative to the data buffer, as in the header. */
    readonly dataOffsets: readonly [number, number],
    readonly bytes: Uint8Array,
  ) {}

  get numel(): number {
    return this.bytes.length / itemSize(this.dtype);
  }

  /** A copy of the values in the dtype's natural typed array (F16/BF16 as Uint16Array bits, I64 as BigInt64Array). */
  values(): SafetensorsArray {
    return rawValues(this.dtype, this.bytes);
  }

  /**
   * A new Descent tensor owning a copy of the data: F64 -> float64, F32 -> float32, I32 -> int32,
   * F16/BF16 -> float32 (exact widening), I64/U64/U32/I16/U16/I8/U8/BOOL -> int32 when every
   * value fits (a SafetensorsError otherwise). Allocates exactly numel elements.
   */
  toTensor(): Tensor {
    const data = TO_DESCENT[this.dtype].decode(this.bytes, this.numel);
    if (data instanceof ConversionProblem) {
      throw new SafetensorsError(this.source, `tensor ${JSON.stringify(this.name)} (${this.dtype}) cannot become a Descent tensor: ${data.problem}`);
    }
    return new Tensor(data, this.shape);
  }
}

/** A parsed safetensors file: its tensors in data order and its metadata. */
export class SafetensorsFile {
  /** Tensors ordered by data offset. */
  readonly entries: readonly SafetensorsEntry[];
  private readonly byName: ReadonlyMap<string, SafetensorsEntry>;

  constructor(
    readonly source: string,
    /** The `__metadata__` strings ({} when the file has none). */
    readonly metadata: Readonly<Record<string, string>>,
    /** N, the JSON header's byte length. */
    readonly headerLength: number,
    entries: readonly SafetensorsEntry[],
  ) {
    this.entries = entries;
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  /** Tensor names, in data order. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The entry called `name`; a SafetensorsError listing what the file has when there is none. */
  entry(name: string): SafetensorsEntry {
    const e = this.byName.get(name);
    if (e) return e;
    const names = this.names();
    const list = names.slice(0, 10).map((n) => JSON.stringify(n)).join(", ") + (names.length > 10 ? `, … (${names.length} in all)` : "");
    throw new SafetensorsError(this.source, `no tensor ${JSON.stringify(name)}; the file has ${names.length === 0 ? "no tensors" : list}`);
  }

  /** The tensor called `name` as a new Descent tensor (see SafetensorsEntry.toTensor). */
  tensor(name: string): Tensor {
    return this.entry(name).toTensor();
  }

  /** Every tensor as a Descent tensor, in data order. */
  tensors(): Map<string, Tensor> {
    return new Map(this.entries.map((e) => [e.name, e.toTensor()]));
  }
}

// ---- writing ------------------------------------------------------------------------------------

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Order of strings by Unicode code point (= UTF-8 byte order, the Rust crate's String order). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above every BMP unit, including 0xE000–0xFFFF.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

interface Prepared {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
  /** The bytes are in host order (a Descent tensor's storage), to be swapped on a big-endian host. */
  readonly hostOrder: boolean;
}

function isTensorCollectionPairs(x: SafetensorsTensors): x is readonly (readonly [string, SafetensorsInput])[] {
  return Array.isArray(x);
}

function prepare(name: string, value: SafetensorsInput, fail: (p: string) => never): Prepared {
  const what = `tensor ${JSON.stringify(name)}`;
  if (typeof name !== "string" || name.length === 0) fail("tensor names must be non-empty strings");
  if (name === "__metadata__") fail(`"__metadata__" is reserved for the metadata and cannot name a tensor`);
  if (LONE_SURROGATE.test(name)) fail(`${what}: the name is not well-formed Unicode (lone surrogate)`);
  if (value instanceof Tensor) {
    const dtype = FROM_DESCENT[value.dtype];
    if (dtype === undefined) fail(`${what}: dtype ${value.dtype} has no safetensors equivalent`);
    const n = numel(value.shape);
    if (value.data.length !== n) fail(`${what}: storage has ${value.data.length} elements but shape [${value.shape.join(", ")}] needs ${n} (not contiguous)`);
    const d = value.data;
    return { name, dtype: dtype!, shape: value.shape, bytes: new Uint8Array(d.buffer, d.byteOffset, d.byteLength), hostOrder: true };
  }
  if (typeof value !== "object" || value === null || !(value.bytes instanceof Uint8Array) || !Array.isArray(value.shape)) {
    fail(`${what}: expected a Tensor or { dtype, shape, bytes: Uint8Array }`);
  }
  if (!isSafetensorsDType(value.dtype)) fail(`${what}: ${describeUnknownDType(String(value.dtype))}`);
  let bytes = itemSize(value.dtype);
  for (const d of value.shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`${what}: shape [${value.shape.join(", ")}] must hold non-negative integers`);
    bytes *= d;
  }
  if (!Number.isSafeInteger(bytes)) fail(`${what}: shape [${value.shape.join(", ")}] is too large`);
  if (value.bytes.length !== bytes) {
    fail(`${what}: shape [${value.shape.join(", ")}] × ${value.dtype} needs ${bytes} bytes but ${value.bytes.length} were given`);
  }
  return { name, dtype: value.dtype, shape: [...value.shape], bytes: value.bytes, hostOrder: false };
}

/**
 * The bytes of a safetensors file holding `tensors` and (when given) `metadata`. Deterministic:
 * the same tensors and metadata always give the same bytes (see the order at the top of this file).
 * Throws SafetensorsError (source "<write>") for a reserved, empty or duplicate name, a non-string
 * metadata value, a dtype with no safetensors equivalent, or raw bytes that do not match their shape.
 */
export function serializeSafetensors(tensors: SafetensorsTensors, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const fail = (problem: string): never => {
    throw new SafetensorsError("serializeSafetensors", problem);
  };
  const pairs: (readonly [string, SafetensorsInput])[] =
    tensors instanceof Map ? [...tensors.entries()]
    : isTensorCollectionPairs(tensors as SafetensorsTensors) ? [...(tensors as readonly (readonly [string, SafetensorsInput])[])]
    : Object.entries(tensors as Readonly<Record<string, SafetensorsInput>>);
  const seen = new Set<string>();
  const items: Prepared[] = [];
  for (const [name, value] of pairs) {
    if (seen.has(name)) fail(`tensor ${JSON.stringify(name)} is given twice`);
    seen.add(name);
    items.push(prepare(name, value, fail));
  }
  items.sort((a, b) => CRATE_DTYPE_RANK[b.dtype] - CRATE_DTYPE_RANK[a.dtype] || compareCodePoints(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) fail("metadata must be an object of strings");
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const fields: string[] = [];
    for (const k of keys) {
      const v: unknown = metadata[k];
      if (typeof v !== "string") fail(`metadata ${JSON.stringify(k)} must be a string, got ${v === null ? "null" : typeof v}`);
      if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v as string)) fail(`metadata ${JSON.stringify(k)} is not well-formed Unicode`);
      fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${fields.join(",")}}`);
  }
  let offset = 0;
  for (const t of items) {
    const end = offset + t.bytes.length;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_LENGTH) fail(`the header would be ${headerLength} bytes, over the ${MAX_HEADER_LENGTH}-byte limit readers accept`);

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of items) {
    out.set(t.bytes, at);
    if (t.hostOrder && !HOST_LITTLE_ENDIAN) swapBytes(out.subarray(at, at + t.bytes.length), itemSize(t.dtype));
    at += t.bytes.length;
  }
  return out;
}

// ---- reading ------------------------------------------------------------------------------------

function buildFile(layout: SafetensorsLayout, data: Uint8Array, source: string): SafetensorsFile {
  const entries = layout.tensors.map((t: TensorLayout) =>
    new SafetensorsEntry(source, t.name, t.dtype, t.shape, [t.begin, t.end], data.subarray(t.begin, t.end)));
  return new SafetensorsFile(source, layout.metadata ?? {}, layout.headerLength, entries);
}

/**
 * Parse the bytes of a safetensors file. Everything is validated first (header length, UTF-8, JSON,
 * fields, dtypes, sizes, offsets, contiguity); the entries are views into `bytes`, nothing is copied.
 * Every failure is a SafetensorsError whose message starts with `source`.
 */
export function parseSafetensors(bytes: Uint8Array, source = "<memory>"): SafetensorsFile {
  const n = readHeaderLength(bytes, bytes.length, source);
  const layout = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length, source);
  return buildFile(layout, bytes.subarray(layout.dataStart), source);
}

/** Atomically write a safetensors file (temp file in the same directory, fsync, rename). */
export function writeSafetensors(
  path: string, tensors: SafetensorsTensors, metadata?: Readonly<Record<string, string>>, options: { fs?: IoFs } = {},
): void {
  const bytes = serializeSafetensors(tensors, metadata);
  writeFileAtomic(path, bytes, options);
}

function readExactly(fs: IoFs, fd: number, length: number, position: number, path: string): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const r = fs.readSync(fd, buf, got, length - got, position + got);
    if (r === 0) throw new SafetensorsError(path, `file ended after ${position + got} bytes while reading (did it change?)`);
    got += r;
  }
  return buf;
}

/**
 * Read and validate a safetensors file. The header is read and validated against the file's size
 * before the data is read, so a corrupt header never causes a large allocation; the data buffer
 * allocated is exactly the file's size minus the header.
 */
export function readSafetensors(path: string, options: { fs?: IoFs } = {}): SafetensorsFile {
  const fs = options.fs ?? defaultFs;
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SafetensorsError(path, code === "ENOENT" ? "no such file" : `cannot open: ${(e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SafetensorsError(path, "not a regular file");
    const size = st.size;
    const n = readHeaderLength(readExactly(fs, fd, Math.min(8, size), 0, path), size, path);
    const layout = parseSafetensorsHeader(readExactly(fs, fd, n, 8, path), size, path);
    const data = readExactly(fs, fd, layout.dataLength, layout.dataStart, path);
    return buildFile(layout, data, path);
  } finally {
    fs.closeSync(fd);
  }
}
