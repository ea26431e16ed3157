// `descent train`: parse and validate every flag, prepare the data, build the model, and hand
// over to train.Trainer with metrics.jsonl and live progress listening. Ctrl-C finishes the
// current step, saves a checkpoint and exits 130; a second Ctrl-C quits at once.

import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { getNumThreads, measurePeakFlops, setNumThreads } from "../../backend/index.js";
import { prepareData } from "../../data/dataset.js";
import { TokenizerError } from "../../data/errors.js";
import { CheckpointMismatchError } from "../../train/checkpoint_errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { formatBytes } from "../../autograd/graph_views.js";
import { architecture } from "../../train/architectures.js";
import { readCheckpoint } from "../../train/checkpoint.js";
import { resolveCheckpointDir, runDirOf } from "../../train/checkpoint_store.js";
import { type TrainConfig, TRAIN_CONFIG_KEYS, TrainConfigError, validateTrainConfig } from "../../train/config.js";
import type { TrainSummary } from "../../train/events.js";
import { MetricsWriter, readMetrics } from "../../train/metrics.js";
import { writeReport } from "../../train/report_html.js";
import { sparkline } from "../format.js";
import { ProgressRenderer, type ProgressStream, formatDuration } from "../../train/progress.js";
import { RESUMABLE_OVERRIDES, checkpointPrecision } from "../../train/state.js";
import { Trainer } from "../../train/trainer.js";
import { manualSeed } from "../../util/rng.js";
import { ExitStatus, UsageError } from "../errors.js";
import type { CliIO } from "../program.js";
import { TRAIN_FLAGS, type TrainSettings, defaultText, flagOf, parseFlagValue, readConfigFile, resolveTrainSettings } from "./train_options.js";

export function registerTrainCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command("train")
    .description("train a GPT on a text corpus (default: char-level on the embedded State of the Union addresses)");
  for (const f of TRAIN_FLAGS) {
    cmd.addOption(new Option(`${f.flag} <${f.kind === "string" ? "value" : "n"}>`, f.help + defaultText(f)).argParser(parseFlagValue(f)));
  }
  cmd.option("--config <file>", "read settings from a JSON object (camelCase keys: batchSize, nLayer, ...); flags override it");
  cmd.option("--no-progress", "no live status line (evaluation and checkpoint lines are still printed)");
  cmd.option("--detect-anomaly", "anomaly mode: the first op that makes a NaN or Inf (forward or backward) stops the run with its op, module and source line (slower); changes no numbers, so a resumed run uses it only when given again");
  cmd.action(async (opts: Record<string, unknown>) => {
    const given: Record<string, unknown> = {};
    for (const f of TRAIN_FLAGS) if (opts[f.key] !== undefined) given[f.key] = opts[f.key];
    if (opts["progress"] === false) given["progress"] = false;
    const fromFile = typeof opts["config"] === "string" ? readConfigFile(opts["config"]) : {};
    await trainCommand(resolveTrainSettings(given, fromFile), io, { detectAnomaly: opts["detectAnomaly"] === true });
  });
}

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");

interface RunExtra {
  tokenizer: string;
  dataPath: string | null;
  data: { sha256: string; tokens: number; source: string };
}

/**
 * Settings for a resumed run: the checkpoint's, with only the allowed ones changed by explicit flags.
 * --precision may change (the weights and AdamW state are float32 either way), with a warning:
 * the run is then no longer the one a straight run would have been.
 */
