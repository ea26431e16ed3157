// `descent demo precision`: float16 vs bfloat16 (and float32 for scale): range, resolution, and
// what happens to 1e-8, 65504·2 and 1 + 2⁻¹⁰ in each, every number produced by Descent's own
// round-to-nearest-even conversions. Answers the reference text's question "what is the difference
// between float16 and bfloat16 for training stability?" with those numbers.

import { BFloat16Bits, Float16Bits, type HalfDType, manualSeed, randn, tensor } from "../../index.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

type Format = "float32" | HalfDType;
const FORMATS: readonly Format[] = ["float32", "float16", "bfloat16"];
const BITS: Record<Format, { exponent: number; mantissa: number }> = {
  float32: { exponent: 8, mantissa: 23 }, float16: { exponent: 5, mantissa: 10 }, bfloat16: { exponent: 8, mantissa: 7 },
};

export interface FormatFacts {
  format: Format;
  exponentBits: number;
  mantissaBits: number;
  max: number;
  minNormal: number;
  minSubnormal: number;
  /** Distance from 1 to the next representable number. */
  epsilon: number;
  /** log10(2^(mantissa + 1)). */
  decimalDigits: number;
}

export interface Probe {
  value: number;
  label: string;
  stored: Record<HalfDType, number>;
  note: Record<HalfDType, string>;
}

export interface PrecisionResult {
  formats: FormatFacts[];
  probes: Probe[];
  /** 10,000 gradients ~ N(0, 1e-6²): the fraction that becomes exactly 0 when stored. */
  tinyGradientsFlushed: Record<HalfDType, number>;
  /** w = 1 plus an update of 1e-3, then of 1e-4, stored back in the format (why master weights stay float32). */
  updates: { update: number; result: Record<HalfDType, number> }[];
  answer: string[];
}

/** x rounded to `format` (to nearest even) and read back exactly. */
function roundTo(format: Format, x: number): number {
  return tensor([x], { dtype: "float64" }).to(format).to("float64").item();
}

/** The number whose bit pattern is `bits` in `format`. */
function fromBits(format: Format, bits: number): number {
  if (format === "float32") return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
  return tensor(format === "float16" ? Float16Bits.of(bits) : BFloat16Bits.of(bits)).to("float64").item();
}

function facts(format: Format): FormatFacts {
  const { exponent, mantissa } = BITS[format];
  const maxBits = format === "float32" ? 0x7f7fffff : format === "float16" ? 0x7bff : 0x7f7f;
  const minNormalBits = format === "float32" ? 0x00800000 : format === "float16" ? 0x0400 : 0x0080;
  return {
    format, exponentBits: exponent, mantissaBits: mantissa,
    max: fromBits(format, maxBits), minNormal: fromBits(format, minNormalBits), minSubnormal: fromBits(format, 1),
    epsilon: roundTo(format, 1 + 2 ** -mantissa) - 1,
    decimalDigits: Math.round((mantissa + 1) * Math.log10(2) * 100) / 100,
  };
}

function describe(x: number, y: number): string {
  if (y === x) return "exact";
  if (y === 0) return "flushed to 0";
  if (!Number.isFinite(y)) return "overflow: inf";
  return `rounded (rel. error ${(Math.abs(y - x) / Math.abs(x)).toExponential(1)})`;
}

