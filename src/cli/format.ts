// Number and matrix formatting shared by the CLI's reports.

/** A difference in e-notation with two decimals, as the reference prints it: 0.00e+0, 1.39e-17. */
export function sci(v: number): string {
  return v.toExponential(2);
}

/** Rows of a matrix with fixed decimals, right-aligned to a common width. */
export function matrixLines(m: readonly (readonly number[])[], decimals = 6): string[] {
  const cells = m.map((row) => row.map((v) => v.toFixed(decimals)));
  const width = Math.max(...cells.flat().map((c) => c.length));
  return cells.map((row, i) => {
    const open = i === 0 ? "[[" : " [";
    const close = i === cells.length - 1 ? "]]" : "] ";
    return `${open}${row.map((c) => c.padStart(width)).join(", ")}${close}`;
  });
}

/** Two blocks of lines next to each other, the left padded to `width`. */
export function sideBySide(left: readonly string[], right: readonly string[], width: number, gap = 4): string[] {
  const n = Math.max(left.length, right.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${(left[i] ?? "").padEnd(width)}${" ".repeat(gap)}${right[i] ?? ""}`.trimEnd());
  return out;
}

export interface ColumnsOptions {
  /** Per column; "right" pads on the left (numbers). Default "left". */
  align?: readonly ("left" | "right")[];
  /** Between columns (default two spaces). */
  gap?: string;
  /** Before every line (default none). */
  indent?: string;
  /** Put a row of dashes, each as wide as its column, under the first row (the header). */
  headerRule?: boolean;
}

/** Rows of cells as aligned text columns, each as wide as its widest cell; lines end without spaces. */
export function columns(rows: readonly (readonly string[])[], opts: ColumnsOptions = {}): string[] {
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? "").length)));
  const right = (i: number): boolean => opts.align?.[i] === "right";
  const line = (cells: readonly string[]): string =>
    `${opts.indent ?? ""}${cells.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(opts.gap ?? "  ")}`.trimEnd();
  const lines = rows.map(line);
  if (opts.headerRule && lines.length > 0) lines.splice(1, 0, line(widths.map((w) => "-".repeat(w))));
  return lines;
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** A one-line chart of `values` in `width` buckets (each the bucket's mean), low ▁ to high █. */
export function sparkline(values: readonly number[], width = 40): string {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return "";
  const n = Math.min(width, v.length);
  const buckets: number[] = [];
  for (let b = 0; b < n; b++) {
    const lo = Math.floor((b * v.length) / n), hi = Math.floor(((b + 1) * v.length) / n);
    let s = 0;
    for (let i = lo; i < hi; i++) s += v[i]!;
    buckets.push(s / (hi - lo));
  }
  const min = Math.min(...buckets), max = Math.max(...buckets);
  return buckets.map((x) => SPARKS[max === min ? 0 : Math.min(7, Math.floor(((x - min) / (max - min)) * 8))]).join("");
}
