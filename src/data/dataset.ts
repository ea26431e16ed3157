// From a corpus to the token stream the trainer samples from: tokenize (building the char
// vocabulary from the text, or loading GPT-2's), split 90/10, and summarise for data.json.

import { CharTokenizer } from "./char_tokenizer.js";
import { type Corpus, DOCUMENT_SEPARATOR, loadCorpus } from "./corpus.js";
import { DataError } from "./errors.js";
import { Gpt2Tokenizer } from "./gpt2_tokenizer.js";
import { type TokenSplits, splitTokens } from "./split.js";
import type { Tokenizer, TokenizerJSON } from "./tokenizer.js";

export type TokenizerName = "char" | "gpt2";

/** data.json: what was read and how it was tokenized. */
export interface DataSummary {
  source: string;
  documents: number;
  characters: number;
  tokens: number;
  trainTokens: number;
  valTokens: number;
  tokenizer: TokenizerName;
  vocabSize: number;
  sha256: string;
  /** Milliseconds spent reading and tokenizing (measured, informational). */
  loadMs: number;
  tokenizeMs: number;
}

export interface PreparedData {
  corpus: Corpus;
  tokenizer: Tokenizer;
  tokens: Int32Array;
  splits: TokenSplits;
  summary: DataSummary;
}

export interface PrepareDataOptions {
  /** A file or folder of .txt files; the embedded State of the Union corpus when absent. */
  data?: string | undefined;
  tokenizer: TokenizerName;
  blockSize: number;
  /** Reuse a saved tokenizer (resume): its vocabulary must cover the corpus. */
  tokenizerJSON?: TokenizerJSON | undefined;
}

/** Rebuild a tokenizer from tokenizer.json. */
export async function tokenizerFromJSON(json: TokenizerJSON): Promise<Tokenizer> {
  if (json?.type === "char") return CharTokenizer.fromJSON(json);
  if (json?.type === "gpt2") return Gpt2Tokenizer.fromJSON(json);
  throw new DataError(`tokenizer: unknown tokenizer type ${JSON.stringify((json as { type?: unknown } | null)?.type)}; expected "char" or "gpt2"`);
}

export async function prepareData(opts: PrepareDataOptions): Promise<PreparedData> {
  const t0 = performance.now();
  const corpus = loadCorpus(opts.data);
  const t1 = performance.now();
  let tokenizer: Tokenizer;
  if (opts.tokenizerJSON) {
    tokenizer = await tokenizerFromJSON(opts.tokenizerJSON);
    if (tokenizer.type !== opts.tokenizer) throw new DataError(`data: the saved tokenizer is "${tokenizer.type}" but "${opts.tokenizer}" was asked for`);
  } else {
    tokenizer = opts.tokenizer === "gpt2" ? await Gpt2Tokenizer.load() : CharTokenizer.fromText(corpus.text);
  }
  const tokens = tokenizer.encodeDocuments(corpus.documents, DOCUMENT_SEPARATOR);
  const t2 = performance.now();
  const splits = splitTokens(tokens, opts.blockSize);
  return {
    corpus,
    tokenizer,
    tokens,
    splits,
    summary: {
      source: corpus.source,
      documents: corpus.documents.length,
      characters: corpus.characters,
      tokens: tokens.length,
      trainTokens: splits.train.length,
      valTokens: splits.val.length,
      tokenizer: tokenizer.type,
      vocabSize: tokenizer.vocabSize,
      sha256: corpus.sha256,
      loadMs: Math.round(t1 - t0),
      tokenizeMs: Math.round(t2 - t1),
    },
  };
}

/** Entropy (nats per token) of the token frequencies in `tokens`: the loss of the best model that ignores context. */
export function unigramEntropy(tokens: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < tokens.length; i++) counts[tokens[i]!]!++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / tokens.length) * Math.log(c / tokens.length);
  return h;
}
