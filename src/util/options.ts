// Options objects are checked for unknown names, so a misspelling (`weight_decay`, `beta1`)
// is a typed error listing the valid names instead of an option silently ignored.

import { describeValue } from "./describe.js";
import { ValueError } from "./errors.js";

/** An unknown or misspelled option name, or an options argument that is not an object. */
export class OptionError extends ValueError {}

/**
 * The option names of `T`, written once as `{ name: true, ... }`; the type makes the list exactly
 * T's keys (a missing or extra name is a compile error), so it cannot drift from the interface.
 */
export function optionNames<T>(names: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(names));
}

const squash = (s: string): string => s.toLowerCase().replace(/[_\-\s]/g, "");

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The valid name a misspelling most likely meant: the same letters ignoring case and `_`, else the longest shared prefix. */
function suggest(key: string, allowed: readonly string[]): string | undefined {
  const k = squash(key);
  const same = allowed.find((a) => squash(a) === k);
  if (same) return same;
  // A shared prefix of 4 letters, or the whole (≥ 3-letter) misspelling, e.g. "mod" for "mode".
  let best: string | undefined, bestLen = Math.min(4, Math.max(3, k.length)) - 1;
  for (const a of allowed) {
    const n = commonPrefix(squash(a), k);
    if (n > bestLen) [best, bestLen] = [a, n];
  }
  return best;
}

/**
 * Throw an OptionError naming `fn` unless `opts` is undefined, null or a plain object whose own
 * keys are all in `allowed`. `arg` names the argument in the message ("options" by default).
 */
export function checkOptionKeys(fn: string, opts: unknown, allowed: readonly string[], arg = "options"): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts) || ArrayBuffer.isView(opts)) {
    throw new OptionError(`${fn}: ${arg} must be an object such as { ${allowed[0] ?? ""}: ... }, got ${describeValue(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (allowed.includes(key)) continue;
    const hint = suggest(key, allowed);
    throw new OptionError(
      `${fn}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; valid ${arg}: ${allowed.join(", ")}`,
    );
  }
}
