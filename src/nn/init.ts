// nn.init: in-place initializers (PyTorch semantics and names, camelCase). They write straight
// into the tensor's storage, outside autograd, and return the tensor.

import { fmt } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { getBackend } from "../backend/index.js";
import { type TypedArray, isFloat, isHalf } from "../util/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../util/errors.js";
import { type Generator, defaultGenerator } from "../util/rng.js";
import { describeValue } from "../util/describe.js";
import { checkOptionKeys } from "../util/options.js";

export interface InitOptions {
  /** Defaults to the global generator seeded by manualSeed(). */
  generator?: Generator;
}

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "leaky_relu" | "selu";

export type FanMode = "fanIn" | "fanOut" | "fan_in" | "fan_out";

/** Where to write plain numbers: the storage itself, or a float64 scratch for float16/bfloat16 bits. */
function writable(t: Tensor): TypedArray {
  return isHalf(t.dtype) ? new Float64Array(t.numel) : t.data;
}

function store(t: Tensor, d: TypedArray): Tensor {
  if (d !== t.data) getBackend().cast(d, t.data); // round to nearest even into the 16-bit storage
  return t;
}

function checkFloat(op: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new DTypeError(`init.${op}: tensor must be a Tensor, got ${describeValue(t)}`);
  if (!isFloat(t.dtype)) throw new DTypeError(`init.${op}: expected a floating-point tensor, got dtype ${t.dtype}`);
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d": case "sigmoid": return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.sqrt(2);
    case "leakyRelu": case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) throw new ValueError(`calculateGain: negative slope ${String(slope)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu": return 3 / 4;
    default: throw new ValueError(`calculateGain: unsupported nonlinearity "${String(nonlinearity)}"`);
  }
}

/** fan_in = size(1) * receptive field, fan_out = size(0) * receptive field (needs >= 2 dims). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (!(t instanceof Tensor)) throw new DTypeError(`init.calculateFanInAndFanOut: tensor must be a Tensor, got ${describeValue(t)}`);
  if (t.ndim < 2) {
    throw new ShapeError(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape ${fmt(t.shape)})`);
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  checkFloat("uniform_", t);
  checkOptionKeys("init.uniform_", opts, ["generator"]);
  if (!(a <= b)) throw new ValueError(`init.uniform_: expected a <= b, got a=${a}, b=${b}`);
  const g = opts.generator ?? defaultGenerator;
  const d = writable(t);
  for (let i = 0; i < d.length; i++) d[i] = a + (b - a) * g.random();
  return store(t, d).markModified();
}

export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  checkFloat("normal_", t);
  checkOptionKeys("init.normal_", opts, ["generator"]);
  if (!(std >= 0)) throw new ValueError(`init.normal_: std must be >= 0, got ${std}`);
  const g = opts.generator ?? defaultGenerator;
  const d = writable(t);
  for (let i = 0; i < d.length; i++) d[i] = mean + std * g.normal();
  return store(t, d).markModified();
}

export function constant_(t: Tensor, value: number): Tensor {
  checkFloat("constant_", t);
  getBackend().fill(t.data, value); // encodes float16/bfloat16
  return t.markModified();
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

/** N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (leakyRelu only); default 0. */
  a?: number;
  /** "fanIn" (default) keeps forward variance, "fanOut" backward variance. */
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, o: KaimingOptions): number {
  checkOptionKeys(`init.${op}`, o, ["generator", "a", "mode", "nonlinearity"]);
  const mode = o.mode ?? "fanIn";
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  let fan: number;
  if (mode === "fanIn" || mode === "fan_in") fan = fanIn;
  else if (mode === "fanOut" || mode === "fan_out") fan = fanOut;
  else throw new ValueError(`init.${op}: mode must be "fanIn" or "fanOut", got "${String(mode)}"`);
  const gain = calculateGain(o.nonlinearity ?? "leakyRelu", o.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** U(-b, b) with b = gain * sqrt(3 / fan) (He). a = √5 gives PyTorch's Linear default U(±1/√fan_in). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", t, o);
  return uniform_(t, -bound, bound, o.generator ? { generator: o.generator } : {});
}

/** N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd("kaimingNormal_", t, o), o.generator ? { generator: o.generator } : {});
}