function resumedSettings(s: TrainSettings, ckpt: ReturnType<typeof readCheckpoint>): { train: TrainConfig; modelConfig: Record<string, unknown>; extra: RunExtra; warnings: string[] } {
  const saved = ckpt.json;
  const warnings: string[] = [];
  const train: TrainConfig = { ...saved.config, precision: checkpointPrecision(saved) };
  if (s.explicit.has("precision") && s.train.precision !== train.precision) {
    const was = train.precision, now = s.train.precision;
    warnings.push(`warning: --precision ${now} differs from the checkpoint's ${was}; continuing in ${now}` +
      (was === "fp16" ? " (its loss scale is dropped)" : now === "fp16" ? " (the loss scale starts afresh at 65536)" : "") +
      "; the result will differ from a straight run in either precision");
    train.precision = now;
  }
  for (const k of TRAIN_CONFIG_KEYS) {
    if (!s.explicit.has(k) || k === "precision") continue;
    if (RESUMABLE_OVERRIDES.includes(k)) (train as unknown as Record<string, unknown>)[k] = s.train[k];
    else if (s.train[k] !== saved.config[k]) {
      throw new UsageError(`${flagOf(k)} ${s.train[k]} differs from the checkpoint's ${saved.config[k]} (${ckpt.dir}/trainer.json); a resumed run keeps its settings (only ${RESUMABLE_OVERRIDES.map(flagOf).join(", ")} may change)`);
    }
  }
  const modelConfig = { ...ckpt.modelConfig };
  // Checkpointing changes how gradients are computed, not what they are: a resumed run may switch it.
  if (s.explicit.has("checkpointing") && "checkpointing" in s.model) modelConfig["checkpointing"] = s.model["checkpointing"];
  for (const [k, v] of Object.entries(s.model)) {
    if (k === "checkpointing") continue;
    if (s.explicit.has(k) && ckpt.modelConfig[k] !== v) throw new UsageError(`${flagOf(k)} ${String(v)} differs from the checkpoint's ${String(ckpt.modelConfig[k])} (${ckpt.dir}/config.json)`);
  }
  const extra = saved.extra as unknown as RunExtra;
  if (s.explicit.has("tokenizer") && extra.tokenizer !== s.run.tokenizer) throw new UsageError(`--tokenizer ${s.run.tokenizer} differs from the checkpoint's ${extra.tokenizer} (${ckpt.dir}/tokenizer.json)`);
  if (s.explicit.has("arch") && saved.arch !== s.run.arch) throw new UsageError(`--arch ${s.run.arch} differs from the checkpoint's ${saved.arch} (${ckpt.dir}/trainer.json)`);
  if (train.steps < saved.step) throw new UsageError(`--steps ${train.steps} is below the checkpoint's step ${saved.step}; --steps is the total step count`);
  try {
    validateTrainConfig(train, flagOf);
  } catch (e) {
    if (e instanceof TrainConfigError) throw new UsageError(`${e.message} (with the checkpoint's settings from ${ckpt.dir}/trainer.json)`);
    throw e;
  }
  return { train, modelConfig, extra, warnings };
}

/** Where the MFU denominator came from: --peak-flops, this machine's measured FMA peak, or the default assumption. */
export interface PeakFlopsSource {
  kind: "given" | "measured" | "assumed";
  /** Threads the measurement ran on (measured only). */
  threads?: number;
}

/**
 * The peak FLOP/s for the MFU figure: --peak-flops when given, else this machine's float32 FMA
 * peak measured on the kernels' threads (about 0.2 s; the native backend), else `value` (the
 * default assumption, or a resumed checkpoint's setting).
 */
function resolvePeakFlops(explicit: boolean, value: number): { peakFlops: number; source: PeakFlopsSource } {
  if (explicit) return { peakFlops: value, source: { kind: "given" } };
  const measured = measurePeakFlops();
  if (measured !== null && Number.isFinite(measured) && measured > 0) return { peakFlops: measured, source: { kind: "measured", threads: getNumThreads() } };
  return { peakFlops: value, source: { kind: "assumed" } };
}

