// The in-process halves of bench/gpt.ts: one training run of Descent or TensorFlow.js (wasm) on
// a GPT or MLP config, timed per phase (forward / backward / optimizer). Each runs in its own
// child process so its peak RSS is its own.
import { manualSeed, models, nn, optim, randint, randn, setNumThreads, type Tensor } from "../src/index.js";
import { isPoolEnabled, poolStats, resetPoolStats, setPoolEnabled } from "../src/util/buffer_pool.js";

export interface RunConfig {
  kind: "gpt" | "mlp";
  threads: number;
  steps: number;
  warmup: number;
  budgetS: number;
  nLayer?: number; nHead?: number; nEmbd?: number; blockSize?: number; batch: number; vocabSize?: number;
  sizes?: number[];
}

export interface RunResult {
  /** [forward, backward, optimizer] seconds per measured step. */
  steps: [number, number, number][];
  loss: number;
  maxRssKB: number;
  note: string;
  params: number;
  /** Bytes of typed-array storage allocated per step (Descent only; null when not measured). */
  allocBytesPerStep?: number | null;
}

function timed(cfg: RunConfig, step: () => [number, number, number]): [number, number, number][] {
  const rows: [number, number, number][] = [];
  const end = performance.now() + cfg.budgetS * 1e3;
  for (let i = 0; i < cfg.warmup + cfg.steps; i++) {
    const r = step();
    if (i >= cfg.warmup) {
      rows.push(r);
      if (performance.now() > end && rows.length >= 3) break;
    }
  }
  return rows;
}

export function runDescent(cfg: RunConfig): RunResult {
  setNumThreads(cfg.threads);
  if (process.env["BENCH_NO_POOL"]) setPoolEnabled(false);
  manualSeed(0);
  let lossFn: () => Tensor;
  let opt: optim.Optimizer;
  let params: number;
  if (cfg.kind === "gpt") {
    const shape = { nLayer: cfg.nLayer!, nHead: cfg.nHead!, nEmbd: cfg.nEmbd!, blockSize: cfg.blockSize!, vocabSize: cfg.vocabSize! };
    const model = new models.GPT({ ...shape, dropout: 0, bias: true });
    const x = randint(0, shape.vocabSize, [cfg.batch, shape.blockSize], { dtype: "int32" });
    const y = randint(0, shape.vocabSize, [cfg.batch, shape.blockSize], { dtype: "int32" });
    opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 3e-4, betas: [0.9, 0.95], eps: 1e-8 });
    lossFn = () => model.forward(x, y).loss!;
    params = [...model.parameters()].reduce((s, p) => s + p.numel, 0);
  } else {
    const sizes = cfg.sizes!;
    const model = new nn.MLP(sizes);
    const x = randn([cfg.batch, sizes[0]!]);
    const y = randint(0, sizes[sizes.length - 1]!, [cfg.batch], { dtype: "int32" });
    opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    lossFn = () => nn.functional.crossEntropy(model.forward(x), y);
    params = [...model.parameters()].reduce((s, p) => s + p.numel, 0);
  }
  let loss = 0;
  let measured = 0;
  const rows = timed(cfg, () => {
    if (measured++ === cfg.warmup) resetPoolStats(); // count the measured steps only
    const t0 = performance.now();
    const l = lossFn();
    const t1 = performance.now();
    l.backward();
    const t2 = performance.now();
    opt.step();
    opt.zeroGrad({ setToNone: false }); // as the trainer does (src/train/trainer.ts)
    const t3 = performance.now();
    loss = l.item();
    return [(t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3];
  });
  const ps = poolStats();
  return {
    steps: rows, loss, maxRssKB: process.resourceUsage().maxRSS, params,
    note: `${(ps.allocatedBytes / rows.length / 2 ** 20).toFixed(1)} MiB of fresh storage and ${(ps.reused / rows.length).toFixed(0)} pooled buffers per step` +
      ` (buffer pool ${isPoolEnabled() ? "on" : "off"})`,
  };
}

type Tf = typeof import("@tensorflow/tfjs-core");

