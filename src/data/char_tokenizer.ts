// Character-level tokenizer (nanoGPT's shakespeare_char convention): the vocabulary is the sorted
// distinct characters (Unicode code points) of the training text, id = index in that list.

import { TokenizerError } from "./errors.js";
import type { Tokenizer, TokenizerJSON } from "./tokenizer.js";

export class CharTokenizer implements Tokenizer {
  readonly type = "char";
  readonly chars: readonly string[];
  // BMP characters map through a dense table (fast path); others through a Map.
  private readonly bmp = new Int32Array(65536).fill(-1);
  private readonly astral = new Map<number, number>();

  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars) || chars.length === 0) throw new TokenizerError("CharTokenizer: needs a non-empty list of characters");
    const seen = new Set<string>();
    chars.forEach((c, i) => {
      if (typeof c !== "string" || c.length === 0 || [...c].length !== 1) throw new TokenizerError(`CharTokenizer: entry ${i} is ${JSON.stringify(c)}, expected a single character`);
      if (seen.has(c)) throw new TokenizerError(`CharTokenizer: character ${JSON.stringify(c)} appears twice`);
      seen.add(c);
      const cp = c.codePointAt(0)!;
      if (cp < 65536) this.bmp[cp] = i;
      else this.astral.set(cp, i);
    });
    this.chars = [...chars];
  }

  /** The vocabulary of `text`: its distinct characters sorted by code point (Python's sorted(set(text))). */
  static fromText(text: string): CharTokenizer {
    if (text.length === 0) throw new TokenizerError("CharTokenizer.fromText: the text is empty");
    const present = new Uint8Array(65536);
    const astral = new Set<number>();
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      if (isPairAt(text, i)) {
        astral.add(text.codePointAt(i)!);
        i++;
      } else present[u] = 1;
    }
    const cps: number[] = [];
    for (let u = 0; u < 65536; u++) if (present[u]) cps.push(u);
    cps.push(...[...astral].sort((a, b) => a - b)); // astral code points are all above the BMP
    return new CharTokenizer(cps.map((cp) => String.fromCodePoint(cp)));
  }

  static fromJSON(json: unknown): CharTokenizer {
    const j = json as Partial<{ type: string; chars: unknown }> | null;
    if (!j || j.type !== "char" || !Array.isArray(j.chars)) {
      throw new TokenizerError(`CharTokenizer.fromJSON: expected { type: "char", chars: [...] }, got ${JSON.stringify(json)?.slice(0, 80)}`);
    }
    return new CharTokenizer(j.chars as string[]);
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    const out = new Int32Array(text.length); // an upper bound: code points <= UTF-16 units
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      let id: number;
      if (isPairAt(text, i)) {
        const cp = text.codePointAt(i)!;
        id = this.astral.get(cp) ?? -1;
        if (id < 0) throw this.unknown(text, i, cp);
        i++;
      } else {
        id = this.bmp[u]!;
        if (id < 0) throw this.unknown(text, i, u);
      }
      out[n++] = id;
    }
    return n === out.length ? out : out.slice(0, n);
  }

  encodeDocuments(documents: readonly string[], separator: string): Int32Array {
    return this.encode(documents.join(separator));
  }

  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const c = this.chars[id];
      if (!Number.isInteger(id) || c === undefined) throw new TokenizerError(`CharTokenizer.decode: id ${id} at position ${i} is outside the vocabulary [0, ${this.chars.length})`);
      s += c;
    }
    return s;
  }

  toJSON(): TokenizerJSON {
    return { type: "char", chars: [...this.chars] };
  }

  private unknown(text: string, i: number, cp: number): TokenizerError {
    const context = JSON.stringify(text.slice(Math.max(0, i - 20), i + 20));
    return new TokenizerError(`CharTokenizer.encode: character ${JSON.stringify(String.fromCodePoint(cp))} (U+${cp.toString(16).toUpperCase().padStart(4, "0")}) at offset ${i} is not in the vocabulary of ${this.chars.length} characters (near ${context})`);
  }
}

/** A surrogate pair (one astral code point) starts at i. */
function isPairAt(text: string, i: number): boolean {
  const u = text.charCodeAt(i);
  if (u < 0xd800 || u > 0xdbff || i + 1 >= text.length) return false;
  const v = text.charCodeAt(i + 1);
  return v >= 0xdc00 && v <= 0xdfff;
}
