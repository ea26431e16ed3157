// Validation helpers shared by model configs (GPT, LLaMA, ...): every bad key is a
// ModelConfigError that names the model, the key, the allowed range and what it got.

import { ValueError } from "../util/errors.js";

/** A model config with a bad or unknown key; `key` is the offending key. */
export class ModelConfigError extends ValueError {
  constructor(message: string, readonly key: string) {
    super(message);
  }
}

const INT32_MAX = 2147483647;

/** An integer in [min, max] (default max: int32's, since token ids and sizes are int32-indexed). */
export function checkIntKey(model: string, key: string, v: unknown, min: number, max = INT32_MAX): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ModelConfigError(`${model}: config.${key} must be an integer in [${min}, ${max}], got ${describe(v)}`, key);
  }
  return v;
}

/** A finite number in [min, max) (maxExclusive) or [min, max]. */
export function checkNumberKey(model: string, key: string, v: unknown, min: number, max: number, maxExclusive: boolean): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || (maxExclusive ? v >= max : v > max)) {
    throw new ModelConfigError(`${model}: config.${key} must be a number in [${min}, ${max}${maxExclusive ? ")" : "]"}, got ${describe(v)}`, key);
  }
  return v;
}

export function checkBoolKey(model: string, key: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new ModelConfigError(`${model}: config.${key} must be true or false, got ${describe(v)}`, key);
  return v;
}

/** Reject keys that are not in `known` (a typo such as `nLayers` would otherwise be ignored). */
export function checkKnownKeys(model: string, config: object, known: readonly string[]): void {
  for (const k of Object.keys(config)) {
    if (!known.includes(k)) throw new ModelConfigError(`${model}: unknown config key "${k}" (expected one of ${known.join(", ")})`, k);
  }
}

function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}