/** TensorFlow.js on the wasm backend: the same model written with tf ops, tf.train.adam (no AdamW in tfjs). */
export async function runTfjs(cfg: RunConfig): Promise<RunResult> {
  const tf: Tf = await import("@tensorflow/tfjs-core");
  // tfjs-core's CJS build registers no gradients (the @tensorflow/tfjs bundle imports its ESM
  // gradient files, which need extensionless resolution; they register into tfjs's global registry).
  const { register } = await import("node:module");
  register("./tfjs_resolve.js", import.meta.url);
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  await import("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend("wasm");
  await tf.ready();
  const note = `tfjs ${tf.version_core} wasm, simd=${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")}, ` +
    `threads=${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")}; tf.train.adam (tfjs has no AdamW), embeddings as one-hot matmuls (no wasm gather gradient)`;
  const vars: import("@tensorflow/tfjs-core").Variable[] = [];
  const param = (shape: number[], std = 0.02) => {
    const v = tf.variable(tf.randomNormal(shape, 0, std));
    vars.push(v);
    return v;
  };
  const zerosP = (shape: number[]) => { const v = tf.variable(tf.zeros(shape)); vars.push(v); return v; };
  const onesP = (shape: number[]) => { const v = tf.variable(tf.ones(shape)); vars.push(v); return v; };
  type T = import("@tensorflow/tfjs-core").Tensor;
  const dense = (x: T, w: T, b: T | null) => {
    const y = tf.matMul(x, w, false, true);
    return b ? tf.add(y, b) : y;
  };
  const layerNorm = (x: T, g: T, b: T) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x: T) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  let lossFn: () => import("@tensorflow/tfjs-core").Scalar;
  let opt: import("@tensorflow/tfjs-core").Optimizer;
  if (cfg.kind === "gpt") {
    const L = cfg.nLayer!, H = cfg.nHead!, C = cfg.nEmbd!, Tn = cfg.blockSize!, V = cfg.vocabSize!, B = cfg.batch;
    const wte = param([V, C]), wpe = param([Tn, C]);
    const blocks = Array.from({ length: L }, () => ({
      g1: onesP([C]), b1: zerosP([C]), wa: param([3 * C, C]), ba: zerosP([3 * C]), wp: param([C, C]), bp: zerosP([C]),
      g2: onesP([C]), b2: zerosP([C]), wf: param([4 * C, C]), bf: zerosP([4 * C]), wm: param([C, 4 * C]), bm: zerosP([C]),
    }));
    const gf = onesP([C]), bff = zerosP([C]);
    // The gather gradient (UnsortedSegmentSum) has no wasm kernel: embed through a one-hot matmul.
    const idx = tf.oneHot(tf.randomUniformInt([B * Tn], 0, V), V);
    const tgt = tf.oneHot(tf.randomUniformInt([B * Tn], 0, V), V);
    const maskAdd = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([Tn, Tn]), -1, 0)), -1e9); // 0 on/below diagonal
    const hs = C / H;
    lossFn = () => {
      let x = tf.reshape(tf.add(tf.reshape(tf.matMul(idx, wte), [B, Tn, C]), wpe), [B * Tn, C]); // positions 0..T-1 = all of wpe
      for (const p of blocks) {
        const qkv = dense(layerNorm(x, p.g1, p.b1), p.wa, p.ba); // (B*T, 3C)
        const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, Tn, H, hs]), [0, 2, 1, 3]));
        let att = tf.mul(tf.matMul(q!, k!, false, true), 1 / Math.sqrt(hs));
        att = tf.softmax(tf.add(att, maskAdd));
        const y = tf.reshape(tf.transpose(tf.matMul(att, v!), [0, 2, 1, 3]), [B * Tn, C]);
        x = tf.add(x, dense(y, p.wp, p.bp));
        x = tf.add(x, dense(gelu(dense(layerNorm(x, p.g2, p.b2), p.wf, p.bf)), p.wm, p.bm));
      }
      const logits = dense(layerNorm(x, gf, bff), wte, null);
      return tf.losses.softmaxCrossEntropy(tgt, logits) as import("@tensorflow/tfjs-core").Scalar;
    };
    opt = tf.train.adam(3e-4, 0.9, 0.95, 1e-8);
  } else {
    const sizes = cfg.sizes!;
    const ws = sizes.slice(0, -1).map((n, i) => [param([sizes[i + 1]!, n], 1 / Math.sqrt(n)), zerosP([sizes[i + 1]!])] as const);
    const x = tf.randomNormal([cfg.batch, sizes[0]!]);
    const tgt = tf.oneHot(tf.randomUniformInt([cfg.batch], 0, sizes[sizes.length - 1]!), sizes[sizes.length - 1]!);
    lossFn = () => {
      let h: T = x;
      ws.forEach(([w, b], i) => { h = dense(h, w, b); if (i < ws.length - 1) h = tf.relu(h); });
      return tf.losses.softmaxCrossEntropy(tgt, h) as import("@tensorflow/tfjs-core").Scalar;
    };
    opt = tf.train.sgd(0.01);
  }
  let loss = 0;
  const rows = timed(cfg, () => {
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(lossFn, vars); // forward and backward together
    loss = value.dataSync()[0]!;
    const t2 = performance.now();
    opt.applyGradients(grads);
    tf.dispose(grads);
    value.dispose();
    vars[0]!.dataSync(); // wait for the update
    const t3 = performance.now();
    return [(t2 - t0) / 1e3, 0, (t3 - t2) / 1e3];
  });
  return {
    steps: rows, loss, maxRssKB: process.resourceUsage().maxRSS, note,
    params: vars.reduce((s, v) => s + v.size, 0),
  };
}
