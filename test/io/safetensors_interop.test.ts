// Interop with PyTorch: test/fixtures/torch_written.safetensors was written from torch tensors of
// every dtype by tools/safetensors_torch.py (which follows the reference crate's layout rules), and
// torch_written.json holds the values torch itself gives when widening them (.double() / .long()).
// Descent must read every tensor to exactly those values, and re-serializing what it read must
// reproduce the file byte for byte.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { io, nn } from "../../src/index.js";

const fixture = fileURLToPath(new URL("../../../test/fixtures/torch_written.safetensors", import.meta.url));
const expected = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_written.json", import.meta.url), "utf8")) as {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: string[] }>;
};
const f64FromHex = (hex: string): number => new DataView(Uint8Array.from(Buffer.from(hex, "hex")).buffer).getFloat64(0, true);

describe("safetensors interop with PyTorch", () => {
  const file = io.readSafetensors(fixture);

  it("reads every tensor written by torch to torch's own values (F16/BF16 widening included)", () => {
    assert.deepEqual(file.metadata, expected.metadata);
    assert.deepEqual(file.names().sort(), Object.keys(expected.tensors).sort());
    for (const [name, want] of Object.entries(expected.tensors)) {
      const e = file.entry(name);
      assert.equal(e.dtype, want.dtype, name);
      assert.deepEqual(e.shape, want.shape, name);
      const t = e.toTensor();
      assert.deepEqual(t.shape, want.shape, name);
      const got = [...t.data];
      assert.equal(got.length, want.values.length, name);
      if (want.dtype.startsWith("F") || want.dtype === "BF16") {
        want.values.forEach((hex, i) => assert.ok(Object.is(got[i], f64FromHex(hex)), `${name}[${i}]: ${got[i]} vs ${f64FromHex(hex)}`));
      } else {
        assert.deepEqual(got, want.values.map(Number), name);
      }
    }
  });

  it("re-serializing what was read reproduces torch's file byte for byte", () => {
    const raw = file.entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, bytes: e.bytes }] as const);
    assert.deepEqual(io.serializeSafetensors(raw, file.metadata), new Uint8Array(readFileSync(fixture)));
  });

  it("a module's stateDict round-trips through a safetensors file", () => {
    const lin = new nn.Linear(3, 2);
    const bytes = io.serializeSafetensors(lin.stateDict(), { format: "pt" });
    const other = new nn.Linear(3, 2);
    other.loadStateDict(io.parseSafetensors(bytes).tensors());
    assert.deepEqual(other.stateDict()["weight"]!.toArray(), lin.stateDict()["weight"]!.toArray());
    assert.deepEqual(other.stateDict()["bias"]!.toArray(), lin.stateDict()["bias"]!.toArray());
    assert.deepEqual(io.serializeSafetensors(other.stateDict(), { format: "pt" }), bytes);
  });
});
