// A checkpoint that is readable but does not fit the run resuming from it (another model
// config, vocabulary, optimizer layout or training setting). The message starts with the file.
import { DescentError } from "../util/errors.js";

export class CheckpointMismatchError extends DescentError {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}
