// Errors the CLI raises for bad usage; like every DescentError they print as `descent: <message>`.
import { DescentError } from "../util/errors.js";

export class UsageError extends DescentError {}
