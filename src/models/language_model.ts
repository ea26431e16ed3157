// The contract every causal language model in Descent meets (GPT, LLaMA, ...), and the one shared
// autoregressive generation loop with its sampling rules (temperature, top-k, nucleus top-p,
// greedy at temperature 0). Legend: B batch, T time, V vocabulary.

import { noGrad } from "../autograd/grad_mode.js";
import type { Module } from "../nn/module.js";
import { fmt } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { allocate, isHalf } from "../util/dtype.js";
import { castTensor } from "../ops/operand.js";
import { DTypeError, ShapeError, ValueError } from "../util/errors.js";
import { Generator, defaultGenerator } from "../util/rng.js";

/** What a causal LM's forward returns: logits (B, T, V) and, when targets were given, the loss. */
export interface LanguageModelOutput {
  /** (B, T, V) unnormalised next-token scores. */
  logits: Tensor;
  /** Scalar mean next-token cross-entropy over non-ignored targets, or null without targets. */
  loss: Tensor | null;
}

/** Sampling options of `generate`; see `sampleNext` for the exact rules. */
export interface GenerateOptions {
  /** Divides the logits; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (ties with the k-th are kept, as in nanoGPT). Default: off. */
  topK?: number | null;
  /** Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches topP. Default: off (1). */
  topP?: number | null;
  /** Seed of a fresh Generator used only for this call (not with `generator`). */
  seed?: number;
  /** Generator to draw from (default: the global one seeded by manualSeed). */
  generator?: Generator;
}

/** A causal language model: next-token logits for every position, a loss, and generation. */
export interface CausalLM {
  /** The longest context the model accepts (T <= blockSize). */
  readonly blockSize: number;
  readonly vocabSize: number;
  /** idx (B, T) int32 token ids; targets (B, T) int32 next tokens (-1 = ignored). */
  forward(idx: Tensor, targets?: Tensor | null): LanguageModelOutput;
  /** Append maxNewTokens sampled tokens to idx (B, T) -> (B, T + maxNewTokens) int32. */
  generate(idx: Tensor, maxNewTokens: number, opts?: GenerateOptions): Tensor;
  /**
   * Optional fast path for generation: the logits (B, V) of the token after idx (B, T), equal to
   * forward(idx).logits[:, -1, :] but free to skip work for the other positions.
   */
  nextTokenLogits?(idx: Tensor): Tensor;
}

/** What the shared generation loop needs from a model. */
export type GenerativeModel = Module & Pick<CausalLM, "blockSize" | "vocabSize" | "forward" | "nextTokenLogits">;

/** Sampling options after validation. */
export interface SamplingConfig {
  temperature: number;
  topK: number | null;
  topP: number | null;
}

/** Validate the sampling options (ValueError naming `op` and the option) before anything runs. */
export function checkGenerateOptions(op: string, opts: GenerateOptions | undefined): SamplingConfig & { generator: Generator } {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw new ValueError(`${op}: options must be an object, got ${opts === null ? "null" : typeof opts}`);
  }
  const o = opts ?? {};
  const known = new Set(["temperature", "topK", "topP", "seed", "generator"]);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new ValueError(`${op}: unknown option "${k}" (expected temperature, topK, topP, seed or generator)`);
  }
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature < 0) {
    throw new ValueError(`${op}: temperature must be a finite number >= 0 (0 = greedy), got ${String(temperature)}`);
  }
  const topK = o.topK ?? null;
  if (topK !== null && (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1)) {
    throw new ValueError(`${op}: topK must be an integer >= 1 (or null for off), got ${String(topK)}`);
  }
  const topP = o.topP ?? null;
  if (topP !== null && (typeof topP !== "number" || !(topP > 0 && topP <= 1))) {
    throw new ValueError(`${op}: topP must be a number in (0, 1] (or null for off), got ${String(topP)}`);
  }
  if (o.seed !== undefined && o.generator !== undefined) {
    throw new ValueError(`${op}: pass either seed or generator, not both`);
  }
  let generator = defaultGenerator;
  if (o.seed !== undefined) {
    if (typeof o.seed !== "number" || !Number.isSafeInteger(o.seed)) {
      throw new ValueError(`${op}: seed must be a safe integer, got ${String(o.seed)}`);
    }
    generator = new Generator(o.seed);
  } else if (o.generator !== undefined) {
    if (!(o.generator instanceof Generator)) throw new ValueError(`${op}: generator must be a Generator, got ${typeof o.generator}`);
    generator = o.generator;
  }
  return { temperature, topK, topP, generator };
}

