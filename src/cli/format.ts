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
