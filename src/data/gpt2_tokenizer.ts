// GPT-2's byte-level BPE (the r50k_base ranks shipped inside the gpt-tokenizer package; no
// network). gpt-tokenizer 4.0.0's option for emitting <|endoftext|> does not work, so the document
// separator, id 50256, is inserted here between encoded documents.

import { TokenizerError } from "./errors.js";
import type { Tokenizer, TokenizerJSON } from "./tokenizer.js";

interface R50k {
  encode(text: string): number[];
  decode(ids: Iterable<number>): string;
}

/** <|endoftext|>: GPT-2's document separator and the last id of its vocabulary. */
export const GPT2_EOT = 50256;
export const GPT2_VOCAB_SIZE = 50257;

export class Gpt2Tokenizer implements Tokenizer {
  readonly type = "gpt2";
  readonly vocabSize = GPT2_VOCAB_SIZE;
  readonly eotToken = GPT2_EOT;

  private constructor(private readonly bpe: R50k) {}

  /** Load the r50k_base ranks (a dynamic import, so `import "descent"` does not pay for them). */
  static async load(): Promise<Gpt2Tokenizer> {
    const mod = (await import("gpt-tokenizer/encoding/r50k_base")) as unknown as R50k;
    return new Gpt2Tokenizer(mod);
  }

  static async fromJSON(json: unknown): Promise<Gpt2Tokenizer> {
    const j = json as Partial<TokenizerJSON & { type: "gpt2" }> | null;
    if (!j || j.type !== "gpt2" || j.encoding !== "r50k_base" || j.vocabSize !== GPT2_VOCAB_SIZE || j.eotToken !== GPT2_EOT) {
      throw new TokenizerError(`Gpt2Tokenizer.fromJSON: expected { type: "gpt2", encoding: "r50k_base", vocabSize: ${GPT2_VOCAB_SIZE}, eotToken: ${GPT2_EOT} }, got ${JSON.stringify(json)?.slice(0, 120)}`);
    }
    return Gpt2Tokenizer.load();
  }

  /** Ordinary text only: "<|endoftext|>" inside the text is encoded as plain characters, never as the special id. */
  encode(text: string): Int32Array {
    return Int32Array.from(this.bpe.encode(text));
  }

  /** Documents encoded one by one with id 50256 between them (the separator text is not used: BPE has a real token for it). */
  encodeDocuments(documents: readonly string[], _separator: string): Int32Array {
    const parts = documents.map((d) => this.bpe.encode(d));
    const total = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1);
    const out = new Int32Array(total);
    let o = 0;
    parts.forEach((p, i) => {
      if (i > 0) out[o++] = GPT2_EOT;
      out.set(p, o);
      o += p.length;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const list: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= GPT2_VOCAB_SIZE) throw new TokenizerError(`Gpt2Tokenizer.decode: id ${id} at position ${i} is outside the vocabulary [0, ${GPT2_VOCAB_SIZE})`);
      list.push(id);
    }
    // decode() maps 50256 to "<|endoftext|>".
    return this.bpe.decode(list);
  }

  toJSON(): TokenizerJSON {
    return { type: "gpt2", encoding: "r50k_base", vocabSize: GPT2_VOCAB_SIZE, eotToken: GPT2_EOT };
  }
}
