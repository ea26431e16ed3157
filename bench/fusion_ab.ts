// A/B of the fused paths in one process on the GPT training step (config (a) of bench/gpt.ts:
// 4 layers, 4 heads, 128 wide, T 128, B 16, AdamW): "unfused" patches back the previous code
// paths (bias broadcast by a strided copy then GEMM with beta = 1; c_fc, GELU as separate ops;
// one adamUpdate call per tensor), "fused" runs the library as is. Steps alternate between the
// two; medians of each. Usage: npm run build && node dist/bench/fusion_ab.js  (ROUNDS=15)
import { Generator, models, optim, tensor } from "../src/index.js";
import { getBackend } from "../src/backend/index.js";
import type { Backend, GemmParams } from "../src/backend/backend.js";
import { MLP } from "../src/models/gpt_blocks.js";
import type { Tensor } from "../src/tensor/tensor.js";

const B = 16, T = 128, V = 65;
const model = new models.GPT({ vocabSize: V, blockSize: T, nLayer: 4, nHead: 4, nEmbd: 128 }, { generator: new Generator(0) });
const g = new Generator(1);
const idx = tensor(Int32Array.from({ length: B * T }, () => g.randint(0, V)), { shape: [B, T], dtype: "int32" });
const targets = tensor(Int32Array.from({ length: B * T }, () => g.randint(0, V)), { shape: [B, T], dtype: "int32" });
const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3, betas: [0.9, 0.95] });

const be = getBackend() as Backend;
const fusedGemm = be.gemm;
const fusedForward = MLP.prototype.forward;
const optProto = Object.getPrototypeOf(Object.getPrototypeOf(Object.getPrototypeOf(opt))) as { updateAll: unknown };
const o = opt as unknown as { updateAll: unknown; update: (...a: unknown[]) => void };
const fusedUpdateAll = o.updateAll;

function unfused(on: boolean): void {
  if (on) {
    be.gemm = (a, b, c, p: GemmParams) => {
      if (!p.bias) return fusedGemm.call(be, a, b, c, p);
      be.stridedCopy(p.bias, c, { shape: [p.m, p.n], srcOffset: 0, srcStrides: [0, 1], dstOffset: 0, dstStrides: [p.n, 1], accumulate: false });
      fusedGemm.call(be, a, b, c, { ...p, bias: null, beta: 1 });
    };
    MLP.prototype.forward = function (this: MLP, x: Tensor): Tensor {
      return this.dropout.forward(this.c_proj.forward(this.gelu.forward(this.c_fc.forward(x))));
    };
    o.updateAll = optProto.updateAll; // the base class: update() per tensor
  } else {
    be.gemm = fusedGemm;
    MLP.prototype.forward = fusedForward;
    o.updateAll = fusedUpdateAll;
  }
}

const step = (): void => {
  model.zeroGrad();
  model.forward(idx, targets).loss!.backward();
  opt.step();
};
const rounds = Number(process.env["ROUNDS"] ?? 15);
const times: Record<"unfused" | "fused", number[]> = { unfused: [], fused: [] };
const cpu: Record<"unfused" | "fused", number[]> = { unfused: [], fused: [] };
for (const v of ["unfused", "fused"] as const) { unfused(v === "unfused"); step(); } // warm-up
for (let r = 0; r < rounds; r++) {
  for (const v of (r % 2 ? ["unfused", "fused"] : ["fused", "unfused"]) as ("unfused" | "fused")[]) {
    unfused(v === "unfused");
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    times[v].push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu[v].push((c.user + c.system) / 1000);
  }
}
unfused(false);
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const mu = med(times.unfused), mf = med(times.fused);
const cu = med(cpu.unfused), cf = med(cpu.fused);
console.log(`wall: unfused ${mu.toFixed(1)} ms/step, fused ${mf.toFixed(1)} ms/step (medians of ${rounds}); fused/unfused ${(mf / mu).toFixed(3)}`);
console.log(`CPU (all threads): unfused ${cu.toFixed(1)} ms/step, fused ${cf.toFixed(1)} ms/step; fused/unfused ${(cf / cu).toFixed(3)}`);
