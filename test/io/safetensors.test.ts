// safetensors: exact bytes against the reference implementation's own test vectors (the Rust
// crate's unit tests), round trips of every dtype, conversions to Descent tensors, and typed
// errors for every kind of invalid header.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DescentError, Tensor, io, tensor } from "../../src/index.js";

const { SafetensorsError, parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } = io;
type SafetensorsDType = io.SafetensorsDType;

const f32le = (xs: number[]): number[] => [...new Uint8Array(new Float32Array(xs).buffer)];
const ascii = (s: string): number[] => [...Buffer.from(s, "latin1")];
/** A file from a header string (length prefix = its byte length, no padding) and data bytes. */
function file(header: string, data: number[] = [], headerLength = Buffer.byteLength(header)): Uint8Array {
  const out = new Uint8Array(8 + Buffer.byteLength(header) + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(Buffer.from(header, "utf8"), 8);
  out.set(data, 8 + Buffer.byteLength(header));
  return out;
}
function throwsSt(fn: () => unknown, source: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${String(e)}`);
    assert.ok(e instanceof DescentError);
    assert.equal(e.source, source);
    assert.ok(e.message.startsWith(`${source}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

describe("safetensors: bytes equal the reference implementation's", () => {
  // The expected arrays are copied from the Rust crate's tests (safetensors/src/tensor.rs:
  // test_serialization, test_empty, test_serialization_forced_alignement).
  it("one F32 tensor [1, 2, 3] named attn.0 (header 64 bytes, no padding needed)", () => {
    const t = tensor([0, 1, 2, 3, 4, 5], { shape: [1, 2, 3] });
    const out = serializeSafetensors({ "attn.0": t });
    assert.deepEqual([...out], [
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it("header padded with spaces to a multiple of 8 (attn0 [1, 1, 2, 3])", () => {
    const out = serializeSafetensors(new Map([["attn0", tensor([0, 1, 2, 3, 4, 5], { shape: [1, 1, 2, 3] })]]));
    assert.deepEqual([...out], [
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  it("no tensors; no tensors with metadata {framework: pt}", () => {
    assert.deepEqual([...serializeSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    assert.deepEqual([...serializeSafetensors({}, { framework: "pt" })], [
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it("the crate's deserialization vectors parse (unpadded 60-byte header, scalar, zero-size, whitespace)", () => {
    const zeros16 = new Array<number>(16).fill(0);
    const a = parseSafetensors(file('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', zeros16));
    assert.equal(a.headerLength, 60);
    assert.deepEqual(a.tensor("test").toArray(), [[0, 0], [0, 0]]);
    const s = parseSafetensors(file('{"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}', [0, 0, 0, 0]));
    assert.deepEqual(s.tensor("test").shape, []);
    assert.equal(s.tensor("test").item(), 0);
    const z = parseSafetensors(file('{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}'));
    assert.deepEqual(z.tensor("test").shape, [2, 0]);
    assert.equal(parseSafetensors(file("{}\r \t\n")).entries.length, 0);
    assert.equal(parseSafetensors(file("\t\n{}\r ")).entries.length, 0);
  });

  it("the crate's rejection vectors are typed errors", () => {
    const hdr = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
    const zeros = (n: number) => new Array<number>(n).fill(0);
    throwsSt(() => parseSafetensors(file(hdr, [...zeros(16), ...ascii("extra_bogus_data_for_polyglot_file")])), "<memory>", /cover 16 bytes of data but the file has 50/);
    throwsSt(() => parseSafetensors(file(hdr, zeros(14))), "<memory>", /data_offsets \[0, 16\] lie outside the 14-byte data buffer/);
    const big = file(hdr, zeros(16));
    big.set([0xff, 0xff, 0xff], 5);
    throwsSt(() => parseSafetensors(big), "<memory>", /header length 18446742974197923900 exceeds the limit of 100000000 bytes/);
    throwsSt(() => parseSafetensors(new Uint8Array(0)), "<memory>", /file is 0 bytes, too short/);
    throwsSt(() => parseSafetensors(new Uint8Array([60, 0, 0, 0, 0, 0, 0, 0])), "<memory>", /header length 60 exceeds the 0 bytes after/);
    throwsSt(() => parseSafetensors(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0xff])), "<memory>", /not valid UTF-8/);
    throwsSt(() => parseSafetensors(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 123])), "<memory>", /not valid JSON: expected a string key but found end of input at position 1/);
    throwsSt(() => parseSafetensors(file('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}}', zeros(4))), "<memory>",
      /tensor "test": data_offsets \[0, 4\] but shape \[2, 2\] × I32 needs 16 bytes/);
    throwsSt(() => parseSafetensors(file('{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}', zeros(16))), "<memory>",
      /shape entries must be non-negative integers below 2\^53, got the number 18446744073709551614/);
    throwsSt(() => parseSafetensors(file('{"test":{"dtype":"I32","shape":[2,4503599627370495],"data_offsets":[0,16]}}', zeros(16))), "<memory>",
      /shape \[2, 4503599627370495\] × I32 needs more than 2\^53 bytes/);
  });
});

describe("safetensors: writer layout and determinism", () => {
  it("tensors ordered by descending dtype (crate order) then name; metadata first with sorted keys", () => {
    const out = serializeSafetensors(
      { b: tensor([1, 2]), a: { dtype: "I64", shape: [1], bytes: new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]) },
        c: { dtype: "F16", shape: [], bytes: new Uint8Array([0x00, 0x3c]) }, d: tensor([0.5], { dtype: "float64" }) },
      { z: "1", a: "x\"y" },
    );
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const header = Buffer.from(out.subarray(8, 8 + n)).toString("utf8");
    const expected = '{"__metadata__":{"a":"x\\"y","z":"1"},' +
      '"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
      '"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},' +
      '"c":{"dtype":"F16","shape":[],"data_offsets":[24,26]}}';
    assert.equal(header, expected.padEnd(Math.ceil(expected.length / 8) * 8, " "));
    assert.deepEqual([...out.subarray(8 + n)], [
      7, 0, 0, 0, 0, 0, 0, 0, ...new Uint8Array(new Float64Array([0.5]).buffer), ...f32le([1, 2]), 0x00, 0x3c,
    ]);
  });

  it("same tensors and metadata in any insertion order give the same bytes", () => {
    const x = tensor([1, 2, 3]);
    const y = tensor([4], { dtype: "int32" });
    const a = serializeSafetensors(new Map<string, Tensor>([["x", x], ["y", y], ["é", x], ["😀", y], ["\uffff", x]]), { k1: "a", k2: "b" });
    const b = serializeSafetensors([["\uffff", x], ["😀", y], ["y", y], ["é", x], ["x", x]], { k2: "b", k1: "a" });
    assert.deepEqual(a, b);
    // Code-point order: "\uffff" sorts before the astral "😀" (UTF-16 unit order would not).
    assert.deepEqual(parseSafetensors(a).names(), ["x", "é", "\uffff", "y", "😀"]);
  });
});

// Every dtype with bytes that exercise it; BOOL holds 0/1.
function sampleBytes(dtype: SafetensorsDType, n: number, seed: number): Uint8Array {
  const size = io.itemSize(dtype);
  const out = new Uint8Array(n * size);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = dtype === "BOOL" ? (s >>> 24) & 1 : s >>> 24;
  }
  return out;
}

describe("safetensors: round trips", () => {
  it("every dtype, with scalars, empty tensors and metadata, bytes and values preserved", () => {
    const shapes: number[][] = [[], [0], [3], [2, 3], [2, 0, 4], [1, 1, 1, 5]];
    const input = new Map<string, io.RawTensor>();
    io.SAFETENSORS_DTYPES.forEach((dtype, k) => {
      shapes.forEach((shape, j) => {
        const n = shape.reduce((a, b) => a * b, 1);
        input.set(`${dtype}.${j}`, { dtype, shape, bytes: sampleBytes(dtype, n, 31 * k + j) });
      });
    });
    const meta = { format: "pt", note: "ünïcode ✓ \n\t\"quoted\"" };
    const bytes = serializeSafetensors(input, meta);
    assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0, "header padded to a multiple of 8");
    const parsed = parseSafetensors(bytes);
    assert.deepEqual(parsed.metadata, meta);
    assert.equal(parsed.entries.length, input.size);
    for (const [name, t] of input) {
      const e = parsed.entry(name);
      assert.equal(e.dtype, t.dtype);
      assert.deepEqual(e.shape, t.shape);
      assert.deepEqual([...e.bytes], [...t.bytes]);
      assert.equal(e.bytes.buffer, bytes.buffer, "entries are views into the parsed bytes");
      const v = e.values();
      assert.equal(v.length, e.numel);
      assert.deepEqual([...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)], [...t.bytes]);
    }
    // Re-serializing what was read gives the same bytes.
    const again = serializeSafetensors(parsed.entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, bytes: e.bytes }] as const), parsed.metadata);
    assert.deepEqual(again, bytes);
  });

  it("Descent tensors round trip bit for bit (NaN, -0, infinities, extremes)", () => {
    const f64 = tensor(new Float64Array([NaN, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 0.1]), { shape: [7] });
    const f32 = tensor(new Float32Array([NaN, -0, 3.4028234663852886e38, 1e-45, -1.5]), { shape: [5] });
    const i32 = tensor(new Int32Array([-2147483648, 2147483647, 0, -1, 7, 8]), { shape: [2, 3] });
    const scalar = tensor(2.5, { dtype: "float64" });
    const empty = tensor(new Float32Array(0), { shape: [0, 3] });
    const back = parseSafetensors(serializeSafetensors({ f64, f32, i32, scalar, empty })).tensors();
    for (const [name, t] of Object.entries({ f64, f32, i32, scalar, empty })) {
      const r = back.get(name)!;
      assert.equal(r.dtype, t.dtype, name);
      assert.deepEqual(r.shape, t.shape, name);
      assert.deepEqual(new Uint8Array(r.data.buffer), new Uint8Array(t.data.buffer), name);
      assert.notEqual(r.data.buffer, t.data.buffer);
    }
    assert.equal(back.get("scalar")!.item(), 2.5);
  });

  it("F16 and BF16 widen exactly to float32", () => {
    const h = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x8000, 0x3555, 0x7e00]);
    const b = new Uint16Array([0x3f80, 0x4049, 0x7f80, 0x0001, 0xc2f7, 0x8000, 0x7fc0]);
    const f = parseSafetensors(serializeSafetensors({
      h: { dtype: "F16", shape: [h.length], bytes: new Uint8Array(h.buffer) },
      b: { dtype: "BF16", shape: [b.length], bytes: new Uint8Array(b.buffer) },
    }));
    const th = f.tensor("h");
    assert.equal(th.dtype, "float32");
    const vh = [...th.data];
    assert.deepEqual(vh.slice(0, 8), [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity]);
    assert.ok(Object.is(vh[8], -0));
    assert.equal(vh[9], 0.25 * (1 + 341 / 1024)); // 0x3555, float16 nearest to 1/3
    assert.ok(Number.isNaN(vh[10]));
    assert.equal(new Uint32Array(th.data.buffer)[10], 0x7fc00000);
    const tb = f.tensor("b");
    assert.deepEqual(new Uint32Array(tb.data.buffer).slice(0, 6), new Uint32Array([0x3f800000, 0x40490000, 0x7f800000, 0x00010000, 0xc2f70000, 0x80000000]));
    assert.deepEqual([...tb.data].slice(0, 3), [1, 3.140625, Infinity]);
    assert.equal(tb.data[4], -123.5);
  });

  it("integers become int32 when they fit; otherwise a typed error naming file and tensor", () => {
    const i64 = new BigInt64Array([-2147483648n, 2147483647n, 0n, -1n, 42n]);
    const ok = parseSafetensors(serializeSafetensors({
      i64: { dtype: "I64", shape: [5], bytes: new Uint8Array(i64.buffer) },
      u8: { dtype: "U8", shape: [3], bytes: new Uint8Array([0, 200, 255]) },
      i8: { dtype: "I8", shape: [2], bytes: new Uint8Array([0x80, 0x7f]) },
      i16: { dtype: "I16", shape: [1], bytes: new Uint8Array(new Int16Array([-30000]).buffer) },
      u16: { dtype: "U16", shape: [1], bytes: new Uint8Array(new Uint16Array([65535]).buffer) },
      u32: { dtype: "U32", shape: [1], bytes: new Uint8Array(new Uint32Array([2147483647]).buffer) },
      u64: { dtype: "U64", shape: [1], bytes: new Uint8Array(new BigUint64Array([5n]).buffer) },
      bool: { dtype: "BOOL", shape: [3], bytes: new Uint8Array([1, 0, 1]) },
    }));
    assert.deepEqual([...ok.tensor("i64").data], [-2147483648, 2147483647, 0, -1, 42]);
    assert.equal(ok.tensor("i64").dtype, "int32");
    assert.deepEqual([...ok.tensor("u8").data], [0, 200, 255]);
    assert.deepEqual([...ok.tensor("i8").data], [-128, 127]);
    assert.deepEqual([...ok.tensor("i16").data], [-30000]);
    assert.deepEqual([...ok.tensor("u16").data], [65535]);
    assert.deepEqual([...ok.tensor("u32").data], [2147483647]);
    assert.deepEqual([...ok.tensor("u64").data], [5]);
    assert.deepEqual([...ok.tensor("bool").data], [1, 0, 1]);
    const bad = (dtype: SafetensorsDType, bytes: Uint8Array, n: number) =>
      parseSafetensors(serializeSafetensors({ "tok.ids": { dtype, shape: [n], bytes } }), "ids.safetensors");
    throwsSt(() => bad("I64", new Uint8Array(new BigInt64Array([1n, 2147483648n]).buffer), 2).tensor("tok.ids"), "ids.safetensors",
      /tensor "tok.ids" \(I64\) cannot become a Descent tensor: element 1 is 2147483648, outside int32/);
    throwsSt(() => bad("I64", new Uint8Array(new BigInt64Array([-2147483649n]).buffer), 1).tensor("tok.ids"), "ids.safetensors", /element 0 is -2147483649/);
    throwsSt(() => bad("U64", new Uint8Array(new BigUint64Array([2n ** 63n]).buffer), 1).tensor("tok.ids"), "ids.safetensors", /element 0 is 9223372036854775808/);
    throwsSt(() => bad("U32", new Uint8Array(new Uint32Array([2147483648]).buffer), 1).tensor("tok.ids"), "ids.safetensors", /element 0 is 2147483648/);
    throwsSt(() => bad("BOOL", new Uint8Array([0, 2]), 2).tensor("tok.ids"), "ids.safetensors", /element 1 is byte 2, but a BOOL must be 0 or 1/);
    throwsSt(() => ok.tensor("missing"), "<memory>", /no tensor "missing"; the file has "u64", "i64", "u32"/);
  });
});

describe("safetensors: header validation", () => {
  const src = "model.safetensors";
  const data = (n: number) => new Array<number>(n).fill(0);
  const cases: [string, string, number, RegExp][] = [
    ['{"wte.weight":{"dtype":"F32","shape":[5,6],"data_offsets":[0,100]}}', "", 100,
      /^model\.safetensors: tensor "wte\.weight": data_offsets \[0, 100\] but shape \[5, 6\] × F32 needs 120 bytes$/],
    ['[]', "", 0, /header must be a JSON object, got an array/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', "", 4, /duplicate key "a"/],
    ['{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', "", 1, /dtype F8_E4M3 is valid safetensors but Descent cannot read it/],
    ['{"a":{"dtype":"F99","shape":[1],"data_offsets":[0,1]}}', "", 1, /unknown dtype "F99"/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', "", 4, /tensor "a": unexpected field "extra"/],
    ['{"a":{"dtype":"F32","shape":[1]}}', "", 0, /tensor "a": missing field "data_offsets"/],
    ['{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', "", 4, /shape entries must be non-negative integers/],
    ['{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', "", 4, /shape entries must be non-negative integers below 2\^53, got the number 1\.0/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}', "", 4, /data_offsets must be an array \[begin, end\], got an array of length 3/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', "", 4, /data_offsets \[4, 0\] end before they begin/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', "", 8, /tensor "a": data_offsets \[4, 8\] leave a gap: the first tensor must start at 0/],
    ['{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', "", 8,
      /tensor "b": data_offsets \[4, 8\] overlap: the previous tensor "a" ends at 8/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', "", 12,
      /tensor "b": data_offsets \[8, 12\] leave a gap: the previous tensor "a" ends at 4/],
    ['{"__metadata__":{"k":1}}', "", 0, /__metadata__ "k" must be a string, got the number 1/],
    ['{"__metadata__":["x"]}', "", 0, /__metadata__ must be an object of strings, got an array/],
    ['{"a":"F32"}', "", 0, /tensor "a": expected an object with dtype, shape and data_offsets, got a string/],
    ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,9007199254740993]}}', "", 4, /data_offsets must be non-negative integers below 2\^53/],
    ['\ufeff{}', "", 0, /not valid JSON: unexpected character "\ufeff"/],
    ['{"a\\ud800":1}', "", 0, /lone leading surrogate/],
    ['{}x', "", 0, /unexpected character "x" after the JSON value/],
    ['{"a":' + "[".repeat(100) + "]".repeat(100) + "}", "", 0, /nesting deeper than 64 levels/],
  ];
  for (const [header, , dataLen, pattern] of cases) {
    it(`rejects ${header.length > 70 ? header.slice(0, 70) + "…" : header}`, () => {
      throwsSt(() => parseSafetensors(file(header, data(dataLen)), src), src, pattern);
    });
  }
  it("accepts escapes, metadata, and tensors listed out of offset order", () => {
    const f = parseSafetensors(file(
      '{"b\\u00e9\\ud83d\\ude00":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"__metadata__":{"\\n":"\\/"},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
      [3, 4]));
    assert.deepEqual(f.names(), ["a", "bé😀"]);
    assert.deepEqual(f.metadata, { "\n": "/" });
    assert.deepEqual([...f.tensor("bé😀").data], [4]);
  });
});

describe("safetensors: writer validation", () => {
  const t = tensor([1]);
  const cases: [string, () => unknown, RegExp][] = [
    ["empty name", () => serializeSafetensors({ "": t }), /tensor names must be non-empty strings/],
    ["reserved name", () => serializeSafetensors({ __metadata__: t }), /"__metadata__" is reserved/],
    ["duplicate pair", () => serializeSafetensors([["a", t], ["a", t]]), /tensor "a" is given twice/],
    ["lone surrogate", () => serializeSafetensors({ "a\ud800": t }), /not well-formed Unicode/],
    ["metadata value", () => serializeSafetensors({}, { k: 5 as unknown as string }), /metadata "k" must be a string, got number/],
    ["raw size", () => serializeSafetensors({ r: { dtype: "F32", shape: [2], bytes: new Uint8Array(4) } }), /shape \[2\] × F32 needs 8 bytes but 4 were given/],
    ["raw dtype", () => serializeSafetensors({ r: { dtype: "C64" as SafetensorsDType, shape: [1], bytes: new Uint8Array(8) } }), /dtype C64 is valid safetensors but Descent cannot read it/],
    ["raw shape", () => serializeSafetensors({ r: { dtype: "U8", shape: [-1], bytes: new Uint8Array(0) } }), /must hold non-negative integers/],
    ["not a tensor", () => serializeSafetensors({ r: [1, 2] as unknown as Tensor }), /expected a Tensor or \{ dtype, shape, bytes: Uint8Array \}/],
  ];
  for (const [what, fn, pattern] of cases) it(`rejects ${what}`, () => throwsSt(fn, "serializeSafetensors", pattern));
});

describe("safetensors files", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-st-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writeSafetensors is atomic and leaves no temp file; readSafetensors reads it back", () => {
    const path = join(dir, "model.safetensors");
    writeSafetensors(path, { w: tensor([[1, 2], [3, 4]], { dtype: "float64" }) }, { step: "1" });
    writeSafetensors(path, { w: tensor([[5, 6], [7, 8]], { dtype: "float64" }) }, { step: "2" });
    assert.deepEqual(readdirSync(dir), ["model.safetensors"]);
    const f = readSafetensors(path);
    assert.equal(f.source, path);
    assert.deepEqual(f.metadata, { step: "2" });
    assert.deepEqual(f.tensor("w").toArray(), [[5, 6], [7, 8]]);
  });

  it("missing, truncated and non-regular files are errors naming the path", () => {
    throwsSt(() => readSafetensors(join(dir, "nope.safetensors")), join(dir, "nope.safetensors"), /no such file/);
    throwsSt(() => readSafetensors(dir), dir, /not a regular file/);
    const path = join(dir, "short.safetensors");
    const good = serializeSafetensors({ w: tensor([1, 2, 3]) });
    writeFileSync(path, good.subarray(0, good.length - 1));
    throwsSt(() => readSafetensors(path), path, /lie outside the 11-byte data buffer/);
    writeFileSync(path, good.subarray(0, 5));
    throwsSt(() => readSafetensors(path), path, /file is 5 bytes, too short/);
  });
});
