// Checkpoint directories: layout, resolution, verification, and crash safety. Failures are
// injected through the IoFs layer: at the k-th file-system call the "process dies" (that call and
// every later one throws, so no cleanup can run), for every k of a full write, with and without a
// torn partial write. After each, the resolved checkpoint is the old one or the new one, byte for
// byte, nothing outside checkpoints/ changed, and the next write removes the leftovers.
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DescentError, io } from "../../src/index.js";

const { CheckpointError, readCheckpointFiles, resolveCheckpoint, writeCheckpoint, listCheckpoints, readCheckpointManifest } = io;

const root = mkdtempSync(join(tmpdir(), "descent-ckpt-"));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshRun = (): string => {
  const dir = join(root, `run-${counter++}`);
  nodeFs.mkdirSync(dir);
  writeFileSync(join(dir, "metrics.jsonl"), '{"step":1}\n');
  writeFileSync(join(dir, "config.json"), '{"user":"config"}');
  return dir;
};

const filesAt = (step: number): Record<string, Uint8Array | string> => ({
  "model.safetensors": io.serializeSafetensors({ w: { dtype: "U8", shape: [64], bytes: new Uint8Array(64).fill(step & 255) } }),
  "optimizer.safetensors": new Uint8Array(100 + step).fill(7),
  "trainer.json": JSON.stringify({ step }),
  "config.json": '{"nLayer":2}',
  "tokenizer.json": JSON.stringify({ vocab: "abc", step }),
});
const NAMES = Object.keys(filesAt(0));
const asBytes = (x: Uint8Array | string): Uint8Array => (typeof x === "string" ? new TextEncoder().encode(x) : x);

function assertIsCheckpoint(dir: string, step: number): void {
  const got = readCheckpointFiles(dir, NAMES);
  for (const [name, want] of Object.entries(filesAt(step))) {
    const bytes = got.get(name)!;
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.length, "each file in its own buffer");
    assert.deepEqual(bytes, asBytes(want), `${name} of step ${step}`);
  }
  assert.equal(readCheckpointManifest(resolveCheckpoint(dir)).step, step);
}

function throwsCk(fn: () => unknown, pathPart: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointError && e instanceof DescentError, `expected CheckpointError, got ${String(e)}`);
    assert.ok(e.path.includes(pathPart), `${e.path} should include ${pathPart}`);
    assert.ok(e.message.startsWith(e.path + ": "));
    assert.match(e.message, pattern);
    return true;
  });
}

/** An IoFs that dies at call number `failAt` (0-based): that call and every later one throw. */
function dyingFs(failAt: number, torn: boolean): { fs: io.IoFs; calls: () => number } {
  let calls = 0;
  let dead = false;
  const wrap = <K extends keyof io.IoFs>(k: K): io.IoFs[K] => ((...args: unknown[]) => {
    if (dead || calls === failAt) {
      if (!dead && torn && k === "writeSync") {
        const [fd, buf, off, len] = args as [number, Uint8Array, number, number];
        nodeFs.writeSync(fd, buf, off, Math.floor(len / 2)); // a torn write before the crash
      }
      dead = true;
      calls++;
      throw new Error(`injected crash at fs call ${failAt} (${k})`);
    }
    calls++;
    // fsync is counted (a crash may fall before or after it) but skipped: durability against power
    // loss cannot be observed from inside the process, and real fsyncs make this test slow.
    if (k === "fsyncSync") return undefined;
    return (nodeFs[k] as (...a: unknown[]) => unknown)(...args);
  }) as io.IoFs[K];
  const keys: (keyof io.IoFs)[] = ["openSync", "writeSync", "fsyncSync", "closeSync", "readSync", "fstatSync", "renameSync", "mkdirSync", "rmSync", "readdirSync", "readFileSync", "statSync", "lstatSync"];
  const fs = Object.fromEntries(keys.map((k) => [k, wrap(k)])) as unknown as io.IoFs;
  return { fs, calls: () => calls };
}

