// The tokenizer contract shared by the trainer, checkpoints (tokenizer.json) and `descent sample`.

/** What tokenizer.json holds: enough to rebuild the tokenizer exactly. */
export type TokenizerJSON =
  | { type: "char"; chars: string[] }
  | { type: "gpt2"; encoding: "r50k_base"; vocabSize: number; eotToken: number };

export interface Tokenizer {
  readonly type: TokenizerJSON["type"];
  readonly vocabSize: number;
  /** Token ids of one text. */
  encode(text: string): Int32Array;
  /** The token stream of a corpus: each document encoded, with the tokenizer's document separator (if any) between them. */
  encodeDocuments(documents: readonly string[], separator: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  toJSON(): TokenizerJSON;
}
