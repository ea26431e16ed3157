// float64 gradchecks (central differences) for every differentiable breadth op, at points away
// from their kinks: elementwise math, activations, norms, pad, shape ops, scans, sort/topk,
// scatter/scatterReduce, maskedSelect and einsum.

import { describe, it } from "node:test";
import * as d from "../../../src/index.js";
import { Tensor, gradcheck, manualSeed, nn, rand, randn, tensor } from "../../../src/index.js";

const F = nn.functional;
const f64 = { dtype: "float64" as const, requiresGrad: true };
const leaf = (t: Tensor): Tensor => t.detach().requiresGrad_();
/** Uniform in [lo, hi), float64, requiring grad. */
const uniform = (shape: number[], lo: number, hi: number): Tensor => leaf(rand(shape, { dtype: "float64" }).mul(hi - lo).add(lo));
const ints = (values: number[][] | number[]): Tensor => tensor(values, { dtype: "int32" });

type Case = [string, (...xs: Tensor[]) => Tensor, () => Tensor[]];

const CASES: Case[] = [
  // Elementwise.
  ["floor (zero gradient)", (x) => d.floor(x!), () => [leaf(tensor([0.3, 1.7, -2.4], { dtype: "float64" }))]],
  ["ceil", (x) => d.ceil(x!), () => [leaf(tensor([0.3, 1.7, -2.4], { dtype: "float64" }))]],
  ["round decimals 1", (x) => d.round(x!, { decimals: 1 }), () => [leaf(tensor([0.33, 1.71, -2.46], { dtype: "float64" }))]],
  ["trunc", (x) => d.trunc(x!), () => [leaf(tensor([0.3, 1.7, -2.4], { dtype: "float64" }))]],
  ["frac", (x) => d.frac(x!), () => [leaf(tensor([0.3, 1.7, -2.4], { dtype: "float64" }))]],
  ["tan", (x) => d.tan(x!), () => [uniform([2, 3], -1.2, 1.2)]],
  ["asin", (x) => d.asin(x!), () => [uniform([2, 3], -0.9, 0.9)]],
  ["acos", (x) => d.acos(x!), () => [uniform([2, 3], -0.9, 0.9)]],
  ["atan", (x) => d.atan(x!), () => [randn([2, 3], f64)]],
  ["sinh", (x) => d.sinh(x!), () => [randn([2, 3], f64)]],
  ["cosh", (x) => d.cosh(x!), () => [randn([2, 3], f64)]],
  ["asinh", (x) => d.asinh(x!), () => [randn([2, 3], f64)]],
  ["acosh", (x) => d.acosh(x!), () => [uniform([2, 3], 1.2, 4)]],
  ["atanh", (x) => d.atanh(x!), () => [uniform([2, 3], -0.9, 0.9)]],
  ["log2", (x) => d.log2(x!), () => [uniform([2, 3], 0.2, 4)]],
  ["log10", (x) => d.log10(x!), () => [uniform([2, 3], 0.2, 4)]],
  ["exp2", (x) => d.exp2(x!), () => [randn([2, 3], f64)]],
  ["fmod (both operands, broadcast)", (a, b) => d.fmod(a!, b!),
    () => [leaf(tensor([[5.3, -5.3, 2.2], [-7.1, 0.4, 3.9]], { dtype: "float64" })), leaf(tensor([1.5, -2.1, 0.7], { dtype: "float64" }))]],
  ["remainder (both operands, broadcast)", (a, b) => d.remainder(a!, b!),
    () => [leaf(tensor([[5.3, -5.3, 2.2], [-7.1, 0.4, 3.9]], { dtype: "float64" })), leaf(tensor([1.5, -2.1, 0.7], { dtype: "float64" }))]],
  ["copysign", (a, b) => d.copysign(a!, b!), () => [randn([2, 3], f64), leaf(tensor([1.5, -2.1, 0.7], { dtype: "float64" }))]],
  ["logaddexp", (a, b) => d.logaddexp(a!, b!), () => [randn([2, 3], f64), randn([3], f64)]],
  ["atan2", (a, b) => d.atan2(a!, b!), () => [randn([2, 3], f64), randn([2, 1], f64)]],
  ["lerp tensor weight", (a, b, w) => d.lerp(a!, b!, w!),
    () => [randn([2, 3], f64), randn([3], f64), leaf(tensor([[0.1, 0.7, -0.4], [1.2, 0.5, 0.3]], { dtype: "float64" }))]],
  ["lerp number weight", (a, b) => d.lerp(a!, b!, 0.75), () => [randn([4], f64), randn([4], f64)]],
  // Activations (random points avoid the kinks with probability 1).
  ["silu", (x) => F.silu(x!), () => [randn([3, 4], f64)]],
  ["softplus beta 2 threshold 3", (x) => F.softplus(x!, 2, 3), () => [leaf(tensor([-2, -0.3, 0.4, 1.2, 2.5], { dtype: "float64" }))]],
  ["elu alpha 0.7", (x) => F.elu(x!, 0.7), () => [randn([3, 4], f64)]],
  ["selu", (x) => F.selu(x!), () => [randn([3, 4], f64)]],
  ["celu alpha 1.5", (x) => F.celu(x!, 1.5), () => [randn([3, 4], f64)]],
  ["mish", (x) => F.mish(x!), () => [randn([3, 4], f64)]],
  ["hardswish", (x) => F.hardswish(x!), () => [leaf(tensor([-4, -2.5, -0.5, 0.7, 2.9, 3.5], { dtype: "float64" }))]],
  ["hardsigmoid", (x) => F.hardsigmoid(x!), () => [leaf(tensor([-4, -2.5, -0.5, 0.7, 2.9, 3.5], { dtype: "float64" }))]],
  ["relu6", (x) => F.relu6(x!), () => [leaf(tensor([-1, 0.5, 3, 5.9, 6.5], { dtype: "float64" }))]],
  ["hardtanh -2..2.5", (x) => F.hardtanh(x!, -2, 2.5), () => [leaf(tensor([-3, -1.9, 0.1, 2.4, 3], { dtype: "float64" }))]],
  ["logsigmoid", (x) => F.logsigmoid(x!), () => [randn([3, 4], f64)]],
  ["softsign", (x) => F.softsign(x!), () => [randn([3, 4], f64)]],
  ["softmin dim 0", (x) => F.softmin(x!, 0), () => [randn([3, 4], f64)]],
  ["leakyRelu 0.2", (x) => F.leakyRelu(x!, 0.2), () => [randn([3, 4], f64)]],
  ["normalize p 2", (x) => F.normalize(x!), () => [randn([3, 4], f64)]],
  ["normalize p 1 dim 0", (x) => F.normalize(x!, 1, 0), () => [randn([3, 4], f64)]],
  ["normalize p inf", (x) => F.normalize(x!, Infinity, 1), () => [randn([3, 4], f64)]],
  ["vectorNorm p 3 dims [0,1]", (x) => d.vectorNorm(x!, 3, [0, 1]), () => [randn([2, 3, 2], f64)]],
  ["vectorNorm p 0.5", (x) => d.vectorNorm(x!, 0.5, 1), () => [uniform([2, 3], 0.5, 2)]],
  ["pad constant with crop", (x) => F.pad(x!, [-1, 2, 1, 0], "constant", 1.5), () => [randn([2, 4], f64)]],
  ["pad reflect", (x) => F.pad(x!, [3, 2, 1, 1], "reflect"), () => [randn([1, 3, 4], f64)]],
  ["pad replicate", (x) => F.pad(x!, [4, 1], "replicate"), () => [randn([2, 3], f64)]],
  ["pad circular", (x) => F.pad(x!, [2, 3], "circular"), () => [randn([2, 3], f64)]],
  // Shape.
  ["flip", (x) => d.flip(x!, [0, 2]), () => [randn([2, 3, 2], f64)]],
  ["roll dims", (x) => d.roll(x!, [1, -2], [0, 1]), () => [randn([3, 4], f64)]],
  ["roll flattened", (x) => d.roll(x!, 5), () => [randn([3, 4], f64)]],
  ["diag of a vector", (x) => d.diag(x!, -1), () => [randn([3], f64)]],
  ["diag of a matrix", (x) => d.diag(x!, 1), () => [randn([3, 4], f64)]],
  ["diagonal dims (2,0)", (x) => d.diagonal(x!, 1, 2, 0), () => [randn([2, 3, 4], f64)]],
  ["tril", (x) => d.tril(x!, -1), () => [randn([2, 3, 4], f64)]],
  ["triu", (x) => d.triu(x!, 1), () => [randn([3, 4], f64)]],
  ["unflatten", (x) => d.unflatten(x!, 1, [2, -1]), () => [randn([2, 6], f64)]],
  ["repeat", (x) => d.repeat(x!, [2, 1, 3]), () => [randn([2, 2], f64)]],
  ["repeatInterleave tensor", (x) => d.repeatInterleave(x!, ints([2, 0, 1]), 0), () => [randn([3, 2], f64)]],
  ["repeatInterleave flattened", (x) => d.repeatInterleave(x!, 2), () => [randn([2, 2], f64)]],
  // Scans and order.
  ["cumsum", (x) => d.cumsum(x!, 1), () => [randn([3, 4], f64)]],
  ["cumprod", (x) => d.cumprod(x!, 1), () => [randn([3, 4], f64)]],
  ["cumprod with zeros", (x) => d.cumprod(x!, 1),
    () => [leaf(tensor([[0, 2, 3, 0.5], [1.5, 0, -2, 0], [0, 0, 1, 2]], { dtype: "float64" }))]],
  ["logcumsumexp", (x) => d.logcumsumexp(x!, 0), () => [randn([4, 3], f64)]],
  ["cummax", (x) => d.cummax(x!, 1)[0], () => [randn([3, 5], f64)]],
  ["cummin", (x) => d.cummin(x!, 0)[0], () => [randn([5, 3], f64)]],
  ["sort descending", (x) => d.sort(x!, 0, true).values, () => [randn([4, 3], f64)]],
  ["topk", (x) => d.topk(x!, 2, 1).values, () => [randn([3, 5], f64)]],
  // Indexing.
  ["scatter", (x, s) => d.scatter(x!, 1, ints([[3, 0], [1, 2]]), s!), () => [randn([2, 4], f64), randn([2, 3], f64)]],
  ["scatter reduce multiply", (x, s) => d.scatter(x!, 1, ints([[0, 0], [1, 2]]), s!, "multiply"), () => [randn([2, 3], f64), randn([2, 2], f64)]],
  ...(["sum", "prod", "mean", "amax", "amin"] as const).flatMap((red): Case[] => [true, false].map((inc): Case => [
    `scatterReduce ${red} includeSelf ${inc}`,
    (x, s) => d.scatterReduce(x!, 1, ints([[0, 2, 0, 1], [2, 2, 0, 0]]), s!, red, { includeSelf: inc }),
    () => [randn([2, 3], f64), randn([3, 4], f64)],
  ])),
  ["maskedSelect with broadcast", (x) => d.maskedSelect(x!, tensor([[true, false, true]])), () => [randn([2, 3], f64)]],
  ["einsum bij,bjk->bik", (a, b) => d.einsum("bij,bjk->bik", a!, b!), () => [randn([2, 3, 4], f64), randn([2, 4, 2], f64)]],
  ["einsum ii->i and broadcast ellipsis", (a, b) => d.einsum("...ii,...i->...i", a!, b!), () => [randn([2, 3, 3], f64), randn([3], f64)]],
  ["einsum three operands", (a, b, c) => d.einsum("ij,jk,k->i", a!, b!, c!), () => [randn([2, 3], f64), randn([3, 4], f64), randn([4], f64)]],
];

describe("breadth ops: gradcheck (float64)", () => {
  for (const [name, fn, make] of CASES) {
    it(name, () => {
      manualSeed(7);
      gradcheck(fn, make());
    });
  }
});
