// The train/validation split of a token stream: the first 90 % trains, the last 10 % validates
// (nanoGPT's convention). Both parts must hold at least one (T + 1)-token window.

import { DataError } from "./errors.js";

export interface TokenSplits {
  train: Int32Array;
  val: Int32Array;
}

export function splitTokens(tokens: Int32Array, blockSize: number, trainFraction = 0.9): TokenSplits {
  if (!(trainFraction > 0 && trainFraction < 1)) throw new DataError(`splitTokens: trainFraction must be in (0, 1), got ${trainFraction}`);
  const n = Math.floor(tokens.length * trainFraction);
  const train = tokens.subarray(0, n);
  const val = tokens.subarray(n);
  for (const [name, part] of [["training", train], ["validation", val]] as const) {
    if (part.length < blockSize + 1) {
      throw new DataError(`data: the ${name} split has ${part.length} tokens (of ${tokens.length} in the corpus), fewer than block size + 1 = ${blockSize + 1}; use more text or a smaller --block-size`);
    }
  }
  return { train, val };
}