/**
 * Draw one token id per row of `logits` (B, V), float. Rules, in order (nanoGPT's, plus top-p):
 * temperature 0 is greedy (the first maximal index, like argmax); otherwise logits / temperature;
 * top-k keeps logits >= the k-th largest (k clamped to V); top-p keeps the most likely tokens, in
 * descending order, until their softmax probability sums to >= topP (at least one token); then
 * one inverse-CDF draw over the softmax of what is left, in vocabulary order. Returns B ids.
 * `generator`, when given, is used instead of opts.seed / opts.generator. NaN logits are a ValueError.
 */
export function sampleNext(logits: Tensor, opts: GenerateOptions = {}, generator?: Generator): Int32Array {
  const op = "sampleNext";
  if (!(logits instanceof Tensor)) throw new ValueError(`${op}: logits must be a Tensor, got ${typeof logits}`);
  if (logits.dtype !== "float32" && logits.dtype !== "float64" && !isHalf(logits.dtype)) {
    throw new DTypeError(`${op}: logits must be a float dtype (float32, float64, float16, bfloat16), got ${logits.dtype}`);
  }
  // float16/bfloat16 logits (generate under amp.autocast) are read as their float32 values.
  if (isHalf(logits.dtype)) logits = castTensor(logits, "float32");
  if (logits.ndim !== 2 || logits.shape[1] === 0) throw new ShapeError(`${op}: logits must be (B, V) with V >= 1, got ${fmt(logits.shape)}`);
  const cfg = checkGenerateOptions(op, generator ? { ...opts, generator: undefined, seed: undefined } : opts);
  const gen = generator ?? cfg.generator;
  const [B, V] = logits.shape as [number, number];
  const out = new Int32Array(B);
  const row = new Float64Array(V);
  for (let b = 0; b < B; b++) {
    for (let v = 0; v < V; v++) row[v] = logits.data[b * V + v]!;
    out[b] = sampleRow(row, cfg, gen);
  }
  return out;
}

/** One row of sampleNext; `row` is overwritten. */
function sampleRow(row: Float64Array, cfg: SamplingConfig, gen: Generator): number {
  const V = row.length;
  for (let v = 0; v < V; v++) {
    if (Number.isNaN(row[v]!)) throw new ValueError(`generate: the logits contain NaN (vocabulary index ${v}); cannot sample`);
  }
  if (cfg.temperature === 0) {
    let best = 0;
    for (let v = 1; v < V; v++) if (row[v]! > row[best]!) best = v;
    return best;
  }
  for (let v = 0; v < V; v++) row[v] = row[v]! / cfg.temperature;
  if (cfg.topK !== null && cfg.topK < V) {
    const kth = [...row].sort((a, b) => b - a)[cfg.topK - 1]!;
    for (let v = 0; v < V; v++) if (row[v]! < kth) row[v] = -Infinity;
  }
  // Softmax in float64 (max-subtracted).
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (row[v]! > max) max = row[v]!;
  if (!Number.isFinite(max)) throw new ValueError(`generate: the logits of a row are all -Infinity or contain +Infinity (max ${max}); cannot sample`);
  let total = 0;
  for (let v = 0; v < V; v++) {
    row[v] = Math.exp(row[v]! - max);
    total += row[v]!;
  }
  for (let v = 0; v < V; v++) row[v] = row[v]! / total;
  if (cfg.topP !== null && cfg.topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
    let cum = 0;
    let kept = 0;
    for (const i of order) {
      if (kept > 0 && cum >= cfg.topP) row[i] = 0;
      else {
        cum += row[i]!;
        kept++;
      }
    }
    total = cum;
  } else total = 1;
  // Inverse CDF over the kept mass, in vocabulary order; the last nonzero token absorbs rounding.
  const u = gen.random() * total;
  let acc = 0;
  let last = 0;
  for (let v = 0; v < V; v++) {
    if (row[v]! <= 0) continue;
    acc += row[v]!;
    last = v;
    if (u < acc) return v;
  }
  return last;
}

