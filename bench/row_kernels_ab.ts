// A/B of raw native addons on the layer-norm and optimizer kernels at the GPT (a) step shapes
// (layerNorm forward/backward over 2048×128 float32 with weight and bias, the multi-tensor AdamW
// step over the GPT (a) parameter set, ~0.82M float32) and SGD over 1.8M parameters (the MLP
// bench). Loads every addon file named in ADDONS (comma separated, default the built one), times
// each kernel on each addon in alternating blocks within one process at THREADS (default "1,2"), and prints
// median ms per call. First it checks every addon against the first one on random data: the
// optimizer updates (Adam/AdamW, amsgrad, weight decay, grad scale; SGD momentum, nesterov,
// dampening, weight decay) and the layer-norm forward must give the same bits; the layer-norm
// backward (row sums in a different order) reports its largest difference in float32 ulps.
// Usage: ADDONS=/work/main/build/Release/descent_native.node,build/Release/descent_native.node \
//   node dist/bench/row_kernels_ab.js
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { NativeAddon } from "../src/backend/native/addon.js";

type F = Float32Array | Float64Array;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

const req = createRequire(import.meta.url);
const paths = (process.env["ADDONS"] ?? "build/Release/descent_native.node").split(",");
const addons = paths.map((p) => req(resolve(p)) as NativeAddon);
const threadsList = (process.env["THREADS"] ?? "1,2").split(",").map(Number);
const reps = Number(process.env["REPS"] ?? 25);

let seed = 12345;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const rand = <C extends Ctor>(C: C, n: number, lo = -1, hi = 1): InstanceType<C> => {
  const a = new C(n) as InstanceType<C>;
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd();
  return a;
};
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

/** Largest distance in float32 ulps (NaN vs number: Infinity); float64: largest |a - b| over max |b|, in 2^-52. */
function maxUlp(a: F, b: F): number {
  if (a instanceof Float64Array || b instanceof Float64Array) {  // relative to the largest |b|, in 2^-52
    let m = 0, big = 0;
    for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i]! - b[i]!)); big = Math.max(big, Math.abs(b[i]!)); }
    return m / (big || 1) / 2 ** -52;
  }
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length), ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  const ord = (x: number) => (x < 0 ? -2147483648 - x : x);  // monotone map of float bits to integers
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (!Number.isNaN(a[i])) m = Math.max(m, Math.abs(ord(ia[i]!) - ord(ib[i]!)));
  }
  return m;
}
const same = (a: F, b: F): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

// ---- parity against the first addon ----