export function precisionResult(): PrecisionResult {
  const probes: Probe[] = [
    { value: 1e-8, label: "1e-8 (a small gradient)" },
    { value: 65504 * 2, label: "65504·2 = 131008" },
    { value: 1 + 2 ** -10, label: "1 + 2⁻¹⁰" },
    { value: 3.14159265, label: "π" },
    { value: 1e-5, label: "1e-5" },
  ].map(({ value, label }) => {
    const stored = { float16: roundTo("float16", value), bfloat16: roundTo("bfloat16", value) };
    return { value, label, stored, note: { float16: describe(value, stored.float16), bfloat16: describe(value, stored.bfloat16) } };
  });
  manualSeed(0);
  const grads = randn([10000]).mul(1e-6);
  const flushed = (f: HalfDType): number => {
    const z = grads.to(f).eq(0).sum().item() - grads.eq(0).sum().item();
    return z / grads.numel;
  };
  const updates = [1e-3, 1e-4].map((u) => ({
    update: u,
    result: { float16: tensor([1], { dtype: "float16" }).add(u).item(), bfloat16: tensor([1], { dtype: "bfloat16" }).add(u).item() },
  }));
  const f16 = facts("float16"), bf16 = facts("bfloat16");
  const tiny = { float16: flushed("float16"), bfloat16: flushed("bfloat16") };
  const answer = [
    `bfloat16 keeps float32's 8 exponent bits: it reaches ${bf16.max.toExponential(3)} and, with subnormals, ${bf16.minSubnormal.toExponential(2)},`,
    `so 1e-8 survives (as ${probes[0]!.stored.bfloat16.toExponential(3)}) and 131008 stays finite; ${(tiny.bfloat16 * 100).toFixed(1)}% of N(0, 1e-6²) gradients are lost.`,
    `It pays with 7 mantissa bits (epsilon ${bf16.epsilon}, ~${bf16.decimalDigits} digits): 1 + 2⁻¹⁰ rounds to ${probes[2]!.stored.bfloat16}, and 1 + 1e-3 to ${updates[0]!.result.bfloat16}.`,
    `float16 has 3 more mantissa bits (epsilon ${f16.epsilon}, ~${f16.decimalDigits} digits) but only 5 exponent bits: its max is ${f16.max}, its smallest`,
    `subnormal ${f16.minSubnormal.toExponential(2)}; 1e-8 flushes to 0, 131008 overflows to inf, and ${(tiny.float16 * 100).toFixed(1)}% of those gradients become 0.`,
    "For training stability: bfloat16 needs no loss scaling (its range is float32's) but wants float32 master weights",
    "and float32 reductions; float16 is more precise per number but needs loss scaling (amp.GradScaler) so small",
    "gradients do not flush to zero, and backs off when large ones overflow.",
  ];
  return { formats: FORMATS.map(facts), probes, tinyGradientsFlushed: tiny, updates, answer };
}

const g = (x: number): string => (x === 0 || !Number.isFinite(x) ? String(x) : Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toExponential(4) : String(x));

export function formatPrecision(r: PrecisionResult): string {
  const rows: string[][] = [["format", "exp bits", "mantissa bits", "max", "min normal", "min subnormal", "epsilon", "decimal digits"]];
  for (const f of r.formats) {
    rows.push([f.format, String(f.exponentBits), String(f.mantissaBits), g(f.max), g(f.minNormal), g(f.minSubnormal), g(f.epsilon), f.decimalDigits.toFixed(2)]);
  }
  const probeRows: string[][] = [["value", "float16", "", "bfloat16", ""]];
  for (const p of r.probes) probeRows.push([p.label, g(p.stored.float16), p.note.float16, g(p.stored.bfloat16), p.note.bfloat16]);
  const upd = r.updates.map((u) => `  1 + ${u.update}: float16 gives ${u.result.float16}, bfloat16 gives ${u.result.bfloat16}`);
  return [
    "float16 vs bfloat16 (values from Descent's round-to-nearest-even conversions)",
    "",
    ...columns(rows, { headerRule: true, align: ["left", "right", "right", "right", "right", "right", "right", "right"] }),
    "",
    "What happens to a few numbers when stored:",
    ...columns(probeRows, { headerRule: true }),
    "",
    `10,000 gradients ~ N(0, 1e-6²) stored without scaling: ${(r.tinyGradientsFlushed.float16 * 100).toFixed(1)}% become 0 in float16, ` +
      `${(r.tinyGradientsFlushed.bfloat16 * 100).toFixed(1)}% in bfloat16.`,
    "A weight of 1 updated in place in the low format (why optimizers keep float32 master weights):",
    ...upd,
    "",
    "float16 vs bfloat16 for training stability?",
    ...r.answer.map((l) => `  ${l}`),
  ].join("\n");
}

export const precisionDemo = defineDemo<{ json?: boolean }>({
  name: "precision",
  section: "Mixed precision and loss scaling",
  summary: "float16 vs bfloat16: range, resolution, and what 1e-8, 65504·2, 1 + 2⁻¹⁰ become",
  options: [jsonOption],
  run: (o) => jsonOrText(precisionResult(), o.json, formatPrecision),
});
