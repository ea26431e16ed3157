// Whole training steps are bit-identical on 1 and 2 threads: GPT without dropout (fused c_attn,
// the packed fused causal attention kernel, GELU epilogue, layer norm, multi-tensor AdamW,
// clipping) and with dropout (the composed attention path), Llama (RMS norm, rotary, grouped-query
// attention) and the MLP (Linear+ReLU, SGD with momentum), in float32 and float64, with shapes big
// enough that every kernel really splits its work. Two threads are forced, so a 1-core machine
// still runs the threaded paths.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Generator, type Tensor, manualSeed, nn, optim, randint, randn } from "../../src/index.js";
import { GPT, Llama } from "../../src/models/index.js";
import { getNumThreads, setNumThreads } from "../../src/backend/native/index.js";
import { assertSame, skip } from "../backend/helpers.js";

type Dtype = "float32" | "float64";
interface Run { losses: number[]; params: ArrayLike<number>[] }

/** Three optimizer steps of a freshly seeded model on `threads` threads. */
function train(make: (dtype: Dtype) => { params: Tensor[]; loss: () => Tensor; opt: optim.Optimizer }, dtype: Dtype, threads: number): Run {
  const prev = getNumThreads();
  setNumThreads(threads, { force: true });
  assert.equal(getNumThreads(), threads);
  try {
    const { params, loss, opt } = make(dtype);
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      opt.zeroGrad({ setToNone: false });
      const l = loss();
      l.backward();
      optim.clipGradNorm(params, 1.0);
      opt.step();
      losses.push(l.item());
    }
    return { losses, params: params.map((p) => p.data) };
  } finally {
    setNumThreads(prev, { force: true });
  }
}

function gpt(dtype: Dtype, dropout = 0): { params: Tensor[]; loss: () => Tensor; opt: optim.Optimizer } {
  manualSeed(5);
  const model = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 96, dropout },
    { dtype, generator: new Generator(1), dropoutGenerator: new Generator(2) });
  const x = randint(0, 65, [4, 64], { generator: new Generator(3) }), y = randint(0, 65, [4, 64], { generator: new Generator(4) });
  const params = model.parameters();
  return { params, loss: () => model.forward(x, y).loss as Tensor, opt: new optim.AdamW(params, { lr: 1e-3, weightDecay: 0.1 }) };
}

function llama(dtype: Dtype): { params: Tensor[]; loss: () => Tensor; opt: optim.Optimizer } {
  manualSeed(6);
  const model = new Llama({ vocabSize: 65, blockSize: 64, nLayer: 2, nHead: 4, nKvHeads: 2, nEmbd: 96, intermediateSize: 256, dropout: 0 },
    { dtype, generator: new Generator(1) });
  const x = randint(0, 65, [4, 64], { generator: new Generator(3) }), y = randint(0, 65, [4, 64], { generator: new Generator(4) });
  const params = model.parameters();
  return { params, loss: () => model.forward(x, y).loss as Tensor, opt: new optim.AdamW(params, { lr: 1e-3 }) };
}

function mlp(dtype: Dtype): { params: Tensor[]; loss: () => Tensor; opt: optim.Optimizer } {
  manualSeed(7);
  const model = new nn.MLP([200, 256, 256, 10], { dtype });
  const x = randn([128, 200], { dtype, generator: new Generator(3) });
  const y = randint(0, 10, [128], { dtype: "int32", generator: new Generator(4) });
  const params = model.parameters();
  return { params, loss: () => nn.functional.crossEntropy(model.forward(x), y), opt: new optim.SGD(params, { lr: 0.05, momentum: 0.9 }) };
}

describe("training steps on 1 and 2 threads", { skip }, () => {
  const gptDropout = (dtype: Dtype) => gpt(dtype, 0.1);
  for (const [name, make] of [["GPT", gpt], ["GPT with dropout", gptDropout], ["Llama", llama], ["MLP", mlp]] as const) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${name} ${dtype}: three steps give bit-identical losses and parameters`, () => {
        const one = train(make, dtype, 1), two = train(make, dtype, 2);
        assert.deepEqual(two.losses, one.losses);
        assert.ok(one.losses.every(Number.isFinite) && one.losses[2]! < one.losses[0]!, `losses ${one.losses.join(", ")}`);
        assert.equal(two.params.length, one.params.length);
        one.params.forEach((p, i) => assertSame(two.params[i]!, p, `${name} ${dtype} parameter #${i}`));
      });
    }
  }
});
