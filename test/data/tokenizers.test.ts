// Tokenizers: char vocabulary (sorted distinct code points), round trips, unknown characters,
// tokenizer.json round trips, and GPT-2's known ids with 50256 between documents.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { data } from "../../src/index.js";

const { CharTokenizer, Gpt2Tokenizer, TokenizerError, tokenizerFromJSON } = data;

describe("CharTokenizer", () => {
  it("vocabulary is the sorted distinct characters; encode/decode round-trip", () => {
    const t = CharTokenizer.fromText("hello world\n");
    assert.deepEqual(t.chars, ["\n", " ", "d", "e", "h", "l", "o", "r", "w"]);
    assert.equal(t.vocabSize, 9);
    const ids = t.encode("hello world\n");
    assert.deepEqual([...ids], [4, 3, 5, 5, 6, 1, 8, 6, 7, 5, 2, 0]);
    assert.equal(t.decode(ids), "hello world\n");
  });

  it("astral characters are single tokens sorted by code point", () => {
    const text = "a😀b€a😀";
    const t = CharTokenizer.fromText(text);
    assert.deepEqual(t.chars, ["a", "b", "€", "😀"]);
    assert.deepEqual([...t.encode(text)], [0, 3, 1, 2, 0, 3]);
    assert.equal(t.decode(t.encode(text)), text);
  });

  it("an unknown character is a TokenizerError naming it and its offset", () => {
    const t = CharTokenizer.fromText("abc");
    assert.throws(() => t.encode("abxc"), (e: Error) => e instanceof TokenizerError && /"x" \(U\+0078\) at offset 2/.test(e.message));
    assert.throws(() => t.decode([0, 7]), (e: Error) => e instanceof TokenizerError && /id 7 at position 1/.test(e.message));
  });

  it("toJSON/fromJSON round-trip; bad JSON is a TokenizerError", async () => {
    const t = CharTokenizer.fromText("the quick brown fox");
    const json = JSON.parse(JSON.stringify(t.toJSON()));
    const back = await tokenizerFromJSON(json);
    assert.deepEqual((back as InstanceType<typeof CharTokenizer>).chars, t.chars);
    assert.throws(() => CharTokenizer.fromJSON({ type: "char", chars: ["a", "a"] }), /appears twice/);
    assert.throws(() => CharTokenizer.fromJSON({ type: "char", chars: ["ab"] }), /single character/);
    assert.throws(() => CharTokenizer.fromJSON({ type: "bpe" }), TokenizerError);
    await assert.rejects(tokenizerFromJSON({ type: "nope" } as never), /unknown tokenizer type "nope"/);
  });
});

describe("Gpt2Tokenizer (r50k_base)", () => {
  it("known GPT-2 ids; decode round-trips", async () => {
    const t = await Gpt2Tokenizer.load();
    assert.equal(t.vocabSize, 50257);
    const ids = t.encode("Hello world, this is a test.");
    assert.deepEqual([...ids], [15496, 995, 11, 428, 318, 257, 1332, 13]);
    assert.equal(t.decode(ids), "Hello world, this is a test.");
  });

  it("encodeDocuments puts 50256 between documents (and nowhere else)", async () => {
    const t = await Gpt2Tokenizer.load();
    const ids = t.encodeDocuments(["Hello world", "Hello world"], "\n\n");
    assert.deepEqual([...ids], [15496, 995, 50256, 15496, 995]);
    assert.equal(t.decode(ids), "Hello world<|endoftext|>Hello world");
    assert.deepEqual([...t.encodeDocuments(["Hello"], "\n\n")], [15496]);
    assert.throws(() => t.decode([50257]), TokenizerError);
    const back = await tokenizerFromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    assert.equal(back.type, "gpt2");
    await assert.rejects(Gpt2Tokenizer.fromJSON({ type: "gpt2", encoding: "cl100k_base" }), TokenizerError);
  });
});
