// Anomaly mode (like torch.autograd.detect_anomaly, plus forward checks): the first op whose
// output (forward) or input gradient (backward) holds NaN or Inf throws an AnomalyError naming
// the op, the phase, its inputs' shapes and dtypes, which input was already non-finite, the
// module that created it and the user-code line where it ran. Off (the default) it costs one
// boolean read per op and per backward node; on, every output is scanned and every node keeps a
// captured stack and its inputs (the cost is measured in bench/anomaly_overhead.ts, see README).

import { fmt } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../util/dtype.js";
import { AutogradError } from "../util/errors.js";
import { moduleScope } from "./module_scope.js";
import type { Node } from "./node.js";

/** One input of the failing op (forward) or one tensor the failing backward read. */
export interface AnomalyInput {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** NaN/Inf elements it held; null where the value is unknown (no graph kept it). */
  readonly nonFinite: number | null;
}

export interface AnomalyDetails {
  readonly op: string;
  readonly phase: "forward" | "backward";
  readonly inputs: readonly AnomalyInput[];
  /** Index of the first input (forward) or input gradient's input (backward) that was already non-finite, or null. */
  readonly nonFiniteInput: number | null;
  /** NaN and Inf counts in the offending tensor. */
  readonly nan: number;
  readonly inf: number;
  /** Backward: which input's gradient went non-finite. */
  readonly gradientOf: number | null;
  /** Backward: whether the upstream gradient arriving at the op was already non-finite. */
  readonly upstreamNonFinite: boolean | null;
  /** Dotted path of the module whose forward ran the op ("" = the outermost module), or null. */
  readonly modulePath: string | null;
  /** `file:line:column` of the first caller outside the library, or null when not found. */
  readonly location: string | null;
}

/** The first NaN/Inf in anomaly mode; the fields repeat what the message says. */
export class AnomalyError extends AutogradError implements AnomalyDetails {
  readonly op!: string;
  readonly phase!: "forward" | "backward";
  readonly inputs!: readonly AnomalyInput[];
  readonly nonFiniteInput!: number | null;
  readonly nan!: number;
  readonly inf!: number;
  readonly gradientOf!: number | null;
  readonly upstreamNonFinite!: boolean | null;
  readonly modulePath!: string | null;
  readonly location!: string | null;

  constructor(d: AnomalyDetails) {
    super(anomalyMessage(d));
    Object.assign(this, d);
  }
}

/** Shared state read by record() and the engine. */
export const anomalyState = { users: 0, backwardDepth: 0 };

export function isAnomalyEnabled(): boolean {
  return anomalyState.users > 0;
}

/**
 * Run fn in anomaly mode (also tracking module paths). fn must be synchronous; a backward()
 * inside fn is checked too, and so is one run later on a graph recorded inside fn.
 */
export function detectAnomaly<T>(fn: () => T): T {
  anomalyState.users++;
  moduleScope.users++;
  try {
    return fn();
  } finally {
    anomalyState.users--;
    moduleScope.users--;
  }
}

/** Anomaly mode on until the returned function is called (e.g. for a whole training run). */
export function enableAnomalyDetection(): () => void {
  anomalyState.users++;
  moduleScope.users++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    anomalyState.users--;
    moduleScope.users--;
  };
}

/** NaN and Inf counts of a float tensor (int32 holds neither). */
export function countNonFinite(t: Tensor): { nan: number; inf: number } {
  let nan = 0, inf = 0;
  if (t.dtype === "int32") return { nan, inf };
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      if (v !== v) nan++;
      else inf++;
    }
  }
  return { nan, inf };
}

function allFinite(t: Tensor): boolean {
  if (t.dtype === "int32") return true;
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) return false;
  }
  return true;
}

function describeInput(t: Tensor): AnomalyInput {
  const c = countNonFinite(t);
  return { shape: t.shape, dtype: t.dtype, nonFinite: c.nan + c.inf };
}