/** Check generate's idx (B, T) int32 with B, T >= 1 and maxNewTokens a non-negative integer. */
function checkGenerateInput(op: string, idx: unknown, maxNewTokens: unknown): asserts idx is Tensor {
  if (!(idx instanceof Tensor)) throw new ValueError(`${op}: idx must be a Tensor of token ids (B, T), got ${idx === null ? "null" : typeof idx}`);
  if (idx.dtype !== "int32") throw new DTypeError(`${op}: idx must be int32 token ids, got dtype ${idx.dtype} ${fmt(idx.shape)}`);
  if (idx.ndim !== 2 || idx.shape[0] === 0 || idx.shape[1] === 0) {
    throw new ShapeError(`${op}: idx must be 2-D (B, T) with B >= 1 and T >= 1, got ${fmt(idx.shape)}`);
  }
  if (typeof maxNewTokens !== "number" || !Number.isSafeInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new ValueError(`${op}: maxNewTokens must be an integer >= 0, got ${String(maxNewTokens)}`);
  }
}

/**
 * The shared autoregressive loop: crop the context to the last `blockSize` tokens, run forward,
 * sample the next token from the last position's logits, append, repeat. Runs under noGrad and in
 * eval mode (dropout off); every module's previous training flag is restored afterwards, also on
 * a throw. Returns a new (B, T + maxNewTokens) int32 tensor; idx is not modified.
 */
export function generate(model: GenerativeModel, idx: Tensor, maxNewTokens: number, opts?: GenerateOptions): Tensor {
  const op = "generate";
  checkGenerateInput(op, idx, maxNewTokens);
  const cfg = checkGenerateOptions(op, opts);
  const V = model.vocabSize;
  const ids = idx.data as Int32Array;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i]! < 0 || ids[i]! >= V) throw new ValueError(`${op}: token id ${ids[i]} at flat index ${i} of idx ${fmt(idx.shape)} is outside the vocabulary [0, ${V})`);
  }
  const [B, T0] = idx.shape as [number, number];
  const total = T0 + maxNewTokens;
  const seq = new Int32Array(B * total);
  for (let b = 0; b < B; b++) seq.set(ids.subarray(b * T0, (b + 1) * T0), b * total);

  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  model.eval();
  try {
    noGrad(() => {
      for (let t = T0; t < total; t++) {
        const start = Math.max(0, t - model.blockSize);
        const Tc = t - start;
        const ctx = new Int32Array(B * Tc);
        for (let b = 0; b < B; b++) ctx.set(seq.subarray(b * total + start, b * total + t), b * Tc);
        const next = sampleNext(lastLogits(model, new Tensor(ctx, [B, Tc])), cfg, cfg.generator);
        for (let b = 0; b < B; b++) seq[b * total + t] = next[b]!;
      }
    });
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
  return new Tensor(seq, [B, total]);
}

/** (B, V) logits of the next token: the model's nextTokenLogits when it has one, else forward's last row. */
function lastLogits(model: GenerativeModel, ctx: Tensor): Tensor {
  const [B, Tc] = ctx.shape as [number, number];
  const V = model.vocabSize;
  if (model.nextTokenLogits) {
    const out = model.nextTokenLogits(ctx);
    if (out.ndim !== 2 || out.shape[0] !== B || out.shape[1] !== V) {
      throw new ShapeError(`generate: nextTokenLogits must return (B, V) = [${B}, ${V}], got ${fmt(out.shape)}`);
    }
    return out;
  }
  const { logits } = model.forward(ctx); // (B, Tc, V)
  if (logits.ndim !== 3 || logits.shape[0] !== B || logits.shape[1] !== Tc || logits.shape[2] !== V) {
    throw new ShapeError(`generate: forward must return logits (B, T, V) = [${B}, ${Tc}, ${V}], got ${fmt(logits.shape)}`);
  }
  const last = allocate(logits.dtype, B * V);
  for (let b = 0; b < B; b++) last.set(logits.data.subarray((b * Tc + Tc - 1) * V, (b * Tc + Tc) * V), b * V);
  return new Tensor(last, [B, V]);
}