describe("checkpoint directories", () => {
  it("writes step-NNNNNN with a manifest and latest.json; resolves from run dir, checkpoints/ or itself", () => {
    const run = freshRun();
    const p1 = writeCheckpoint(run, filesAt(100), { step: 100 });
    assert.equal(p1, join(run, "checkpoints", "step-000100"));
    assert.deepEqual(readdirSync(p1).sort(), [...NAMES, "manifest.json"].sort());
    const p2 = writeCheckpoint(run, new Map(Object.entries(filesAt(200))), { step: 200 });
    assert.deepEqual(readdirSync(join(run, "checkpoints")).sort(), ["latest.json", "step-000100", "step-000200"]);
    assert.equal(resolveCheckpoint(run), p2);
    assert.equal(resolveCheckpoint(join(run, "checkpoints")), p2);
    assert.equal(resolveCheckpoint(p1), p1);
    assertIsCheckpoint(run, 200);
    assertIsCheckpoint(p1, 100);
    assert.deepEqual(listCheckpoints(run).map((c) => [c.step, c.sequence]), [[100, 1], [200, 2]]);
    const m = readCheckpointManifest(p2);
    assert.equal(m.files["trainer.json"]!.bytes, '{"step":200}'.length);
    // Nothing outside checkpoints/ was touched.
    assert.equal(readFileSync(join(run, "config.json"), "utf8"), '{"user":"config"}');
    assert.deepEqual(readdirSync(run).sort(), ["checkpoints", "config.json", "metrics.jsonl"]);
  });

  it("the same step written again gets a new name; the same content gives the same bytes", () => {
    const run = freshRun();
    const a = writeCheckpoint(run, filesAt(5), { step: 5 });
    const b = writeCheckpoint(run, filesAt(5), { step: 5 });
    assert.equal(b, join(run, "checkpoints", "step-000005-v2"));
    assert.equal(resolveCheckpoint(run), b);
    for (const n of NAMES) assert.deepEqual(readFileSync(join(a, n)), readFileSync(join(b, n)));
    // Only the write sequence differs between the manifests.
    assert.equal(readFileSync(join(a, "manifest.json"), "utf8").replace('"sequence": 1', '"sequence": 2'), readFileSync(join(b, "manifest.json"), "utf8"));
  });

  it("keep prunes the oldest checkpoints and leaves foreign entries alone", () => {
    const run = freshRun();
    nodeFs.mkdirSync(join(run, "checkpoints", "step-000300"), { recursive: true }); // not ours: no manifest
    writeFileSync(join(run, "checkpoints", "notes.txt"), "mine");
    for (const s of [100, 200, 300, 400]) writeCheckpoint(run, filesAt(s), { step: s, keep: 2 });
    assert.deepEqual(readdirSync(join(run, "checkpoints")).sort(), ["latest.json", "notes.txt", "step-000300", "step-000300-v2", "step-000400"]);
    assert.deepEqual(readdirSync(join(run, "checkpoints", "step-000300")), []);
    assertIsCheckpoint(run, 400);
    writeCheckpoint(run, filesAt(500), { step: 500, keep: 1 });
    assert.deepEqual(listCheckpoints(run).map((c) => c.step), [500]);
  });

  it("bad requests are CheckpointErrors before anything is written", () => {
    const run = freshRun();
    throwsCk(() => writeCheckpoint(run, filesAt(1), { step: -1 }), run, /step must be a non-negative integer, got -1/);
    throwsCk(() => writeCheckpoint(run, filesAt(1), { step: 1.5 }), run, /step must be a non-negative integer/);
    throwsCk(() => writeCheckpoint(run, filesAt(1), { step: 1, keep: 0 }), run, /keep must be an integer >= 1, got 0/);
    throwsCk(() => writeCheckpoint(run, {}, { step: 1 }), run, /files is empty/);
    throwsCk(() => writeCheckpoint(run, { "../x": "a" }, { step: 1 }), run, /bad file name "\.\.\/x"/);
    throwsCk(() => writeCheckpoint(run, { "manifest.json": "a" }, { step: 1 }), run, /bad file name "manifest\.json"/);
    throwsCk(() => writeCheckpoint(run, { "a.json": 5 as unknown as string }, { step: 1 }), run, /must be a Uint8Array or a string/);
    assert.deepEqual(readdirSync(run).sort(), ["config.json", "metrics.jsonl"]);
  });

  it("missing, empty, incomplete, corrupt and tampered checkpoints are errors naming the path", () => {
    const run = freshRun();
    throwsCk(() => resolveCheckpoint(join(run, "nope")), "nope", /no such checkpoint or run directory/);
    throwsCk(() => resolveCheckpoint(join(run, "metrics.jsonl")), "metrics.jsonl", /not a directory/);
    throwsCk(() => resolveCheckpoint(run), run, /not a checkpoint \(no manifest\.json\) and not a run directory/);
    nodeFs.mkdirSync(join(run, "checkpoints"));
    throwsCk(() => resolveCheckpoint(run), "checkpoints", /no complete checkpoint here/);
    const dir = writeCheckpoint(run, filesAt(7), { step: 7 });
    throwsCk(() => readCheckpointFiles(dir, ["weights.bin"]), "weights.bin", /not in this checkpoint \(it has config\.json, model\.safetensors/);
    const model = join(dir, "model.safetensors");
    const good = readFileSync(model);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 1;
    writeFileSync(model, flipped);
    throwsCk(() => readCheckpointFiles(run, ["model.safetensors"]), "model.safetensors", /corrupt: its sha256 does not match/);
    writeFileSync(model, good.subarray(0, 10));
    throwsCk(() => resolveCheckpoint(run), dir, /incomplete checkpoint: model\.safetensors is 10 bytes but the manifest says/);
    rmSync(model);
    throwsCk(() => resolveCheckpoint(dir), dir, /incomplete checkpoint: model\.safetensors is missing/);
    writeFileSync(join(dir, "manifest.json"), "{ not json");
    throwsCk(() => resolveCheckpoint(dir), "manifest.json", /checkpoint manifest is not valid JSON/);
    writeFileSync(join(dir, "manifest.json"), '{"format":"x"}');
    throwsCk(() => resolveCheckpoint(dir), "manifest.json", /invalid checkpoint manifest: expected format "descent\.checkpoint" version 1/);
    writeFileSync(join(run, "checkpoints", "latest.json"), '{"format":"descent.checkpoint-pointer","checkpoint":"../../etc"}');
    throwsCk(() => resolveCheckpoint(run), "latest.json", /invalid latest-checkpoint pointer/);
    writeFileSync(join(run, "checkpoints", "latest.json"), '{"format":"descent.checkpoint-pointer","checkpoint":"step-000999"}');
    throwsCk(() => resolveCheckpoint(run), "latest.json", /points to checkpoint step-000999, which does not exist/);
  });

  for (const torn of [false, true]) {
    it(`a crash at every file-system call leaves the old or the new checkpoint${torn ? " (torn writes)" : ""}`, () => {
      // Count the calls of one complete write on top of an existing checkpoint (with pruning).
      const fast = { fs: dyingFs(Infinity, false).fs };
      const probeRun = freshRun();
      writeCheckpoint(probeRun, filesAt(100), { step: 100, ...fast });
      const probe = dyingFs(Infinity, false);
      writeCheckpoint(probeRun, filesAt(200), { step: 200, keep: 1, fs: probe.fs });
      const total = probe.calls();
      assert.ok(total > 30, `a write makes many fs calls (${total})`);
      let sawOld = 0;
      let sawNew = 0;
      for (let k = 0; k < total; k++) {
        const run = freshRun();
        writeCheckpoint(run, filesAt(100), { step: 100, ...fast });
        const dying = dyingFs(k, torn);
        assert.throws(() => writeCheckpoint(run, filesAt(200), { step: 200, keep: 1, fs: dying.fs }), /injected crash/);
        const resolved = resolveCheckpoint(run);
        const step = readCheckpointManifest(resolved).step;
        assert.ok(step === 100 || step === 200, `crash at call ${k}: resolved step ${step}`);
        assertIsCheckpoint(run, step);
        if (step === 100) sawOld++;
        else sawNew++;
        assert.equal(readFileSync(join(run, "config.json"), "utf8"), '{"user":"config"}');
        assert.equal(readFileSync(join(run, "metrics.jsonl"), "utf8"), '{"step":1}\n');
        // The next write (same process) cleans up whatever the crash left behind.
        const next = writeCheckpoint(run, filesAt(300), { step: 300, keep: 1, ...fast });
        assert.equal(resolveCheckpoint(run), next);
        assertIsCheckpoint(run, 300);
        assert.deepEqual(readdirSync(join(run, "checkpoints")).filter((n) => n.startsWith(".")), [], `leftovers after crash at ${k}`);
        assert.deepEqual(readdirSync(join(run, "checkpoints")).sort(), ["latest.json", "step-000300"]);
      }
      assert.ok(sawOld > 0 && sawNew > 0, `both outcomes occur (${sawOld} old, ${sawNew} new)`);
    });
  }
});
