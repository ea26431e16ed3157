// Descent -> PyTorch: a checkpoint directory written here (model.safetensors from stateDict(),
// config.json) loads into the PyTorch nanoGPT model of tools/load_descent_checkpoint.py and gives
// our logits. Needs /usr/bin/python3 with torch, so it runs only with DESCENT_TORCH=1 (skipped
// otherwise: CI has no PyTorch). Prints the max relative difference it measured.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Generator, io, optim, tensor } from "../../src/index.js";
import { GPT, type GPTConfig } from "../../src/models/index.js";

const enabled = process.env["DESCENT_TORCH"] === "1";
const script = new URL("../../../tools/load_descent_checkpoint.py", import.meta.url).pathname;

function writeCheckpoint(dir: string, config: Partial<GPTConfig>, dtype: "float32" | "float64"): void {
  const model = new GPT(config, { dtype, generator: new Generator(4) });
  // A few training steps so the weights are not just the init.
  const g = new Generator(9);
  const V = model.vocabSize;
  const T = model.blockSize;
  const batch = (): Int32Array => Int32Array.from({ length: 2 * T }, () => g.randint(0, V));
  const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-2 });
  for (let s = 0; s < 3; s++) {
    opt.zeroGrad();
    const x = batch();
    model.forward(tensor(x, { shape: [2, T], dtype: "int32" }), tensor(x.map((v) => (v + 1) % V), { shape: [2, T], dtype: "int32" })).loss!.backward();
    opt.step();
  }
  model.eval();
  io.writeSafetensors(join(dir, "model.safetensors"), model.stateDict());
  writeFileSync(join(dir, "config.json"), JSON.stringify(model.config, null, 2));
  const idx = batch();
  const targets = idx.map((v, i) => (i % T === T - 1 ? -1 : idx[i + 1]!));
  const out = model.forward(tensor(idx, { shape: [2, T], dtype: "int32" }), tensor(targets, { shape: [2, T], dtype: "int32" }));
  writeFileSync(join(dir, "sample.json"), JSON.stringify({
    idx: [[...idx.slice(0, T)], [...idx.slice(T)]], targets: [[...targets.slice(0, T)], [...targets.slice(T)]],
    logits: [...out.logits.data], loss: out.loss!.item(),
  }));
}

describe("Descent checkpoints load into PyTorch (tools/load_descent_checkpoint.py)", { skip: enabled ? false : "set DESCENT_TORCH=1 (needs /usr/bin/python3 with torch)" }, () => {
  const cases: [string, Partial<GPTConfig>, "float32" | "float64", number][] = [
    ["tied, float64", { vocabSize: 23, blockSize: 12, nLayer: 2, nHead: 4, nEmbd: 32 }, "float64", 1e-9],
    ["untied, no bias, float64", { vocabSize: 17, blockSize: 8, nLayer: 3, nHead: 2, nEmbd: 16, bias: false, tieWeights: false }, "float64", 1e-9],
    ["tied, float32", { vocabSize: 65, blockSize: 16, nLayer: 2, nHead: 4, nEmbd: 32 }, "float32", 1e-4],
  ];
  for (const [name, config, dtype, tol] of cases) {
    it(`${name}: PyTorch's logits equal ours`, () => {
      const dir = mkdtempSync(join(tmpdir(), "descent-ckpt-"));
      try {
        writeCheckpoint(dir, config, dtype);
        const r = spawnSync("/usr/bin/python3", [script, dir, "--compare", join(dir, "sample.json")], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const rel = Number(/max relative = ([^\s]+)/.exec(r.stdout)?.[1]);
        console.log(`# ${name}: ${r.stdout.trim().split("\n").filter((l) => l.startsWith("max") || l.startsWith("loss diff")).join("; ")}`);
        assert.ok(rel <= tol, `relative difference ${rel}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
