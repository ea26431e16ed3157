// The shared body of the training-step benchmarks gpt_step.ts and llama_step.ts: a fixed random
// batch (B 16, T 128, vocab 65, seeded), then the median milliseconds of the forward pass, forward
// + backward and AdamW's step of the given model on the current backend, printed as four lines.
import { Generator, backendInfo, optim, tensor, type train } from "../src/index.js";

export const B = 16, T = 128, V = 65;

/** A causal LM with AdamW groups and a FLOPs-per-token estimate (GPT, Llama). */
export type StepModel = train.TrainableModel & Required<Pick<train.TrainableModel, "optimizerGroups" | "flopsPerToken">>;

export interface StepBenchOptions {
  /** Appended to the first line, after the parameter count (e.g. ", nKvHeads 2"). */
  note?: string;
  /** Print the median process CPU ms (all threads) next to wall-clock ms. */
  cpu?: boolean;
}

/** Median wall-clock ms, and median process CPU ms (all threads; less sensitive to a busy machine). */
function median(f: () => void, reps: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { wall: mid(wall), cpu: mid(cpu) };
}

/** Time `model` (built for blockSize T and vocabulary V) and print the four lines; REPS=n runs (default 7). */
export function runStepBench(model: StepModel, opts: StepBenchOptions = {}): void {
  const g = new Generator(1);
  const data = Int32Array.from({ length: B * (T + 1) }, () => g.randint(0, V));
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    x.set(data.subarray(b * (T + 1), b * (T + 1) + T), b * T);
    y.set(data.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
  }
  const idx = tensor(x, { shape: [B, T], dtype: "int32" });
  const targets = tensor(y, { shape: [B, T], dtype: "int32" });
  const opt = new optim.AdamW(model.optimizerGroups(0.1), { lr: 1e-3, betas: [0.9, 0.95] });

  const reps = Number(process.env["REPS"] ?? 7);
  const fwdBwd = (): void => {
    model.zeroGrad();
    model.forward(idx, targets).loss!.backward();
  };
  fwdBwd(); // warm-up
  const info = backendInfo();
  const tFwd = median(() => void model.forward(idx, targets), reps);
  const tStep = median(fwdBwd, reps);
  const tOpt = median(() => opt.step(), reps);
  const tokens = B * T;
  console.log(`backend ${info.backend} (${info.isa ?? "no ISA"}), ${info.threads} threads; ${model.numParameters()} parameters${opts.note ?? ""}`);
  const ms = (t: { wall: number; cpu: number }): string => (opts.cpu ? `${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU` : `${t.wall.toFixed(1)} ms`);
  console.log(`forward            ${ms(tFwd)}`);
  console.log(`forward + backward ${ms(tStep)}  (${((tokens / tStep.wall) * 1000).toFixed(0)} tokens/s, ${((model.flopsPerToken(T) * tokens) / (tStep.wall / 1000) / 1e9).toFixed(1)} GFLOP/s by 6N + 12LTC)`);
  console.log(`AdamW step         ${ms(tOpt)}`);
}