function parity(C: Ctor): string[] {
  const bad: string[] = [];
  const n = 100_003;  // odd: vector loops and scalar tails
  const base = [rand(C, n), rand(C, n, -2, 2), rand(C, n, -0.1, 0.1), rand(C, n, 0, 0.01), rand(C, n, 0, 0.01)];
  base[1]![5] = NaN; base[3]![7] = NaN; base[4]![9] = NaN;  // NaN propagation through max / sqrt
  for (const [decoupled, amsgrad, wd, gradScale, beta1] of [
    [false, false, 0, 1, 0.9], [true, false, 0.1, 1, 0.9], [false, false, 0.01, 1, 0.9], [false, true, 0.01, 1024, 0.3],
    [true, true, 0, 1, 0.6], [true, true, 0.05, 65536, 0.9], [false, true, 0, 3, 0.45],
  ] as const) {
    const outs = addons.map((ad) => {
      const [p, g, m, v, x] = base.map((a) => C.from(a as never) as F);
      const meta = Float64Array.from([1e-3, beta1, 0.999, 1e-8, wd, 1 - beta1 ** 3, Math.sqrt(1 - 0.999 ** 3), gradScale, decoupled ? 1 : 0]);
      // two tensors (a split inside the multi-tensor walk) and the single-tensor entry
      ad.adamUpdateMany!([p!.subarray(0, 777), p!.subarray(777)], [g!.subarray(0, 777), g!.subarray(777)],
        [m!.subarray(0, 777), m!.subarray(777)], [v!.subarray(0, 777), v!.subarray(777)],
        amsgrad ? [x!.subarray(0, 777), x!.subarray(777)] : [null, null], Float64Array.from([...meta, ...meta]));
      ad.adamUpdate(p!, g!, m!, v!, amsgrad ? x! : null, 1e-3, beta1, 0.999, 1e-8, wd, decoupled, 1 - beta1 ** 4,
        Math.sqrt(1 - 0.999 ** 4), gradScale);
      return [p!, m!, v!, x!];
    });
    outs.slice(1).forEach((o, k) => o.forEach((a, i) => {
      if (!same(a, outs[0]![i]!)) bad.push(`${C.name} adam(decoupled ${decoupled}, amsgrad ${amsgrad}, wd ${wd}, scale ${gradScale}) output ${i} differs on addon ${k + 1}`);
    }));
  }
  for (const [momentum, nesterov, firstStep, dampening, wd] of [[0, false, false, 0, 0], [0, false, false, 0, 0.01],
    [0.9, false, true, 0, 0], [0.9, true, false, 0, 0.01], [0.5, false, false, 0.3, 0.01], [0.9, true, true, 0.1, 0]] as const) {
    const outs = addons.map((ad) => {
      const p = C.from(base[0] as never) as F, buf = C.from(base[2] as never) as F;
      ad.sgdUpdate(p, base[1]!, momentum ? buf : null, 0.1, momentum, dampening, nesterov, wd, firstStep);
      ad.sgdUpdate(p, base[3]!, momentum ? buf : null, 0.1, momentum, dampening, nesterov, wd, false);
      return [p, buf];
    });
    outs.slice(1).forEach((o, k) => o.forEach((a, i) => {
      if (!same(a, outs[0]![i]!)) bad.push(`${C.name} sgd(momentum ${momentum}, nesterov ${nesterov}, dampening ${dampening}, wd ${wd}) output ${i} differs on addon ${k + 1}`);
    }));
  }
  let worstBw = 0;
  for (const [rows, cols] of [[2048, 128], [37, 1], [33, 7], [19, 130], [5, 1001], [8, 768], [6, 2048], [5, 2049], [3, 3001]] as const) {
    const x = rand(C, rows * cols, -3, 5), w = rand(C, cols), b = rand(C, cols), gy = rand(C, rows * cols);
    const gw0 = rand(C, cols), gb0 = rand(C, cols);  // the weight/bias gradients accumulate into these
    for (const affine of [true, false]) {
      const outs = addons.map((ad) => {
        const o = new C(rows * cols), mean = new C(rows), rstd = new C(rows);
        ad.layerNorm(x, affine ? w : null, affine ? b : null, rows, cols, 1e-5, o, mean, rstd);
        const gx = new C(rows * cols), gw = C.from(gw0 as never) as F, gb = C.from(gb0 as never) as F;
        ad.layerNormBackward(x, affine ? w : null, mean, rstd, gy, rows, cols, gx, gw, gb);
        return [o, mean, rstd, gx, gw, gb];
      });
      outs.slice(1).forEach((o, k) => {
        for (let i = 0; i < 3; i++) if (!same(o[i]!, outs[0]![i]!)) bad.push(`${C.name} layerNorm ${rows}x${cols} output ${i} differs on addon ${k + 1} (max ${maxUlp(o[i]!, outs[0]![i]!)} ulp)`);
        // weight/bias gradients keep their order per column: same bits expected
        for (let i = 4; i < 6; i++) if (!same(o[i]!, outs[0]![i]!)) bad.push(`${C.name} layerNormBackward ${rows}x${cols} output ${i} differs on addon ${k + 1}`);
        worstBw = Math.max(worstBw, maxUlp(o[3]!, outs[0]![3]!));
      });
    }
  }
  console.log(`${C.name}: layerNormBackward input gradient: largest difference ${worstBw.toFixed(C === Float32Array ? 0 : 2)} ${C === Float32Array ? "ulp" : "x 2^-52 of the largest |gx|"}`);
  return bad;
}

