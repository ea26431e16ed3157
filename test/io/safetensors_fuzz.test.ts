// Fuzz: thousands of seeded random corruptions of a valid safetensors file. Every one must parse
// to a self-consistent result or throw a SafetensorsError naming the source; nothing else may be
// thrown, and a successful parse copies nothing (entries are views into the input), so the reader
// never holds more than the input's bytes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { io, tensor } from "../../src/index.js";

const { SafetensorsError, parseSafetensors, readSafetensors, serializeSafetensors } = io;
const SOURCE = "fuzz.safetensors";

/** mulberry32: small, seeded, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function baseFile(): Uint8Array {
  return serializeSafetensors({
    "transformer.wte.weight": tensor([[0.5, -1], [2, 3], [4, 5]]),
    "transformer.ln_f.bias": tensor([1, 2], { dtype: "float64" }),
    "ids": tensor([1, 2, 3, 4], { dtype: "int32" }),
    "scalar": tensor(7),
    "empty": tensor(new Float32Array(0), { shape: [2, 0] }),
    "half": { dtype: "F16", shape: [3], bytes: new Uint8Array([0, 0x3c, 0, 0xc0, 0xff, 0x7b]) },
    "big": { dtype: "I64", shape: [2], bytes: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]) },
    "mask": { dtype: "BOOL", shape: [2], bytes: new Uint8Array([1, 0]) },
  }, { format: "pt", step: "200" });
}

const withLength = (header: string, data: Uint8Array, n = Buffer.byteLength(header)): Uint8Array => {
  const h = Buffer.from(header, "utf8");
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
};

type Json = { [k: string]: unknown };

/** One random corruption of `base`. */
function mutate(base: Uint8Array, r: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number) => Math.floor(r() * n);
  const n = Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0, true));
  const headerText = Buffer.from(base.subarray(8, 8 + n)).toString("utf8");
  const data = base.subarray(8 + n);
  const kind = int(9);
  switch (kind) {
    case 0: { // flip a few random bytes
      const out = base.slice();
      for (let k = 1 + int(4); k > 0; k--) out[int(out.length)] = int(256);
      return out;
    }
    case 1: return base.slice(0, int(base.length + 1)); // truncate
    case 2: { // extend
      const extra = new Uint8Array(1 + int(64)).map(() => int(256));
      const out = new Uint8Array(base.length + extra.length);
      out.set(base);
      out.set(extra, base.length);
      return out;
    }
    case 3: { // header length edits
      const out = base.slice();
      const dv = new DataView(out.buffer);
      const v = pick([n + int(17) - 8, int(2 ** 32), 2 ** 32 + int(1000), 100_000_001, out.length, out.length - 8, 0]);
      dv.setBigUint64(0, BigInt(Math.max(0, v)), true);
      if (r() < 0.2) out[7] = 0x80;
      return out;
    }
    case 4: { // flip bytes inside the JSON header only
      const out = base.slice();
      for (let k = 1 + int(3); k > 0; k--) out[8 + int(n)] = pick([...Buffer.from('{}[],:"0123456789-.eE \\ua')]);
      return out;
    }
    default: { // structured JSON edits, then re-encode with a correct (or nearly correct) length
      const h = JSON.parse(headerText) as Json;
      const names = Object.keys(h).filter((k) => k !== "__metadata__");
      const name = pick(names);
      const entry = h[name] as Json;
      const weird = () => pick<unknown>([-1, 1.5, 2 ** 53, 2 ** 64, "3", null, true, [], {}, 1e400, -0, int(200)]);
      let text: string;
      switch (int(12)) {
        case 0: (entry.data_offsets as number[])[int(2)] = pick([int(200), 0, data.length, data.length + 1]) as number; break;
        case 1: (entry.data_offsets as unknown[])[int(2)] = weird(); break;
        case 2: entry.data_offsets = pick([[0], [0, 0, 0], "0,4", null, {}]); break;
        case 3: (entry.shape as unknown[]).push(pick([0, 1, 2, 3, 2 ** 40])); break;
        case 4: (entry.shape as unknown[])[0] = weird(); break;
        case 5: entry.dtype = pick(["F32", "F64", "F16", "BF16", "I64", "I32", "U8", "BOOL", "F8_E4M3", "C64", "f32", "", 32]); break;
        case 6: entry[pick(["extra", "dtype2", "offsets"])] = 1; break;
        case 7: delete entry[pick(["dtype", "shape", "data_offsets"])]; break;
        case 8: h.__metadata__ = pick<unknown>([{ a: 1 }, ["x"], "meta", null, { k: "v", n: { x: "y" } }]); break;
        case 9: h[name] = weird(); break;
        default: break;
      }
      text = JSON.stringify(h);
      if (r() < 0.25) { // duplicate a key textually (JSON.stringify cannot)
        const dup = `${JSON.stringify(name)}:${JSON.stringify(h[name])}`;
        text = `{${dup},${text.slice(1)}`;
      }
      if (r() < 0.1) text = pick([`[${text}]`, `${text} x`, `\ufeff${text}`, text.replace(/:/, ": ".repeat(3)), `{"a":${"[".repeat(80)}1${"]".repeat(80)}}`]);
      const padded = text.padEnd(Math.ceil(Buffer.byteLength(text) / 8) * 8, " ");
      const len = Buffer.byteLength(padded) + (r() < 0.2 ? int(5) - 2 : 0);
      const body = r() < 0.15 ? data.subarray(0, int(data.length + 1)) : data;
      return withLength(padded, body, Math.max(0, len));
    }
  }
}

