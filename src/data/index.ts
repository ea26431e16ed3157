// The data barrel: tokenizers, corpora, the train/validation split and the batch sampler.
export { DataError, TokenizerError } from "./errors.js";
export type { Tokenizer, TokenizerJSON } from "./tokenizer.js";
export { CharTokenizer } from "./char_tokenizer.js";
export { GPT2_EOT, GPT2_VOCAB_SIZE, Gpt2Tokenizer } from "./gpt2_tokenizer.js";
export { type Corpus, DOCUMENT_SEPARATOR, SOTU_SOURCE, loadCorpus, readUtf8 } from "./corpus.js";
export { type TokenSplits, splitTokens } from "./split.js";
export { BatchSampler, type BatchSamplerState, type TokenBatch } from "./batch_sampler.js";
export {
  type DataSummary, type PrepareDataOptions, type PreparedData, type TokenizerName, prepareData, tokenizerFromJSON, unigramEntropy,
} from "./dataset.js";