/** record()'s check of a fresh output, in anomaly mode outside backward. */
export function checkForward(op: string, inputs: readonly Tensor[], out: Tensor): void {
  if (allFinite(out)) return;
  const { nan, inf } = countNonFinite(out);
  const described = inputs.map(describeInput);
  const bad = described.findIndex((d) => (d.nonFinite ?? 0) > 0);
  const frames = moduleScope.stack;
  throw new AnomalyError({
    op, phase: "forward", inputs: described, nonFiniteInput: bad < 0 ? null : bad, nan, inf, gradientOf: null,
    upstreamNonFinite: null, modulePath: frames.length === 0 ? null : frames[frames.length - 1]!.path,
    location: userLocation(new Error()),
  });
}

/** The engine's check of a node's input gradients, in anomaly mode. */
export function checkBackward(node: Node, upstream: Tensor, grads: readonly (Tensor | null)[]): void {
  let which = -1;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g && !allFinite(g)) {
      which = i;
      break;
    }
  }
  if (which < 0) return;
  const { nan, inf } = countNonFinite(grads[which]!);
  const kept = node.anomaly?.inputs;
  const described: AnomalyInput[] = node.edges.map((e, i) =>
    kept && kept[i] ? describeInput(kept[i]!) : { shape: e.shape, dtype: e.dtype, nonFinite: null });
  const bad = described.findIndex((d) => (d.nonFinite ?? 0) > 0);
  throw new AnomalyError({
    op: node.name, phase: "backward", inputs: described, nonFiniteInput: bad < 0 ? null : bad, nan, inf, gradientOf: which,
    upstreamNonFinite: !allFinite(upstream), modulePath: node.modulePath,
    location: node.anomaly ? userLocation(node.anomaly.creation) : null,
  });
}

/** Capture the creation stack cheaply (V8 formats it only when .stack is read). */
export function captureCreation(): Error {
  const prev = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  try {
    return new Error("op created here");
  } finally {
    Error.stackTraceLimit = prev;
  }
}

// The library's own files: everything under the directory two levels above this one
// (dist/src/ when compiled, src/ under a TS runner), so the first frame outside it is user code.
const libraryRoot = new URL("../", import.meta.url).href;
const libraryPath = decodeURIComponent(new URL("../", import.meta.url).pathname);

/** The first stack frame outside the library and Node internals, as `file:line:column`. */
export function userLocation(e: Error): string | null {
  const stack = e.stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!;
    if (file.startsWith(libraryRoot) || file.startsWith(libraryPath) || file.startsWith("node:")) continue;
    const path = file.startsWith("file://") ? decodeURIComponent(new URL(file).pathname) : file;
    return `${path}:${m[2]}:${m[3]}`;
  }
  return null;
}

function anomalyMessage(d: AnomalyDetails): string {
  const what = [d.nan ? `${d.nan} NaN` : "", d.inf ? `${d.inf} Inf` : ""].filter(Boolean).join(" and ");
  const ins = d.inputs
    .map((x, i) => `#${i} ${fmt(x.shape)} ${x.dtype}${x.nonFinite === null ? "" : x.nonFinite > 0 ? ` (${x.nonFinite} non-finite)` : " (finite)"}`)
    .join(", ");
  const where = d.modulePath === null ? "outside any module" : d.modulePath === "" ? "in the top-level module" : `in module ${d.modulePath}`;
  const head = d.phase === "forward"
    ? `detectAnomaly: ${d.op} produced ${what} in forward`
    : `detectAnomaly: the backward of ${d.op} produced ${what} in the gradient of input #${d.gradientOf}`;
  const cause = d.phase === "forward"
    ? d.nonFiniteInput === null ? "all inputs were finite" : `input #${d.nonFiniteInput} was already non-finite`
    : [
      d.upstreamNonFinite ? "the incoming gradient was already non-finite" : "the incoming gradient was finite",
      d.nonFiniteInput === null ? "" : `forward input #${d.nonFiniteInput} was non-finite`,
    ].filter(Boolean).join("; ");
  return `${head} ${where}; inputs: ${ins}; ${cause}; op created at ${d.location ?? "an unknown location"}`;
}
