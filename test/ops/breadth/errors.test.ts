// Bad input to the breadth ops: typed errors naming the op and the argument, thrown before
// anything is computed.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as d from "../../../src/index.js";
import { AutogradError, DTypeError, IndexError, ShapeError, ValueError, nn, ones, randn, tensor, zeros } from "../../../src/index.js";

const F = nn.functional;
const x = randn([2, 3], { dtype: "float64" });
const i32 = tensor([1, 2, 3], { dtype: "int32" });

/** assert.throws with the error class and a message that must contain every fragment. */
function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    for (const f of fragments) assert.ok((e as Error).message.includes(f), `message "${(e as Error).message}" lacks "${f}"`);
    return true;
  });
}

describe("breadth ops: typed errors", () => {
  it("elementwise", () => {
    throwsWith(() => d.frac(i32), DTypeError, "frac", "int32");
    throwsWith(() => d.round(i32, { decimals: 1 }), DTypeError, "round", "decimals");
    throwsWith(() => d.round(x, { decimals: 0.5 }), ValueError, "round", "decimals");
    throwsWith(() => d.fmod(i32, 0), ValueError, "fmod", "division by zero");
    throwsWith(() => d.remainder(i32, tensor([1, 0, 1], { dtype: "int32" })), ValueError, "remainder", "flat position 1");
    throwsWith(() => d.floorDivide(i32, 0), ValueError, "floorDivide");
    throwsWith(() => d.logaddexp(i32, i32), DTypeError, "logaddexp");
    throwsWith(() => d.lerp(x, randn([2, 3], { dtype: "float32" }), 0.5), DTypeError, "lerp", "end");
    throwsWith(() => d.lerp(i32, i32, 0.5), DTypeError, "lerp");
    throwsWith(() => d.fmod(x, randn([4])), ShapeError, "fmod");
  });

  it("floorDivide has no gradient, like PyTorch", () => {
    const a = randn([3], { dtype: "float64", requiresGrad: true });
    throwsWith(() => d.floorDivide(a, 2).sum().backward(), AutogradError, "floorDivide");
  });

  it("activations", () => {
    throwsWith(() => F.silu(i32), DTypeError, "silu");
    throwsWith(() => F.celu(x, 0), ValueError, "celu", "alpha");
    throwsWith(() => F.hardtanh(x, 2, 1), ValueError, "hardtanh", "minVal");
    throwsWith(() => F.softplus(x, Number.NaN), ValueError, "softplus", "beta");
    throwsWith(() => F.softmin(x, 2), IndexError, "softmin");
    throwsWith(() => new nn.CELU(0), ValueError, "CELU");
    throwsWith(() => new nn.Hardtanh(1, -1), ValueError, "Hardtanh");
    throwsWith(() => F.normalize(x, 2, 1, -1), ValueError, "normalize", "eps");
  });

  it("oneHot", () => {
    throwsWith(() => F.oneHot(tensor([0, 3], { dtype: "int32" }), 3), IndexError, "oneHot", "3", "numClasses");
    throwsWith(() => F.oneHot(tensor([0, -1], { dtype: "int32" }), 3), IndexError, "oneHot", "non-negative");
    throwsWith(() => F.oneHot(x), DTypeError, "oneHot", "int32");
    throwsWith(() => F.oneHot(zeros([0], { dtype: "int32" })), ValueError, "oneHot", "empty");
  });

  it("pad", () => {
    throwsWith(() => F.pad(x, [3, 0], "reflect"), ValueError, "pad", "reflect", "size 3");
    throwsWith(() => F.pad(x, [1]), ValueError, "pad", "even");
    throwsWith(() => F.pad(x, [1, 1, 1, 1, 1, 1]), ValueError, "pad", "pads 3 dims");
    throwsWith(() => F.pad(x, [1, 1], "wrap" as never), ValueError, "pad", "mode");
    throwsWith(() => F.pad(x, [-2, -2]), ShapeError, "pad", "negative size");
    throwsWith(() => F.pad(zeros([2, 0]), [1, 1], "replicate"), ValueError, "pad", "replicate");
    throwsWith(() => F.pad(x, [4, 0], "circular"), ValueError, "pad", "circular");
  });

  it("shape ops", () => {
    throwsWith(() => d.flip(x, [0, 0]), ValueError, "flip", "repeat");
    throwsWith(() => d.flip(x, [2]), IndexError, "flip");
    throwsWith(() => d.roll(x, [1, 2], [0]), ShapeError, "roll", "same length");
    throwsWith(() => d.roll(x, [1, 2]), ValueError, "roll", "dims");
    throwsWith(() => d.diag(randn([2, 2, 2])), ShapeError, "diag");
    throwsWith(() => d.diagonal(x, 0, 1, 1), ValueError, "diagonal", "dim1");
    throwsWith(() => d.tril(randn([3])), ShapeError, "tril");
    throwsWith(() => d.unflatten(x, 1, [2, 2]), ShapeError, "unflatten");
    throwsWith(() => d.repeat(x, [2]), ShapeError, "repeat", "at least 2");
    throwsWith(() => d.repeatInterleave(x, tensor([1, 2], { dtype: "int32" }), 1), ShapeError, "repeatInterleave", "repeats");
    throwsWith(() => d.repeatInterleave(x, -1), ValueError, "repeatInterleave");
  });

  it("scans and order", () => {
    throwsWith(() => d.cumsum(x, 2), IndexError, "cumsum");
    throwsWith(() => d.logcumsumexp(i32, 0), DTypeError, "logcumsumexp");
    throwsWith(() => d.topk(x, 4), IndexError, "topk", "k = 4", "size 3");
    throwsWith(() => d.topk(x, -1), IndexError, "topk");
    throwsWith(() => d.sort(x, 5), IndexError, "sort");
  });

  it("indexing and logic", () => {
    const idx = tensor([[0, 1]], { dtype: "int32" });
    throwsWith(() => d.scatter(x, 1, tensor([[0, 3]], { dtype: "int32" }), x), IndexError, "scatter", "index 3");
    throwsWith(() => d.scatter(x, 1, idx, x, "max" as never), ValueError, "scatter", "reduce");
    throwsWith(() => d.scatterReduce(x, 1, idx, x, "max" as never), ValueError, "scatterReduce", "reduce");
    throwsWith(() => d.scatterReduce(x, 1, idx, randn([2, 3]), "sum"), DTypeError, "scatterReduce", "src");
    throwsWith(() => d.scatter(x, 1, tensor([[0.5]]), x), DTypeError, "scatter", "index");
    throwsWith(() => d.maskedSelect(x, ones([4])), ShapeError, "maskedSelect");
    throwsWith(() => d.isclose(x, x, -1), ValueError, "isclose", "rtol");
    throwsWith(() => d.allclose(x, x, 0, -1), ValueError, "allclose", "atol");
  });

  it("wrong kinds of arguments name the function and the argument (issue 11)", () => {
    // Binary ops: each operand a Tensor or a number, at least one a Tensor.
    throwsWith(() => d.atan2("abc" as never, 1), DTypeError, "atan2: input must be a Tensor or a number, got the string \"abc\"");
    throwsWith(() => d.copysign(x, null as never), DTypeError, "copysign: other must be a Tensor or a number, got null");
    throwsWith(() => d.fmod(undefined as never, x), DTypeError, "fmod: input must be a Tensor or a number, got undefined");
    throwsWith(() => d.remainder([1, 2] as never, 2), DTypeError, "remainder: input must be a Tensor or a number, got an array of length 2");
    throwsWith(() => d.floorDivide(3, 2), DTypeError, "floorDivide: at least one of input and other must be a Tensor");
    throwsWith(() => x.atan2({} as never), DTypeError, "atan2: other must be a Tensor or a number, got an object");
    throwsWith(() => x.floorDivide("2" as never), DTypeError, "floorDivide: other must be");
    throwsWith(() => d.lerp(x, x, "w" as never), DTypeError, "lerp: weight must be a Tensor or a number, got the string \"w\"");
    // flip / roll: dims and shifts are integers or arrays of integers.
    throwsWith(() => d.flip(x, null as never), IndexError, "flip: dims must be an integer or an array of integers, got null");
    throwsWith(() => d.flip(x, [0.5]), IndexError, "flip: dimension 0.5 out of range");
    throwsWith(() => x.flip({} as never), IndexError, "flip: dims must be", "got an object");
    throwsWith(() => d.flip(x, ["0"] as never), IndexError, "flip: dims must be an integer or an array of integers, got an array of length 1");
    throwsWith(() => d.roll(x, undefined as never), ValueError, "roll: shifts must be an integer or an array of integers, got undefined");
    throwsWith(() => d.roll(x, [], []), ValueError, "roll: shifts must hold at least one shift, got an empty array");
    throwsWith(() => d.roll(x, 1, "0" as never), IndexError, "roll: dims must be", "the string \"0\"");
    throwsWith(() => x.roll(1, 2), IndexError, "roll: dimension 2 out of range");
    throwsWith(() => x.roll(1.5, 0), ValueError, "roll: shifts must be integers, got [1.5]");
    // round: an options object with an integer decimals.
    throwsWith(() => d.round(x, null as never), ValueError, "round: options must be an object such as { decimals: ... }, got null");
    throwsWith(() => x.round(2 as never), ValueError, "round: options must be an object", "the number 2");
    throwsWith(() => d.round(x, { decimal: 2 } as never), ValueError, "round: unknown option \"decimal\" (did you mean \"decimals\"?)");
    throwsWith(() => d.round(x, { decimals: "2" } as never), ValueError, "round: decimals must be an integer, got the string \"2\"");
    // isclose / allclose: shapes broadcast, tolerances are numbers >= 0, equalNan a boolean.
    throwsWith(() => d.isclose(x, randn([4])), ShapeError, "isclose: cannot broadcast input of shape [2,3] and other of shape [4]");
    throwsWith(() => x.allclose(randn([3, 3])), ShapeError, "allclose: cannot broadcast");
    throwsWith(() => d.isclose(x, x, "1" as never), DTypeError, "isclose: rtol must be a number, got the string \"1\"");
    throwsWith(() => d.allclose(x, x, 0, Number.NaN), ValueError, "allclose: atol must be a non-negative number, got NaN");
    throwsWith(() => d.isclose(x, x, 0, 0, 1 as never), DTypeError, "isclose: equalNan must be a boolean, got the number 1");
    throwsWith(() => d.isclose(x, "x" as never), DTypeError, "isclose: other must be a Tensor or a number");
    assert.equal(d.allclose(x, x.add(1e300), Infinity), true); // an infinite tolerance is allowed, as in PyTorch
    // nonzero: an options object with a boolean asTuple.
    throwsWith(() => d.nonzero(x, null as never), ValueError, "nonzero: options must be an object such as { asTuple: ... }, got null");
    throwsWith(() => d.nonzero(x, { asTuple: 1 } as never), DTypeError, "nonzero: asTuple must be a boolean, got the number 1");
    throwsWith(() => d.nonzero(x, { tuple: true } as never), ValueError, "nonzero: unknown option \"tuple\"");
    // normalize: its own argument names (p, dim), not vectorNorm's.
    throwsWith(() => F.normalize(x, "x" as never), ValueError, "normalize: p must be a number or ±Infinity, got the string \"x\"");
    throwsWith(() => F.normalize(x, 2, [0] as never), IndexError, "normalize: dim must be an integer, got an array of length 1");
    throwsWith(() => F.normalize(x, 2, 2), IndexError, "normalize: dimension 2 out of range");
    throwsWith(() => F.normalize(randn([3]), 2), IndexError, "normalize: dimension 1 out of range"); // dim defaults to 1, as PyTorch
    throwsWith(() => d.vectorNorm(x, 2, 0, "yes" as never), DTypeError, "vectorNorm: keepDim must be a boolean");
  });

  it("einsum", () => {
    const a = randn([2, 3]), b = randn([3, 4]);
    throwsWith(() => d.einsum("ij,jk", a), ValueError, "einsum", "2 operand(s) but 1");
    throwsWith(() => d.einsum("i1", a), ValueError, "einsum", "invalid subscript");
    throwsWith(() => d.einsum("ij->i->j", a), ValueError, "einsum", "->");
    throwsWith(() => d.einsum("ij->k", a), ValueError, "einsum", "k");
    throwsWith(() => d.einsum("ij->ii", a), ValueError, "einsum", "more than once");
    throwsWith(() => d.einsum("ijk", a), ShapeError, "einsum", "operand 0");
    throwsWith(() => d.einsum("ii->i", a), ShapeError, "einsum", "repeated");
    throwsWith(() => d.einsum("ij,ij->i", a, b), ShapeError, "einsum", "subscript i", "operand 1");
    throwsWith(() => d.einsum("..i.", a), ValueError, "einsum", "ellipsis");
    throwsWith(() => d.einsum("ij,jk->ik", a, b.to("float64")), DTypeError, "einsum", "dtype");
  });
});