/** A successful parse must be self-consistent and view-only. */
function checkValid(bytes: Uint8Array, f: io.SafetensorsFile): void {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  let at = 0;
  for (const e of f.entries) {
    assert.equal(e.bytes.buffer, bytes.buffer, "entries are views, never copies");
    assert.equal(e.bytes.byteOffset, bytes.byteOffset + 8 + n + e.dataOffsets[0]);
    assert.equal(e.dataOffsets[0], at, "contiguous in offset order");
    assert.equal(e.bytes.length, e.shape.reduce((a, b) => a * b, 1) * io.itemSize(e.dtype));
    at = e.dataOffsets[1];
    try {
      const t = e.toTensor();
      assert.deepEqual(t.shape, e.shape);
      // A tensor holds numel elements of at most 8 bytes: bounded by the validated byte size.
      assert.ok(t.data.byteLength <= 4 * e.bytes.length || e.bytes.length === 0);
    } catch (err) {
      assert.ok(err instanceof SafetensorsError && err.source === SOURCE, `toTensor threw ${String(err)}`);
    }
  }
  assert.equal(8 + n + at, bytes.length, "tensors cover the data buffer exactly");
  for (const v of Object.values(f.metadata)) assert.equal(typeof v, "string");
}

describe("safetensors fuzz", () => {
  it("4000 seeded corruptions: each parses consistently or throws SafetensorsError naming the file", { timeout: 120_000 }, (t) => {
    const base = baseFile();
    checkValid(base, parseSafetensors(base, SOURCE));
    const r = rng(20261201);
    let ok = 0;
    let maxMs = 0;
    const problems = new Map<string, number>();
    const start = performance.now();
    for (let i = 0; i < 4000; i++) {
      const bytes = mutate(base, r);
      const t0 = performance.now();
      try {
        const f = parseSafetensors(bytes, SOURCE);
        checkValid(bytes, f);
        ok++;
      } catch (e) {
        if (!(e instanceof SafetensorsError)) {
          assert.fail(`case ${i}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${Buffer.from(bytes).toString("latin1").slice(0, 300)}`);
        }
        assert.equal(e.source, SOURCE);
        assert.ok(e.message.startsWith(`${SOURCE}: `));
        const key = e.message.slice(SOURCE.length + 2).replace(/"[^"]*"|\d+|\[[^\]]*\]/g, "_").slice(0, 40);
        problems.set(key, (problems.get(key) ?? 0) + 1);
      }
      maxMs = Math.max(maxMs, performance.now() - t0);
    }
    const totalMs = performance.now() - start;
    t.diagnostic(`fuzz: ${ok} valid, ${problems.size} distinct problems, max ${maxMs.toFixed(2)} ms, total ${totalMs.toFixed(0)} ms`);
    assert.ok(ok > 50, `some corruptions stay valid (${ok})`);
    assert.ok(problems.size > 25, `many distinct problems reported (${problems.size})`);
  });

  it("300 corruptions read from disk give the same outcome as parsing the bytes, naming the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-fuzz-"));
    try {
      const base = baseFile();
      const r = rng(7);
      const path = join(dir, "model.safetensors");
      for (let i = 0; i < 300; i++) {
        const bytes = mutate(base, r);
        writeFileSync(path, bytes);
        let inMemory: string;
        try {
          inMemory = parseSafetensors(bytes, path).names().join(",");
        } catch (e) {
          assert.ok(e instanceof SafetensorsError);
          inMemory = e.message;
        }
        let fromDisk: string;
        try {
          const f = readSafetensors(path);
          fromDisk = f.names().join(",");
          for (const e of f.entries) assert.equal(e.bytes.buffer.byteLength, bytes.length - 8 - f.headerLength, "one data buffer of exactly the data's size");
        } catch (e) {
          assert.ok(e instanceof SafetensorsError, `readSafetensors threw ${String(e)}`);
          assert.equal(e.source, path);
          fromDisk = e.message;
        }
        assert.equal(fromDisk, inMemory, `case ${i}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
