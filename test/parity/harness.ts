// PyTorch parity harness: replays the cases of test/fixtures/torch_reference.json (written by
// tools/torch_reference.py) on Descent in float64 and compares outputs and input gradients.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Tensor, add, mul, sum, tensor } from "../../src/index.js";

/** |actual - expected| <= TOL * max(1, |expected|) for every element. */
export const TOL = 1e-10;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A number, or (breadth fixture) "NaN" / "Infinity" / "-Infinity", which JSON cannot hold. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

export interface InputRecord {
  shape: number[];
  dtype: "float64" | "int32" | "bool";
  values: JsonNumber[];
  /** PyTorch's d sum(output * cot) / d input; present exactly for the inputs it differentiates. */
  grad?: JsonNumber[];
}

export interface OutputRecord {
  shape: number[];
  dtype: "float64" | "int32" | "bool";
  values: JsonNumber[];
  /** The fixed random cotangent of a float output. */
  cot?: JsonNumber[];
}

export interface ParityCase {
  name: string;
  op: string;
  /** Descent's positional arguments; {"$t": i} is input i, null means "omitted". */
  args: Json[];
  inputs: InputRecord[];
  outputs: OutputRecord[];
  /** The sign of every zero must match too (breadth fixture: rounding, copysign, fmod...). */
  signedZeros?: boolean;
  /** PyTorch defines no gradient here (or the inputs are outside the differentiable domain). */
  forwardOnly?: boolean;
}

/** Descent's dtype for PyTorch's bool results and bool inputs. */
export const BOOL_DTYPE = "bool";

/** Decode the breadth fixture's spelled-out non-finite numbers. */
export function decodeNumber(v: JsonNumber): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  throw new Error(`torch parity: bad number ${JSON.stringify(v)}`);
}

const decodeAll = (vs: readonly JsonNumber[]): number[] => vs.map(decodeNumber);

/**
 * Which test file replays which ops. fixture.test.ts checks that this covers every op of the
 * fixture exactly once, and runParity checks each file's function map against its group.
 */
export const GROUPS: Readonly<Record<string, readonly string[]>> = {
  elementwise: [
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "gelu",
    "clamp", "maximum", "minimum", "where", "maskedFill",
  ],
  matmul_reduce: ["matmul", "sum", "mean", "max", "min", "var", "argmax", "logsumexp"],
  shape: [
    "reshape", "view", "transpose", "permute", "squeeze", "unsqueeze", "expand", "broadcastTo", "flatten",
    "cat", "stack", "split", "narrow", "slice", "indexSelect", "gather",
  ],
  softmax: ["softmax", "logSoftmax"],
  functional: [
    "crossEntropy", "nllLoss", "mseLoss", "binaryCrossEntropyWithLogits", "layerNorm", "embedding",
    "scaledDotProductAttention", "dropout",
  ],
};

/**
 * Cases where Descent currently differs from PyTorch, by case name, with the diagnosis. They still
 * run (as node:test "todo", so the failure is printed but does not fail the suite); delete an
 * entry once the op is fixed. Never add an entry to hide a tolerance problem.
 */
export const KNOWN_DIVERGENCES: Readonly<Record<string, string>> = {};

/**
 * The ops of tools/torch_ops_breadth_reference.py's fixture, by replaying test file
 * (test/parity/breadth_<group>.test.ts); checked like GROUPS by breadth_fixture.test.ts.
 */
export const BREADTH_GROUPS: Readonly<Record<string, readonly string[]>> = {
  elementwise: [
    "floor", "ceil", "round", "trunc", "frac", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "log2", "log10", "exp2", "isnan", "isinf", "isfinite", "fmod", "remainder", "floorDivide", "copysign", "logaddexp",
    "atan2", "lerp", "sign",
  ],
  activations: [
    "silu", "mish", "selu", "hardswish", "hardsigmoid", "relu6", "logsigmoid", "softsign", "softplus", "elu", "celu",
    "hardtanh", "leakyRelu", "softmin", "normalize", "vectorNorm", "oneHot", "pad",
  ],
  shape: ["flip", "roll", "diag", "diagonal", "tril", "triu", "unflatten", "repeat", "repeatInterleave"],
  scan_sort: ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin", "sort", "argsort", "topk"],
  logic: ["scatter", "scatterReduce", "maskedSelect", "nonzero", "any", "all", "isclose"],
  einsum: ["einsum"],
};

