// Bad input anywhere in the public API is a typed DescentError naming the function the user
// called: a fuzz-ish sweep of every exported op/creation function, nn.functional and the Tensor
// methods with wrong kinds of arguments, then the specific inputs that used to leak a plain
// TypeError/RangeError (issue 11).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as D from "../../src/index.js";
import {
  AutogradError, DTypeError, DescentError, IndexError, ShapeError, Tensor, ValueError, arange, leakyRelu, linspace, nn, randn,
  reshape, tensor, zeros,
} from "../../src/index.js";

/** Exports that are not ops: backend/grad-mode/dtype utilities and internal helpers taking an op name first. */
const NOT_OPS = new Set([
  "allocate", "availableCores", "backendInfo", "binaryForward", "dtypeOfArray", "enableGrad", "getBackend", "getNumThreads",
  "inferShape", "isDType", "isFloat", "isHalf", "isIntegral", "isGradEnabled", "itemSize", "manualSeed", "noGrad",
  "promoteTypes", "setBackend", "setGradEnabled", "setNumThreads", "unaryRaw",
]);
/** The name an error may use instead of the export's (aliases). */
const ALIAS: Record<string, string> = { variance: "var" };

type Arg = unknown;
const T = () => tensor([[1, 2], [3, 4]]);
const BAD: (() => Arg[])[] = [
  () => [], () => [3], () => ["abc"], () => [null], () => [undefined], () => [[1, 2]], () => [{}], () => [NaN], () => [-1], () => [1.5],
  () => [T(), "x"], () => [T(), null], () => [T(), "abc"], () => [T(), NaN], () => [T(), [1, 2, 3]], () => [T(), {}], () => [T(), -5],
  () => [T(), 1.5], () => [T(), 2 ** 40], () => [T(), tensor([1, 2, 3])], () => [T(), 0, "x"], () => [T(), [-1, -1]], () => [T(), [0.5]],
  () => [T(), { bogus: 1 }], () => [tensor([0, 1], { dtype: "int32" })], () => [tensor([0, 1], { dtype: "int32" }), T()],
  () => [T(), tensor([0, 1], { dtype: "int32" })],
];


/** Every call either works or throws a DescentError whose message names `name`; returns the offenders. */
function sweep(name: string, call: (...a: Arg[]) => unknown): string[] {
  const bad: string[] = [];
  const want = (ALIAS[name] ?? name).toLowerCase();
  for (const make of BAD) {
    const args = make();
    try {
      call(...args);
    } catch (e) {
      const label = `${name}(${args.map((a) => (a instanceof Tensor ? `Tensor${JSON.stringify(a.shape)}` : JSON.stringify(a) ?? "undefined")).join(", ")})`;
      if (!(e instanceof DescentError)) bad.push(`${label}: ${(e as Error)?.constructor?.name} ${(e as Error)?.message}`);
      else if (!e.message.toLowerCase().includes(want)) bad.push(`${label}: message does not name ${name}: ${e.message}`);
    }
  }
  return bad;
}

describe("bad arguments to every public function are typed errors naming it", () => {
  it("top-level functions", () => {
    const bad: string[] = [];
    for (const [name, fn] of Object.entries(D)) {
      if (typeof fn !== "function" || /^[A-Z]/.test(name) || NOT_OPS.has(name)) continue;
      bad.push(...sweep(name, fn as (...a: Arg[]) => unknown));
    }
    assert.deepEqual(bad, []);
  });

  it("nn.functional", () => {
    const bad: string[] = [];
    for (const [name, fn] of Object.entries(nn.functional)) {
      if (typeof fn === "function") bad.push(...sweep(name, fn as (...a: Arg[]) => unknown));
    }
    assert.deepEqual(bad, []);
  });

  it("Tensor methods", () => {
    const skip = new Set(["constructor", "toString", "detach", "markModified", "toArray", "item", "size", "requiresGrad_", "retainGrad", "registerHook", "setGradFn"]);
    const bad: string[] = [];
    for (const name of Object.getOwnPropertyNames(Tensor.prototype)) {
      const desc = Object.getOwnPropertyDescriptor(Tensor.prototype, name)!;
      if (typeof desc.value !== "function" || skip.has(name)) continue;
      // The receiver is fine; the bad arguments are everything after it.
      bad.push(...sweep(name, (...a: Arg[]) => (T() as unknown as Record<string, (...x: Arg[]) => unknown>)[name]!(...a.slice(1))));
    }
    assert.deepEqual(bad, []);
  });
});

