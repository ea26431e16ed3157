// A strict JSON parser for safetensors headers. Unlike JSON.parse it rejects duplicate keys (a
// second "a" would silently replace the first), keeps numbers as their source text (so
// 9007199254740993 is not rounded into a valid-looking size), bounds nesting depth, and stores
// objects in Maps (no "__proto__" surprises). It allocates only in proportion to its input.

/** A JSON number, kept as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = Map<string, JsonValue> | JsonValue[] | string | JsonNumber | boolean | null;

/**
 * A syntax error at a character position of the input. Not an Error subclass: it is always caught
 * and rethrown as a SafetensorsError, so capturing a stack trace here would be wasted work.
 */
export class JsonSyntaxError {
  constructor(readonly problem: string, readonly position: number) {}
  get message(): string {
    return `${this.problem} at position ${this.position}`;
  }
}

/** Deeper than any valid safetensors header (3 levels) needs, shallow enough to never exhaust the stack. */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function parseStrictJson(text: string): JsonValue {
  let pos = 0;

  const fail = (problem: string, at = pos): never => {
    throw new JsonSyntaxError(problem, at);
  };
  const describe = (at: number): string =>
    at >= text.length ? "end of input" : `character ${JSON.stringify(text[at])}`;

  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };

  const expect = (ch: string): void => {
    if (text[pos] !== ch) fail(`expected '${ch}' but found ${describe(pos)}`);
    pos++;
  };

  const parseString = (): string => {
    const start = pos;
    expect('"');
    let out = "";
    let chunk = pos;
    for (;;) {
      if (pos >= text.length) fail("unterminated string", start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(`control character U+${c.toString(16).padStart(4, "0")} inside a string`);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const unit = readHex4();
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (text[pos] !== "\\" || text[pos + 1] !== "u") fail("lone leading surrogate in \\u escape");
            pos += 2;
            const low = readHex4();
            if (low < 0xdc00 || low > 0xdfff) fail("lone leading surrogate in \\u escape");
            out += String.fromCharCode(unit, low);
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            fail("lone trailing surrogate in \\u escape");
          } else out += String.fromCharCode(unit);
          break;
        }
        default: fail(`invalid escape \\${e ?? ""}`, pos - 2);
      }
      chunk = pos;
    }
  };

  const readHex4 = (): number => {
    const h = text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail("invalid \\u escape: expected 4 hex digits");
    pos += 4;
    return parseInt(h, 16);
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    skipWhitespace();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const obj = new Map<string, JsonValue>();
      skipWhitespace();
      if (text[pos] === "}") {
        pos++;
        return obj;
      }
      for (;;) {
        skipWhitespace();
        const keyAt = pos;
        if (text[pos] !== '"') fail(`expected a string key but found ${describe(pos)}`);
        const key = parseString();
        if (obj.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        skipWhitespace();
        expect(":");
        obj.set(key, parseValue(depth + 1));
        skipWhitespace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "}") {
          pos++;
          return obj;
        }
        fail(`expected ',' or '}' but found ${describe(pos)}`);
      }
    }
    if (c === "[") {
      pos++;
      const arr: JsonValue[] = [];
      skipWhitespace();
      if (text[pos] === "]") {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWhitespace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        if (text[pos] === "]") {
          pos++;
          return arr;
        }
        fail(`expected ',' or ']' but found ${describe(pos)}`);
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail(`unexpected ${describe(pos)}`);
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the JSON value`);
  return value;
}

/** The value of a JSON number if it is written as a non-negative integer no larger than 2^53 - 1. */
export function safeIndex(n: JsonNumber): number | null {
  if (!/^(?:0|[1-9][0-9]*)$/.test(n.text) || n.text.length > 16) return null;
  const v = Number(n.text);
  return Number.isSafeInteger(v) ? v : null;
}

/** Short description of a JSON value's type, for error messages. */
export function jsonTypeName(v: JsonValue): string {
  if (v === null) return "null";
  if (v instanceof Map) return "an object";
  if (Array.isArray(v)) return "an array";
  if (v instanceof JsonNumber) return `the number ${v.text.length > 40 ? v.text.slice(0, 40) + "…" : v.text}`;
  if (typeof v === "string") return "a string";
  return `${v}`;
}