if (addons.length > 1) {
  const bad = [...parity(Float32Array), ...parity(Float64Array)];
  console.log(bad.length ? bad.join("\n") : "parity: optimizer updates and layer-norm forward bit-identical on every addon");
}

// ---- timing ----

const R = 2048, C = 128;
const x = rand(Float32Array, R * C, -3, 3), w = rand(Float32Array, C), b = rand(Float32Array, C), gy = rand(Float32Array, R * C);
const out = new Float32Array(R * C), mean = new Float32Array(R), rstd = new Float32Array(R);
const gx = new Float32Array(R * C), gw = new Float32Array(C), gb = new Float32Array(C);
// GPT (a): vocab 65, block 128, 4 layers, 128 wide, tied lm_head: 818,048 parameters.
const sizes: number[] = [65 * 128, 128 * 128];
for (let l = 0; l < 4; l++) sizes.push(128, 128, 384 * 128, 384, 128 * 128, 128, 128, 128, 512 * 128, 512, 128 * 512, 128);
sizes.push(128, 128);
const mk = (lo: number, hi: number) => sizes.map((n) => rand(Float32Array, n, lo, hi));
const ps = mk(-0.1, 0.1), gs = mk(-0.01, 0.01), ms = mk(0, 0), vs = mk(0, 0);
const meta = Float64Array.from(sizes.flatMap(() => [1e-3, 0.9, 0.95, 1e-8, 0.1, 1 - 0.9 ** 10, Math.sqrt(1 - 0.95 ** 10), 1, 1]));
const P = 1_800_000;
const sp = rand(Float32Array, P, -0.1, 0.1), sg = rand(Float32Array, P, -0.01, 0.01), sbuf = new Float32Array(P);

const CASES: [string, (ad: NativeAddon) => void][] = [
  [`layerNorm ${R}x${C}`, (ad) => ad.layerNorm(x, w, b, R, C, 1e-5, out, mean, rstd)],
  [`layerNormBackward ${R}x${C} (+gw, gb)`, (ad) => ad.layerNormBackward(x, w, mean, rstd, gy, R, C, gx, gw, gb)],
  [`adamUpdateMany GPT (a) ${sizes.reduce((a, n) => a + n, 0)}`, (ad) => ad.adamUpdateMany!(ps, gs, ms, vs, sizes.map(() => null), meta)],
  [`sgd momentum ${P}`, (ad) => ad.sgdUpdate(sp, sg, sbuf, 0.01, 0.9, 0, false, 0, false)],
];

console.log(`\nmedian ms per call over ${reps} runs (3 alternating blocks per addon); addons: ${paths.join(", ")}`);
for (const nt of threadsList) {
  for (const [name, fn] of CASES) {
    const t: number[][] = addons.map(() => []);
    // Rounds of blocks of calls per addon, alternating: calling the addons turn about call by call
    // keeps two thread pools awake on two cores (each pool's workers spin ~1 ms after a job), and
    // the 2-thread times then measure that instead. Each block first warms up for >= 5 ms, past
    // the previous pool's spin and this one's wake-up.
    for (let round = 0; round < 3; round++) {
      addons.forEach((ad, i) => {
        ad.setNumThreads(nt);
        for (const w0 = performance.now(); performance.now() - w0 < 5;) fn(ad);
        for (let r = 0; r < Math.ceil(reps / 3); r++) {
          const t0 = performance.now();
          fn(ad);
          t[i]!.push(performance.now() - t0);
        }
      });
    }
    const cols = t.map((v) => med(v).toFixed(3).padStart(7));
    const ratio = addons.length > 1 ? `  (x${(med(t[0]!) / med(t[addons.length - 1]!)).toFixed(2)})` : "";
    console.log(`${nt}T ${name.padEnd(36)} ${cols.join(" ")}${ratio}`);
  }
}
