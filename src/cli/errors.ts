// Errors the CLI raises for bad usage; like every DescentError they print as `descent: <message>`.
import { DescentError } from "../util/errors.js";

export class UsageError extends DescentError {}

/** Ends a command with a given exit code (e.g. 130 after Ctrl-C); the message, if any, was printed already. */
export class ExitStatus extends DescentError {
  constructor(readonly code: number, message = "") {
    super(message);
  }
}
