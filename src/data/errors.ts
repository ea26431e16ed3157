// Errors of the data layer: bad corpora, tokenizers, token streams and batch samplers.
import { DescentError } from "../util/errors.js";

/** A corpus or token stream that cannot be used: missing/empty file, bad UTF-8, too short a split. */
export class DataError extends DescentError {}

/** Text a tokenizer cannot encode (an unknown character) or ids it cannot decode, or a bad tokenizer.json. */
export class TokenizerError extends DescentError {}
