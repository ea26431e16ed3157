// Interop: nanoGPT-structured models written to safetensors by PyTorch (tools/torch_gpt_safetensors.py
// writes the format by hand) load into models.GPT by name and give PyTorch's float64 logits; the
// tied head loads from files with or without lm_head.weight; Descent's own files round-trip.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type Tensor, io, tensor } from "../../src/index.js";
import { GPT, type GPTConfig } from "../../src/models/index.js";

interface Case {
  file: string;
  config: GPTConfig;
  dtype: string;
  keys: string[];
  idx: number[][];
  targets: number[][];
  logits: number[];
  loss: number;
}

const fixtures = new URL("../../../test/fixtures/", import.meta.url);
const fx = JSON.parse(readFileSync(new URL("torch_gpt_safetensors.json", fixtures), "utf8")) as { cases: Case[] };
const pathOf = (c: Case): string => new URL(c.file, fixtures).pathname;
const ids = (rows: number[][]): Tensor => tensor(rows, { dtype: "int32" });

function worst(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let w = 0;
  for (let i = 0; i < expected.length; i++) w = Math.max(w, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 1e-3 * scale));
  return w;
}

describe("PyTorch-written safetensors load into models.GPT", () => {
  for (const c of fx.cases) {
    it(`${c.file}: the file's keys, PyTorch's float64 logits and loss to 1e-9`, () => {
      const file = io.readSafetensors(pathOf(c));
      assert.deepEqual(file.names(), c.keys);
      const model = new GPT(c.config, { dtype: "float64" });
      const r = io.loadSafetensorsIntoModel(model, file);
      assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [], metadata: { format: "pt" } });
      const { logits, loss } = model.forward(ids(c.idx), ids(c.targets));
      const w = worst(logits.data, c.logits);
      assert.ok(w <= 1e-9, `worst logit error ${w}`);
      assert.ok(Math.abs(loss!.item() - c.loss) <= 1e-9 * c.loss);
      // A float32 model from the same file: float32 accuracy.
      const m32 = new GPT(c.config);
      io.loadSafetensorsIntoModel(m32, pathOf(c));
      assert.ok(worst(m32.forward(ids(c.idx)).logits.data, c.logits) < 1e-4);
    });
  }

  it("a tied model loads a file without lm_head.weight; two different head matrices are rejected", () => {
    const c = fx.cases.find((k) => k.config.tieWeights)!;
    const file = io.readSafetensors(pathOf(c));
    assert.ok(file.has("lm_head.weight") && file.has("transformer.wte.weight"));
    const withoutHead = new Map([...file.tensors()].filter(([k]) => k !== "lm_head.weight"));
    const model = new GPT(c.config, { dtype: "float64" });
    io.loadSafetensorsIntoModel(model, io.parseSafetensors(io.serializeSafetensors(withoutHead), "no-head.safetensors"));
    assert.ok(worst(model.forward(ids(c.idx)).logits.data, c.logits) <= 1e-9);

    const other = new Map(file.tensors());
    other.get("lm_head.weight")!.data[5] += 1;
    const fresh = new GPT(c.config, { dtype: "float64" });
    const before = fresh.transformer.wpe.weight.data.slice();
    assert.throws(() => io.loadSafetensorsIntoModel(fresh, io.parseSafetensors(io.serializeSafetensors(other), "two-heads.safetensors")),
      (e: unknown) => e instanceof io.SafetensorsError && /^two-heads\.safetensors: does not fit the model: .*two different matrices/.test((e as Error).message));
    assert.deepEqual(fresh.transformer.wpe.weight.data, before);
  });

  it("a file for another config is a SafetensorsError naming the file and the mismatch; nothing loads", () => {
    const c = fx.cases.find((k) => k.config.tieWeights)!;
    const wrong = new GPT({ ...c.config, nEmbd: 32 });
    const before = wrong.transformer.wte.weight.data.slice();
    assert.throws(() => io.loadSafetensorsIntoModel(wrong, pathOf(c)),
      (e: unknown) => e instanceof io.SafetensorsError && (e as Error).message.includes(c.file) && /shape mismatches: transformer\.wte\.weight \(checkpoint \[11, ?16\], model \[11, ?32\]\)/.test((e as Error).message));
    assert.deepEqual(wrong.transformer.wte.weight.data, before);
    const untied = fx.cases.find((k) => !k.config.tieWeights)!;
    assert.throws(() => io.loadSafetensorsIntoModel(new GPT({ ...untied.config, bias: true }), pathOf(untied)), /missing keys: transformer\.h\.0\.ln_1\.bias/);
  });

  it("Descent's own file (stateDict: the tied head once) round-trips exactly", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-gpt-"));
    try {
      const model = new GPT({ vocabSize: 13, blockSize: 6, nLayer: 1, nHead: 2, nEmbd: 8 }, { dtype: "float64" });
      const path = join(dir, "model.safetensors");
      io.writeSafetensors(path, model.stateDict());
      const file = io.readSafetensors(path);
      assert.ok(!file.has("lm_head.weight"));
      assert.equal(file.names().length, 16);
      const back = new GPT(model.config, { dtype: "float64", generator: undefined });
      io.loadSafetensorsIntoModel(back, file);
      const x = ids([[1, 2, 3, 12]]);
      assert.deepEqual(back.forward(x).logits.data, model.forward(x).logits.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