/** A fixture file and its replay groups. */
export interface FixtureSpec {
  file: string;
  groups: Readonly<Record<string, readonly string[]>>;
}

export const CORE_FIXTURE: FixtureSpec = { file: "torch_reference.json", groups: GROUPS };
export const BREADTH_FIXTURE: FixtureSpec = { file: "torch_ops_breadth_reference.json", groups: BREADTH_GROUPS };

/** The compiled tests run from dist/test/parity/, so find the repository root by package.json. */
function fixturePath(file = "torch_reference.json"): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "test", "fixtures", file);
    const up = dirname(dir);
    if (up === dir) throw new Error(`torch parity: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

const cached = new Map<string, ParityCase[]>();

export function loadCases(file = "torch_reference.json"): ParityCase[] {
  let cases = cached.get(file);
  if (!cases) {
    cases = (JSON.parse(readFileSync(fixturePath(file), "utf8")) as { cases: ParityCase[] }).cases;
    cached.set(file, cases);
  }
  return cases;
}

/** Any Descent op; the arguments come from JSON, so the call itself is untyped. */
export type OpFn = (...args: never[]) => unknown;

function makeInput(rec: InputRecord): Tensor {
  const values = decodeAll(rec.values);
  if (rec.dtype === "bool") return tensor(Int32Array.from(values), { shape: rec.shape, dtype: BOOL_DTYPE });
  if (rec.dtype === "int32") return tensor(Int32Array.from(values), { shape: rec.shape, dtype: "int32" });
  return tensor(Float64Array.from(values), { shape: rec.shape, dtype: "float64", requiresGrad: rec.grad !== undefined });
}

/** Replace {"$t": i} by input i and null by undefined (an omitted optional argument). */
function resolve(arg: Json, inputs: readonly Tensor[]): unknown {
  if (arg === null) return undefined;
  if (Array.isArray(arg)) return arg.map((a) => resolve(a, inputs));
  if (typeof arg === "object") {
    const spelled = arg["$num"];
    if (typeof spelled === "string") return decodeNumber(spelled as JsonNumber);
    const ref = arg["$t"];
    if (typeof ref === "number") {
      const t = inputs[ref];
      if (!t) throw new Error(`torch parity: argument refers to missing input ${ref}`);
      return t;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(arg)) out[k] = resolve(v, inputs);
    return out;
  }
  return arg;
}

/** Assert every element within tolerance, naming the worst one (flat index and coordinates). */
export function assertClose(
  label: string, actual: ArrayLike<number>, expected: readonly number[], shape: readonly number[], signedZeros = false,
): void {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} elements, PyTorch has ${expected.length}`);
  let worst = -1;
  let worstRatio = 0;
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const err = Math.abs(a - b);
    // NaN matches NaN, an infinity only itself, and (when asked) a zero only a zero of its sign.
    const exact = Number.isNaN(b) ? Number.isNaN(a) : !Number.isFinite(b) ? a === b : null;
    const zeroSign = signedZeros && b === 0 && !Object.is(a, b) ? Infinity : 0;
    const ratio = exact !== null ? (exact ? 0 : Infinity) : Number.isNaN(err) ? Infinity : Math.max(zeroSign, err / Math.max(1, Math.abs(b)));
    if (ratio > TOL) bad++;
    if (ratio > worstRatio || (worst < 0 && ratio > TOL)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (bad === 0) return;
  const coords: number[] = [];
  let rest = worst;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  const a = actual[worst]!;
  const b = expected[worst]!;
  assert.fail(
    `${label}: ${bad} of ${expected.length} elements off by more than ${TOL} relative; worst at [${coords.join(",")}] ` +
      `(flat ${worst}): Descent ${a}, PyTorch ${b}, |diff| ${Math.abs(a - b)} (relative ${worstRatio})`,
  );
}

