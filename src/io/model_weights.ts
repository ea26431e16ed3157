// Load a safetensors file's tensors into a model by name (the model's own loadStateDict does the
// matching, so a GPT accepts files with or without a tied `lm_head.weight`). The model is taken
// structurally, so src/io does not depend on src/nn.

import type { Tensor } from "../tensor/tensor.js";
import { DescentError } from "../util/errors.js";
import { SafetensorsError } from "./errors.js";
import { type SafetensorsFile, readSafetensors } from "./safetensors.js";
import type { IoFs } from "./atomic.js";

/** What loading needs from a model: nn.Module's loadStateDict (all checks before any copy). */
export interface StateDictLoadable {
  loadStateDict(state: ReadonlyMap<string, Tensor>, opts?: { strict?: boolean }): { missingKeys: string[]; unexpectedKeys: string[] };
}

export interface LoadSafetensorsResult {
  missingKeys: string[];
  unexpectedKeys: string[];
  /** The file's `__metadata__`. */
  metadata: Readonly<Record<string, string>>;
}

const FLOAT_DTYPES = new Set(["F64", "F32", "F16", "BF16"]);

/**
 * Read `source` (a path or an already parsed file) and copy every tensor into the model parameter
 * of the same name, converting F64/F32/F16/BF16 to the parameter's dtype. strict (default) makes
 * missing and unexpected names an error, as loadStateDict does. Every failure is a SafetensorsError
 * naming the file (the model's own error is its `cause`); on failure the model is unchanged.
 */
export function loadSafetensorsIntoModel(
  model: StateDictLoadable, source: string | SafetensorsFile, opts: { strict?: boolean; fs?: IoFs } = {},
): LoadSafetensorsResult {
  const file = typeof source === "string" ? readSafetensors(source, opts.fs ? { fs: opts.fs } : {}) : source;
  const state = new Map<string, Tensor>();
  for (const e of file.entries) {
    if (!FLOAT_DTYPES.has(e.dtype)) {
      throw new SafetensorsError(file.source, `tensor ${JSON.stringify(e.name)} has dtype ${e.dtype}; model weights must be F64, F32, F16 or BF16`);
    }
    state.set(e.name, e.toTensor());
  }
  try {
    const r = model.loadStateDict(state, { strict: opts.strict ?? true });
    return { missingKeys: r.missingKeys, unexpectedKeys: r.unexpectedKeys, metadata: file.metadata };
  } catch (err) {
    if (!(err instanceof DescentError)) throw err;
    const e = new SafetensorsError(file.source, `does not fit the model: ${err.message}`);
    (e as Error & { cause?: unknown }).cause = err;
    throw e;
  }
}
