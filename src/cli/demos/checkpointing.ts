// `descent demo checkpointing`: one training step of the same 8-layer GPT (dropout on) with
// checkpointing "none" and "blocks". Blocks keep only each block's input and recompute the rest
// in backward: the peak bytes saved for backward fall several-fold, the step costs about one
// more forward pass, and the gradients are bit-identical (the dropout masks are replayed).

import { autograd, Generator, manualSeed, randint, type Tensor } from "../../index.js";
import { formatBytes } from "../../autograd/graph_views.js";
import { GPT } from "../../models/gpt.js";
import type { GPTCheckpointing } from "../../models/gpt_config.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface CheckpointingDemoOptions {
  json?: boolean;
}

export interface CheckpointingRow {
  checkpointing: GPTCheckpointing;
  loss: number;
  /** Peak bytes the graph held for backward during the step (parameters excluded). */
  peakActivationBytes: number;
  /** Median wall milliseconds of forward + backward (timing: varies run to run). */
  stepMs: number;
}

export interface CheckpointingDemoResult {
  model: { nLayer: number; nEmbd: number; nHead: number; blockSize: number; vocabSize: number; dropout: number; batchSize: number };
  rows: CheckpointingRow[];
  /** none / blocks peak bytes. */
  memoryRatio: number;
  /** blocks / none step time (timing). */
  timeRatio: number;
  /** max |g_none − g_blocks| over every parameter. */
  maxGradDiff: number;
  bitIdentical: boolean;
}

const MODEL = { nLayer: 8, nEmbd: 32, nHead: 4, blockSize: 32, vocabSize: 65, dropout: 0.1 };
const BATCH = 4;
const REPEATS = 3;

function step(model: GPT, idx: Tensor, targets: Tensor): { loss: number; peak: number; grads: Float32Array[] } {
  model.zeroGrad();
  manualSeed(1); // the same dropout masks for both settings
  const base = autograd.memoryStats().liveBytes;
  autograd.resetPeak();
  const loss = model.forward(idx, targets).loss!;
  loss.backward();
  const peak = autograd.memoryStats().peakBytes - base;
  return { loss: loss.item(), peak, grads: model.parameters().map((p) => Float32Array.from(p.grad!.data)) };
}

export function checkpointingDemoResult(): CheckpointingDemoResult {
  manualSeed(0);
  const idx = randint(0, MODEL.vocabSize, [BATCH, MODEL.blockSize]);
  const targets = randint(0, MODEL.vocabSize, [BATCH, MODEL.blockSize]);
  const runs = (["none", "blocks"] as const).map((checkpointing) => {
    const model = new GPT({ ...MODEL, checkpointing }, { generator: new Generator(42) });
    const first = step(model, idx, targets); // also the warm-up
    const times: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const t0 = performance.now();
      step(model, idx, targets);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { checkpointing, ...first, stepMs: times[REPEATS >> 1]! };
  });
  const [none, blocks] = runs as [typeof runs[0], typeof runs[0]];
  let maxGradDiff = 0;
  none.grads.forEach((g, i) => g.forEach((v, j) => (maxGradDiff = Math.max(maxGradDiff, Math.abs(v - blocks.grads[i]![j]!)))));
  return {
    model: { ...MODEL, batchSize: BATCH },
    rows: runs.map((r) => ({ checkpointing: r.checkpointing, loss: r.loss, peakActivationBytes: r.peak, stepMs: r.stepMs })),
    memoryRatio: none.peak / blocks.peak,
    timeRatio: blocks.stepMs / none.stepMs,
    maxGradDiff,
    bitIdentical: maxGradDiff === 0 && none.loss === blocks.loss,
  };
}

export function formatCheckpointingDemo(r: CheckpointingDemoResult): string {
  const m = r.model;
  return [
    `Gradient checkpointing: one step of a GPT with ${m.nLayer} layers × ${m.nEmbd} channels, ${m.nHead} heads, B = ${m.batchSize}, T = ${m.blockSize}, dropout ${m.dropout} (float32)`,
    "",
    ...columns([
      ["checkpointing", "loss", "peak saved for backward", "step time (ms)"],
      ...r.rows.map((row) => [row.checkpointing, row.loss.toFixed(6), `${row.peakActivationBytes} B (${formatBytes(row.peakActivationBytes)})`, row.stepMs.toFixed(1)]),
    ], { headerRule: true, indent: "  ", align: ["left", "right", "right", "right"] }),
    "",
    `Peak activation memory: ${r.memoryRatio.toFixed(2)}× smaller with blocks.`,
    `Step time with blocks: ${r.timeRatio.toFixed(2)}× (timing varies run to run).`,
    `Gradients: max |g_none − g_blocks| = ${r.maxGradDiff.toExponential(2)} over every parameter: ${r.bitIdentical ? "bit-identical" : "NOT identical"}.`,
    "",
    "Without checkpointing every block keeps its activations (LayerNorm inputs, q/k/v, attention",
    "weights, the 4C-wide MLP) until backward. With checkpointing only each block's input is kept;",
    "backward re-runs one block at a time with the same random state (the same dropout masks), so",
    "the gradients are the same while memory grows with one block instead of all of them. The",
    "price is one extra forward pass of the blocks: forward is about a third of a step's compute,",
    "so expect about a third more time (a busy or small-model run measures more: fixed costs).",
  ].join("\n");
}

export const checkpointingDemo = defineDemo<CheckpointingDemoOptions>({
  name: "checkpointing",
  section: "Gradient checkpointing",
  summary: "the same GPT step with and without checkpointing: peak activation bytes, step time, identical gradients",
  options: [jsonOption],
  run: (o) => jsonOrText(checkpointingDemoResult(), o.json, formatCheckpointingDemo),
});
