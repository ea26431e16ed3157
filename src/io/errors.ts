// Typed errors of src/io: a bad safetensors file and a missing or incomplete checkpoint.

import { DescentError } from "../util/errors.js";

/**
 * A safetensors file (or a request to write one) that is invalid. `source` is the file path, or
 * "<memory>" for bytes parsed directly; the message starts with it and says what is wrong, e.g.
 * `model.safetensors: tensor "wte.weight": data_offsets [0, 100] but shape [5, 6] × F32 needs 120 bytes`.
 */
export class SafetensorsError extends DescentError {
  readonly source: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.source = source;
  }
}

/** A checkpoint directory that is missing, incomplete, corrupt, or a bad request to write one. */
export class CheckpointError extends DescentError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}
