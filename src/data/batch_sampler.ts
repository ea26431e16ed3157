// Seeded random (B, T + 1) windows of a token stream, nanoGPT's get_batch: x = window[0:T],
// y = window[1:T+1]. The sampler owns its Generator, so its state (saved in trainer.json)
// restores the exact batch sequence.

import { Generator, type GeneratorState } from "../util/rng.js";
import { DataError } from "./errors.js";

/** One batch: row-major (B, T) int32 inputs and next-token targets. */
export interface TokenBatch {
  x: Int32Array;
  y: Int32Array;
  batchSize: number;
  blockSize: number;
}

export interface BatchSamplerState {
  generator: GeneratorState;
}

export class BatchSampler {
  readonly generator: Generator;

  constructor(readonly tokens: Int32Array, readonly batchSize: number, readonly blockSize: number, seed = 0) {
    for (const [name, v] of [["batchSize", batchSize], ["blockSize", blockSize]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new DataError(`BatchSampler: ${name} must be a positive integer, got ${v}`);
    }
    if (!(tokens instanceof Int32Array)) throw new DataError("BatchSampler: tokens must be an Int32Array");
    if (tokens.length < blockSize + 1) {
      throw new DataError(`BatchSampler: ${tokens.length} tokens are fewer than block size + 1 = ${blockSize + 1}`);
    }
    this.generator = new Generator(seed);
  }

  /** The next batch; window starts are uniform in [0, tokens - T - 1]. */
  next(): TokenBatch {
    const B = this.batchSize, T = this.blockSize;
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    const starts = this.tokens.length - T; // number of valid (T + 1)-windows
    for (let b = 0; b < B; b++) {
      const s = this.generator.randint(0, starts);
      x.set(this.tokens.subarray(s, s + T), b * T);
      y.set(this.tokens.subarray(s + 1, s + T + 1), b * T);
    }
    return { x, y, batchSize: B, blockSize: T };
  }

  getState(): BatchSamplerState {
    return { generator: this.generator.getState() };
  }

  setState(state: BatchSamplerState): void {
    const s = state?.generator;
    if (!s || !Array.isArray(s.s) || s.s.length !== 4 || !s.s.every((v) => Number.isInteger(v)) || !(s.spare === null || typeof s.spare === "number")) {
      throw new DataError(`BatchSampler.setState: expected { generator: { s: [4 integers], spare } }, got ${JSON.stringify(state)?.slice(0, 100)}`);
    }
    this.generator.setState({ s: [...s.s] as [number, number, number, number], spare: s.spare });
  }
}