export async function trainCommand(s: TrainSettings, io: CliIO, opts: { detectAnomaly?: boolean } = {}): Promise<TrainSummary> {
  const detectAnomaly = opts.detectAnomaly ?? false;
  const err = (t: string) => io.err(t.endsWith("\n") ? t : t + "\n");
  if (s.run.threads !== undefined) setNumThreads(s.run.threads);
  let peakSource: PeakFlopsSource;
  let trainer: Trainer;
  let runDir: string;
  const metricsPath = (d: string) => join(d, "metrics.jsonl");
  if (s.run.resume !== undefined) {
    // Read and check every checkpoint file first; nothing in the run directory changes on an error.
    const ckpt = readCheckpoint(s.run.resume);
    runDir = resolveCheckpointDir(s.run.resume) === resolve(s.run.resume) ? runDirOf(ckpt.dir) : resolve(s.run.resume);
    if (s.run.out !== undefined && resolve(s.run.out) !== runDir) throw new UsageError(`--out ${s.run.out} differs from the resumed run's directory ${runDir}; a resumed run continues in its own directory`);
    const { train, modelConfig, extra, warnings } = resumedSettings(s, ckpt);
    for (const w of warnings) err(w);
    const peak = resolvePeakFlops(s.explicit.has("peakFlops"), train.peakFlops);
    train.peakFlops = peak.peakFlops;
    peakSource = peak.source;
    const dataPath = s.run.data ?? extra.dataPath ?? undefined;
    let data: Awaited<ReturnType<typeof prepareData>>;
    try {
      data = await prepareData({ data: dataPath, tokenizer: extra.tokenizer as "char" | "gpt2", blockSize: train.blockSize, tokenizerJSON: ckpt.tokenizer ?? undefined });
    } catch (e) {
      if (e instanceof TokenizerError) throw new CheckpointMismatchError(join(ckpt.dir, "tokenizer.json"), `does not fit the corpus: ${e.message}`);
      throw e;
    }
    if (data.summary.sha256 !== extra.data.sha256) {
      throw new UsageError(`the corpus (${data.summary.source}, sha256 ${data.summary.sha256.slice(0, 12)}…) differs from the one the checkpoint was trained on (${extra.data.source}, sha256 ${extra.data.sha256.slice(0, 12)}…, ${ckpt.dir}/trainer.json)`);
    }
    const arch = architecture(ckpt.json.arch);
    manualSeed(train.seed);
    const model = arch.create(arch.validate(modelConfig));
    trainer = new Trainer({ model, train: data.splits.train, val: data.splits.val, config: train, tokenizer: data.tokenizer, outDir: runDir, modelConfig, arch: arch.name, extra: extra as unknown as Record<string, unknown>, detectAnomaly });
    trainer.resume(ckpt, { allowPrecisionChange: true }); // resumedSettings has checked and warned
    new MetricsWriter(metricsPath(runDir)).truncateAfter(trainer.step);
    err(`descent train: resuming ${runDir} at step ${trainer.step} of ${train.steps} (${ckpt.dir})`);
    if (ckpt.json.detectAnomaly === true && !detectAnomaly) err("note: the checkpoint's session ran with --detect-anomaly; this one does not (pass it again to keep anomaly mode)");
  } else {
    runDir = resolve(s.run.out ?? join("runs", timestamp()));
    if (existsSync(join(runDir, "checkpoints")) || existsSync(metricsPath(runDir))) {
      throw new UsageError(`--out ${runDir} already holds a run; continue it with --resume ${runDir} or choose another --out`);
    }
    const data = await prepareData({ data: s.run.data, tokenizer: s.run.tokenizer, blockSize: s.train.blockSize });
    const arch = architecture(s.run.arch);
    const modelConfig = arch.validate({ vocabSize: data.tokenizer.vocabSize, blockSize: s.train.blockSize, ...s.model });
    const peak = resolvePeakFlops(s.explicit.has("peakFlops"), s.train.peakFlops);
    peakSource = peak.source;
    const trainConfig: TrainConfig = { ...s.train, peakFlops: peak.peakFlops };
    manualSeed(s.train.seed);
    const model = arch.create(modelConfig);
    const extra: RunExtra = { tokenizer: s.run.tokenizer, dataPath: s.run.data === undefined ? null : resolve(s.run.data), data: { sha256: data.summary.sha256, tokens: data.summary.tokens, source: data.summary.source } };
    trainer = new Trainer({ model, train: data.splits.train, val: data.splits.val, config: trainConfig, tokenizer: data.tokenizer, outDir: runDir, modelConfig, arch: arch.name, extra: extra as unknown as Record<string, unknown>, detectAnomaly });
    mkdirSync(runDir, { recursive: true });
    writeFileAtomic(join(runDir, "data.json"), JSON.stringify(data.summary, null, 2) + "\n");
    const d = data.summary;
    err(`descent train: ${arch.name} ${modelConfig["nLayer"]} layer${modelConfig["nLayer"] === 1 ? "" : "s"} × ${modelConfig["nEmbd"]} channels, ${(model.numParameters() / 1e6).toFixed(2)} M parameters; ` +
      `${d.tokenizer} tokenizer (${fmtInt(d.vocabSize)} tokens); ${d.source}: ${d.documents} document${d.documents === 1 ? "" : "s"}, ${fmtInt(d.characters)} characters, ` +
      `${fmtInt(d.tokens)} tokens (${fmtInt(d.trainTokens)} train / ${fmtInt(d.valTokens)} val), read in ${(d.loadMs / 1000).toFixed(1)}s, tokenized in ${(d.tokenizeMs / 1000).toFixed(1)}s`);
    err(`run directory: ${runDir}`);
  }
  const metrics = new MetricsWriter(metricsPath(runDir)).attach(trainer);
  const stream: ProgressStream = io.errStream ?? { write: (t: string) => io.err(t) };
  const progress = new ProgressRenderer(stream, s.run.progress ? {} : { tty: false, intervalSec: Infinity }).attach(trainer);
  const restoreCursor = () => progress.close();
  trainer.on("warning", (w) => progress.line(`warning: ${w.kind}: ${w.message}`));
  if (detectAnomaly) err("anomaly mode on (--detect-anomaly): every op's output and gradient is checked for NaN/Inf");
  // First Ctrl-C: stop after this step. Our listener is then removed, so a second Ctrl-C gets
  // Node's default action and ends the process at once (even in the middle of a step).
  const onSigint = () => {
    process.removeListener("SIGINT", onSigint);
    trainer.requestStop();
    progress.plain();
    err("interrupted: finishing this step and saving a checkpoint (Ctrl-C again quits at once)");
  };
  process.on("SIGINT", onSigint);
  process.on("exit", restoreCursor);
  let summary: TrainSummary | null = null;
  let reportPath: string | null = null;
  try {
    summary = await trainer.run();
  } finally {
    process.removeListener("SIGINT", onSigint);
    process.removeListener("exit", restoreCursor);
    progress.close();
    metrics.close();
    // The report is written at the end of every run: completed, interrupted, or failed.
    try {
      if (summary) writeFileAtomic(join(runDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
      reportPath = writeReport(runDir);
    } catch (e) {
      err(`could not write the report: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const done = summary as TrainSummary; // run() returned (a throw would have left through finally)
  io.out(formatSummary(done, runDir, readMetrics(metricsPath(runDir)).map((r) => r.loss), peakSource));
  if (reportPath) err(`report: ${reportPath}`);
  if (done.interrupted) {
    err(`stopped at step ${summary.step} of ${summary.totalSteps}; checkpoint saved to ${done.checkpoint}\nresume with: descent train --resume ${runDir}`);
    throw new ExitStatus(130);
  }
  return done;
}

function describePeak(peakFlops: number, source: PeakFlopsSource): string {
  const gflops = `${(peakFlops / 1e9).toFixed(peakFlops < 1e11 ? 1 : 0)} GFLOP/s`;
  if (source.kind === "measured") {
    return `this machine's float32 FMA peak, ${gflops} measured on ${source.threads} thread${source.threads === 1 ? "" : "s"} (--peak-flops sets one)`;
  }
  return `${source.kind === "given" ? "the given" : "an assumed"} peak of ${gflops} (--peak-flops)`;
}

export function formatSummary(s: TrainSummary, runDir: string, losses: readonly number[] = [], peak: PeakFlopsSource = { kind: "assumed" }): string {
  const lines = [
    `run: ${runDir}`,
    `steps ${s.step}/${s.totalSteps} (${s.stepsThisRun} this run), ${fmtInt(s.tokens)} tokens in ${formatDuration(s.wallSec)} (${formatDuration(s.trainSec)} in training steps): ` +
      `${fmtInt(s.tokensPerSec)} tokens/s` + (s.mfu === null ? "" : `, MFU ${(100 * s.mfu).toFixed(2)} % of ${describePeak(s.peakFlops, peak)}`),
    `val loss ${s.lastValLoss === null ? "-" : s.lastValLoss.toFixed(4)} (best ${s.bestValLoss === null ? "-" : s.bestValLoss.toFixed(4)}), ` +
      `unigram entropy of the training tokens ${s.unigramEntropy.toFixed(4)} nats/token`,
    ...(losses.length > 1 ? [`loss ${sparkline(losses)} ${losses[0]!.toFixed(3)} → ${losses[losses.length - 1]!.toFixed(3)} (${losses.length} steps)`] : []),
    `checkpoint: ${s.checkpoint ?? "-"}`,
  ];
  if (s.precision !== undefined && s.precision !== "fp32") {
    const amp = s.precision === "fp16" && s.lossScale !== undefined
      ? `, loss scale ${s.lossScale} at the end, ${s.skippedSteps ?? 0} step${s.skippedSteps === 1 ? "" : "s"} skipped for Inf/NaN gradients`
      : "";
    lines.splice(3, 0, `precision ${s.precision} (autocast ${s.precision === "fp16" ? "float16" : "bfloat16"}, float32 master weights)${amp}`);
  }
  if (s.peakActivationBytes !== undefined && s.stepsThisRun > 0) {
    lines.splice(3, 0, `peak activation memory per step: ${formatBytes(s.peakActivationBytes)} (saved for backward; parameters excluded)`);
  }
  if (s.sample !== null) lines.push("sample:", s.sample.replace(/^\n/, ""));
  return lines.join("\n") + "\n";
}