/** Run one case: forward, compare outputs, backward of sum(out * cot), compare input gradients. */
export function checkCase(c: ParityCase, fn: OpFn): void {
  const inputs = c.inputs.map(makeInput);
  const args = c.args.map((a) => resolve(a, inputs));
  const result = (fn as (...a: unknown[]) => unknown)(...args);
  const outs = Array.isArray(result) ? (result as unknown[]) : [result];
  assert.equal(outs.length, c.outputs.length, `${c.name}: ${outs.length} outputs, PyTorch has ${c.outputs.length}`);

  let loss: Tensor | null = null;
  for (let k = 0; k < c.outputs.length; k++) {
    const rec = c.outputs[k]!;
    const out = outs[k];
    const label = c.outputs.length > 1 ? `${c.name}: output ${k}` : `${c.name}: output`;
    assert.ok(out instanceof Tensor, `${label} is not a Tensor`);
    assert.deepEqual([...out.shape], rec.shape, `${label} shape`);
    assert.equal(out.dtype, rec.dtype === "bool" ? BOOL_DTYPE : rec.dtype, `${label} dtype`);
    assertClose(label, out.data as ArrayLike<number>, decodeAll(rec.values), rec.shape, c.signedZeros === true);
    if (rec.cot && !c.forwardOnly) {
      const cot = tensor(Float64Array.from(decodeAll(rec.cot)), { shape: rec.shape, dtype: "float64" });
      const term = sum(mul(out, cot));
      loss = loss ? add(loss, term) : term;
    }
  }

  // Ops must not write into their inputs.
  c.inputs.forEach((rec, i) => assertClose(`${c.name}: input ${i} after the call`, inputs[i]!.data as ArrayLike<number>, decodeAll(rec.values), rec.shape));

  const withGrad = c.inputs.map((rec, i) => [rec, i] as const).filter(([rec]) => rec.grad !== undefined);
  if (withGrad.length === 0) return;
  assert.ok(loss !== null, `${c.name}: no float output to differentiate`);
  loss.backward();
  for (const [rec, i] of withGrad) {
    const g = inputs[i]!.grad;
    const label = `${c.name}: grad of input ${i}`;
    if (g === null) {
      // No gradient reached the input: only right if PyTorch's gradient is zero.
      assertClose(`${label} (Descent left .grad null)`, new Float64Array(rec.values.length), decodeAll(rec.grad!), rec.shape);
      continue;
    }
    assert.deepEqual([...g.shape], rec.shape, `${label} shape`);
    assertClose(label, g.data as ArrayLike<number>, decodeAll(rec.grad!), rec.shape);
  }
}

/** Register one node:test case per fixture case of `group`, using `fns` to call Descent. */
export function runParity(group: string, fns: Readonly<Record<string, OpFn>>, fixture: FixtureSpec = CORE_FIXTURE): void {
  const ops = fixture.groups[group];
  if (!ops) throw new Error(`torch parity: unknown group ${group}`);
  assert.deepEqual(Object.keys(fns).sort(), [...ops].sort(), `torch parity: the ${group} test must map exactly the ops of its group`);
  const cases = loadCases(fixture.file);
  const title = fixture === CORE_FIXTURE ? `PyTorch parity: ${group}` : `PyTorch parity (${fixture.file}): ${group}`;
  describe(title, () => {
    for (const op of ops) {
      const mine = cases.filter((c) => c.op === op);
      describe(op, () => {
        it(`the fixture has cases for ${op}`, () => assert.ok(mine.length > 0, `no fixture cases for ${op}`));
        for (const c of mine) {
          const known = KNOWN_DIVERGENCES[c.name];
          it(c.name, known ? { todo: `known divergence from PyTorch: ${known}` } : {}, () => checkCase(c, fns[op]!));
        }
      });
    }
  });
}
