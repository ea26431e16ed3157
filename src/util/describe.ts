// How error messages name a value the caller passed: its kind, and the value when it is short.

/** E.g. `null`, `an array of length 3`, `the string "abc"`, `the number NaN`, `a Float32Array`. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  switch (typeof v) {
    case "string": return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case "number": return `the number ${v}`;
    case "boolean": return `the boolean ${v}`;
    case "bigint": return `the bigint ${v}n`;
    case "function": return "a function";
    case "symbol": return "a symbol";
    default: {
      const name = (v as object).constructor?.name;
      return name && name !== "Object" ? `a ${name}` : "an object";
    }
  }
}
