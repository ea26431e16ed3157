// The demo contract: a name, a one-line summary, the commander options the demo accepts, and a
// pure run() that returns the text to print (so tests call it without spawning a process).

import { InvalidArgumentError } from "commander";

/** An option value after parsing: commander gives strings, booleans for flags, or a parse() result. */
export type DemoOptionValue = string | number | boolean | undefined;

/** Parsed options keyed by commander's camelCase names: `--warmup-steps <n>` -> `warmupSteps`. */
export type DemoOptionValues = Readonly<Record<string, DemoOptionValue>>;

export interface DemoOption {
  /** Commander flags, e.g. "--json", "--csv <path>", "--warmup-steps <n>". */
  readonly flags: string;
  readonly description: string;
  /** Turns the raw string into the value run() receives (see numberOption). */
  readonly parse?: (raw: string) => string | number;
  readonly defaultValue?: string | number | boolean;
}

/**
 * The reference text's sections, in its order; `descent demo` lists demos grouped under them.
 * A demo without a section is listed under "Other".
 */
export const DEMO_SECTIONS = [
  "Chain rule",
  "Computational graphs",
  "Backpropagation",
  "SGD",
  "Momentum",
  "Adam",
  "Learning-rate schedules",
  "Gradient accumulation",
  "Gradient checkpointing",
  "Mixed precision and loss scaling",
  "Warmup",
  "Interview questions",
] as const;

export type DemoSection = (typeof DEMO_SECTIONS)[number];

export interface Demo {
  readonly name: string;
  readonly summary: string;
  /** Where `descent demo` lists it (see DEMO_SECTIONS); unset: "Other". */
  readonly section?: DemoSection;
  readonly options?: readonly DemoOption[];
  run(options: DemoOptionValues): string;
}

/**
 * Declare a demo whose run() takes a typed options object. The declared `options` are the
 * contract: their camelCase names and parsed types must match `O`.
 */
export function defineDemo<O>(demo: {
  readonly name: string;
  readonly summary: string;
  readonly section?: DemoSection;
  readonly options?: readonly DemoOption[];
  run(options: O): string;
}): Demo {
  return {
    name: demo.name,
    summary: demo.summary,
    ...(demo.section ? { section: demo.section } : {}),
    ...(demo.options ? { options: demo.options } : {}),
    run: (options) => demo.run(options as unknown as O),
  };
}

/** A numeric option, e.g. numberOption("--warmup-steps <n>", "warmup steps", 100). */
export function numberOption(flags: string, description: string, defaultValue?: number): DemoOption {
  const parse = (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number, got "${raw}".`);
    return v;
  };
  return defaultValue === undefined ? { flags, description, parse } : { flags, description, parse, defaultValue };
}

/** The shared `--json` flag. */
export const jsonOption: DemoOption = { flags: "--json", description: "print a machine-readable JSON result" };

/** What a demo prints: its result as indented JSON under `--json`, else the formatted report. */
export function jsonOrText<R>(result: R, json: boolean | undefined, format: (r: R) => string): string {
  return json ? JSON.stringify(result, null, 2) : format(result);
}