describe("inputs that used to leak a TypeError/RangeError", () => {
  const is = (type: typeof DescentError, re: RegExp) => (e: unknown) => e instanceof type && re.test((e as Error).message);
  it("creation", () => {
    assert.throws(() => zeros(3 as never), is(ShapeError, /^zeros: shape must be an array of sizes such as \[2, 3\], got the number 3/));
    assert.throws(() => zeros([2 ** 27, 2 ** 27]), is(ShapeError, /^zeros: shape \[134217728,134217728\] has 18014398509481984 elements, more than/));
    assert.throws(() => zeros([-1, 2]), is(ShapeError, /^zeros: invalid shape \[-1,2\]/));
    assert.throws(() => zeros([1.5]), is(ShapeError, /^zeros: invalid shape/));
    assert.throws(() => randn([-1]), is(ShapeError, /^randn: invalid shape \[-1\]/));
    assert.throws(() => arange(Infinity), is(ValueError, /^arange: end must be a finite number, got the number Infinity/));
    assert.throws(() => arange(NaN), is(ValueError, /^arange: end must be a finite number/));
    assert.throws(() => arange(0, 2 ** 40, 1e-3), is(ShapeError, /^arange: shape .* elements, more than/));
    assert.throws(() => tensor("abc" as never), is(ValueError, /^tensor: element at \[\] is the string "abc", expected a number or a boolean/));
    assert.throws(() => tensor([[1, 2], [3]]), is(ShapeError, /^tensor: ragged nested array/));
    assert.throws(() => linspace(0, 1, NaN), is(ValueError, /^linspace: steps must be a non-negative integer, got the number NaN/));
    assert.throws(() => linspace(0, 1, 2 ** 40), is(ShapeError, /^linspace: /));
    assert.throws(() => D.zerosLike([1, 2] as never), is(DTypeError, /^zerosLike: input must be a Tensor/));
    assert.throws(() => randn([2], { generator: 5 } as never), is(ValueError, /^randn: generator must be a Generator/));
  });

  it("shape and dims arguments", () => {
    const x = randn([2, 3]);
    assert.throws(() => reshape(x, [-1, -1]), is(ShapeError, /^reshape: only one dimension can be -1/));
    assert.throws(() => x.reshape(6 as never), is(ShapeError, /^reshape: shape must be an array of sizes/));
    assert.throws(() => x.view([2, "3"] as never), is(ShapeError, /^view: invalid shape \[2,3\]/));
    assert.throws(() => x.expand(4 as never), is(ShapeError, /^expand: shape must be an array/));
    assert.throws(() => D.broadcastTo(x, [3, 3]), is(ShapeError, /^broadcastTo: cannot expand shape \[2,3\] to \[3,3\]/));
    assert.throws(() => x.sum("abc" as never), is(IndexError, /^sum: dim must be an integer or an array of integers, got the string "abc"/));
    assert.throws(() => x.mean(null as never), is(IndexError, /^mean: dim must be/));
  });

  it("autograd", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward([1, 1, 1] as never), is(AutogradError, /^backward: gradient must be a Tensor of shape \[3\], got an array of length 3/));
  });

  it("composite ops blame the function the user called, not an internal op", () => {
    const x = randn([3]);
    assert.throws(() => leakyRelu(x, "x" as never), is(DTypeError, /^leakyRelu: negativeSlope must be a number, got the string "x"/));
    assert.throws(() => leakyRelu("x" as never), is(DTypeError, /^leakyRelu: input must be a Tensor/));
    assert.throws(() => D.clamp(x, "0" as never), is(DTypeError, /^clamp: min must be a number/));
    assert.throws(() => D.where(tensor([1, 0, 1], { dtype: "int32" }), x, "y" as never), is(DTypeError, /^where: other must be a Tensor or a number/));
    assert.throws(() => D.maskedFill(x, tensor([1, 0, 1], { dtype: "int32" }), "v" as never), is(DTypeError, /^maskedFill: value must be a number/));
  });

  it("layers, optimizers, schedulers, clipping and init", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => new nn.ReLU().forward("x" as never), is(DTypeError, /^ReLU: input must be a Tensor/));
    assert.throws(() => new nn.BatchNorm1d(2).forward(null as never), is(DTypeError, /^BatchNorm1d: input must be a Tensor/));
    assert.throws(() => new nn.LayerNorm({} as never), is(ValueError, /^LayerNorm: normalizedShape must be/));
    assert.throws(() => new nn.ModuleList(3 as never), is(ValueError, /^ModuleList: modules must be an iterable/));
    assert.throws(() => new D.optim.Adam([[1, 2]] as never), is(ValueError, /^Adam: param group 0 must be/));
    assert.throws(() => new D.optim.LRScheduler(null as never, () => 1), is(ValueError, /^LRScheduler: optimizer must be/));
    assert.throws(() => D.optim.clipGradNorm([p, 3] as never, 1), is(ValueError, /^clipGradNorm: params\[1\] is the number 3/));
    assert.throws(() => D.optim.clipGradValue(5 as never, 1), is(ValueError, /^clipGradValue: params must be/));
    assert.throws(() => D.optim.accumulateGradients([1], "f" as never), is(ValueError, /^accumulateGradients: lossFn must be a function/));
    assert.throws(() => nn.init.xavierUniform_([1, 2] as never), is(DTypeError, /^init.calculateFanInAndFanOut: tensor must be a Tensor/));
    assert.throws(() => nn.init.normal_(null as never), is(DTypeError, /^init.normal_: tensor must be a Tensor/));
    assert.throws(() => nn.init.kaimingUniform_(randn([2, 2]), { mod: "fanIn" } as never), is(ValueError, /^init.kaimingUniform_: unknown option "mod" \(did you mean "mode"\?\)/));
  });

  it("a wrong attention mask shape says mask", () => {
    const q = randn([2, 3, 4]), k = randn([2, 5, 4]), v = randn([2, 5, 4]);
    assert.throws(() => nn.functional.scaledDotProductAttention(q, k, v, { mask: tensor([[1, 0]], { dtype: "int32" }) }),
      is(ShapeError, /^scaledDotProductAttention: cannot broadcast mask of shape \[1,2\] and the attention scores \(\.\.\., L, S\) of shape \[2,3,5\]/));
  });
});
