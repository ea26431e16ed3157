// Work is bounded by the real sizes: empty outputs with a huge batch or row count return at once,
// and a huge zero-stride GEMM batch that overwrites one C computes only its last matrix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logSoftmax, softmax, sum, amax, zeros, ones, tensor } from "../../src/index.js";
import { tsBackend } from "../../src/backend/index.js";
import type { Backend, GemmParams } from "../../src/backend/backend.js";
import { loadAddon } from "../../src/backend/native/addon.js";
import { native, skip } from "./helpers.js";

const HUGE = 2 ** 50;

function gemmParams(over: Partial<GemmParams>): GemmParams {
  return {
    batch: 1, m: 1, n: 1, k: 1, transA: false, transB: false, alpha: 1, beta: 0,
    strideA: 0, strideB: 0, strideC: 0, offsetA: 0, offsetB: 0, offsetC: 0, ...over,
  };
}

const backends: [string, Backend | null][] = [["ts", tsBackend], ["native", native]];

describe("work bounded by real sizes", () => {
  for (const [name, be] of backends) {
    it(`${name}: gemm over an empty C with a huge batch returns at once`, { skip: be ? false : skip }, () => {
      const c = new Float64Array(0);
      be!.gemm(new Float64Array(0), new Float64Array(0), c, gemmParams({ batch: HUGE, m: 1, n: 0, k: 0 }));
      be!.gemm(new Float64Array(0), new Float64Array(0), c, gemmParams({ batch: HUGE, m: 0, n: 1, k: 5 }));
    });

    it(`${name}: gemm with batch 2^50, zero strides and beta = 0 computes the last matrix only`, { skip: be ? false : skip }, () => {
      const a = Float64Array.from([1, 2, 3, 4]), b = Float64Array.from([5, 6, 7, 8]);
      const c = new Float64Array(4).fill(NaN);
      be!.gemm(a, b, c, gemmParams({ batch: HUGE, m: 2, n: 2, k: 2 }));
      assert.deepEqual([...c], [19, 22, 43, 50]);
      // strideA > 0 with strideC = 0: the last matrix of A is the one that counts.
      const a2 = Float64Array.from([1, 0, 0, 1, 2, 0, 0, 2]);
      be!.gemm(a2, b, c, gemmParams({ batch: 2, m: 2, n: 2, k: 2, strideA: 4 }));
      assert.deepEqual([...c], [10, 12, 14, 16]);
    });

    it(`${name}: softmax and reductions over 2^50 rows of 0 columns return at once`, { skip: be ? false : skip }, () => {
      const e = new Float32Array(0);
      be!.softmax(e, HUGE, 0, e);
      be!.logSoftmax(e, HUGE, 0, e);
      be!.softmaxBackward(e, e, HUGE, 0, e);
      be!.logSoftmaxBackward(e, e, HUGE, 0, e);
      be!.reduce("sum", e, HUGE, 3, 0, e);
      be!.argReduce("argmax", e, HUGE, 3, 0, new Int32Array(0));
    });
  }

  it("native: a huge accumulating zero-stride batch (beta != 0) is refused, C unchanged", { skip }, () => {
    const raw = loadAddon().addon!;
    const c = new Float32Array([7]);
    assert.throws(() => raw.gemm(new Float32Array(1), new Float32Array(1), c, HUGE, 1, 1, 1, false, false, 1, 1, 0, 0, 0, 0, 0, 0),
      (e: unknown) => e instanceof RangeError && /gemm: batch must be at most 2\^32/.test((e as Error).message));
    assert.deepEqual([...c], [7]);
  });

  it("ops: matmul, softmax and reductions of empty tensors with a huge batch (active backend)", () => {
    const out = zeros([HUGE, 1, 0]).matmul(zeros([0, 0]));
    assert.deepEqual([...out.shape], [HUGE, 1, 0]);
    const x = zeros([HUGE, 0], { requiresGrad: true });
    const s = softmax(x, -1);
    assert.deepEqual([...s.shape], [HUGE, 0]);
    assert.deepEqual([...logSoftmax(x, 1).shape], [HUGE, 0]);
    assert.deepEqual([...sum(zeros([0, HUGE]), 1).shape], [0]);
    assert.deepEqual([...amax(zeros([HUGE, 0, 2]), 0).shape], [0, 2]);
    s.sum().backward();
    assert.deepEqual([...x.grad!.shape], [HUGE, 0]);
    const y = ones([HUGE, 2, 0], { requiresGrad: true });
    y.matmul(tensor([[]]).reshape([0, 0])).sum().backward();
    assert.equal(y.grad!.numel, 0);
  });
});
