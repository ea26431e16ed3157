// A Trainer's checkpoint on disk: model.safetensors (the state dict, a tied head once),
// optimizer.safetensors (AdamW moments by parameter name), trainer.json, config.json (the model's
// hyperparameters), tokenizer.json, written by io.writeCheckpoint (crash-safe, with a manifest of
// sizes and sha256). The same state always gives the same bytes. Reading checks every file
// (manifest, format, JSON, tensors) and names the file in every error.

import { join } from "node:path";
import { readCheckpointFiles } from "../io/checkpoint_dir.js";
import { CheckpointError } from "../io/errors.js";
import { parseSafetensors, serializeSafetensors } from "../io/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TokenizerJSON } from "../data/tokenizer.js";
import { resolveCheckpointDir, writeCheckpointDir } from "./checkpoint_store.js";
import { type LoadedCheckpoint, TRAINER_FORMAT, TRAINER_FORMAT_VERSION, type TrainerJSON } from "./state.js";
import type { Trainer } from "./trainer.js";

export type CheckpointInfo = LoadedCheckpoint;

export const CHECKPOINT_FILES = ["model.safetensors", "optimizer.safetensors", "trainer.json", "config.json", "tokenizer.json"] as const;

const json = (v: unknown): string => JSON.stringify(v, null, 2) + "\n";

/** The files of a checkpoint of `trainer` (pure: nothing is written). */
export function checkpointFiles(trainer: Trainer): Record<string, Uint8Array | string> {
  const s = trainer.state();
  const meta = { format: "pt", producer: "descent" };
  return {
    "model.safetensors": serializeSafetensors(s.model, meta),
    "optimizer.safetensors": serializeSafetensors(s.moments, meta),
    "trainer.json": json(s.json),
    "config.json": json(s.modelConfig),
    "tokenizer.json": json(s.tokenizer),
  };
}

export function writeRunCheckpoint(runDir: string, trainer: Trainer): string {
  return writeCheckpointDir(runDir, trainer.step, checkpointFiles(trainer));
}

function parseJson(path: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CheckpointError(path, `is not valid JSON (${(e as Error).message}); the file is corrupt or truncated`);
  }
}

function checkTrainerJson(path: string, j: unknown): TrainerJSON {
  const t = j as Partial<TrainerJSON> | null;
  if (!t || typeof t !== "object") throw new CheckpointError(path, "must hold a JSON object");
  if (t.format !== TRAINER_FORMAT) throw new CheckpointError(path, `format is ${JSON.stringify(t.format)}, expected "${TRAINER_FORMAT}"`);
  if (t.formatVersion !== TRAINER_FORMAT_VERSION) throw new CheckpointError(path, `formatVersion ${JSON.stringify(t.formatVersion)} is not supported (this Descent reads ${TRAINER_FORMAT_VERSION})`);
  if (!Number.isInteger(t.step) || t.step! < 0) throw new CheckpointError(path, `step must be a non-negative integer, got ${JSON.stringify(t.step)}`);
  for (const k of ["config", "modelConfig", "schedule", "rng", "optimizer"] as const) {
    if (!t[k] || typeof t[k] !== "object") throw new CheckpointError(path, `"${k}" is missing or not an object`);
  }
  for (const k of ["global", "trainBatches", "evalTrain", "evalVal"] as const) {
    if (!t.rng![k]) throw new CheckpointError(path, `rng.${k} is missing`);
  }
  if (typeof t.elapsedSec !== "number") throw new CheckpointError(path, "elapsedSec is missing");
  return t as TrainerJSON;
}

/** Read and check a checkpoint (a checkpoint directory or a run directory's latest). Nothing is changed. */
export function readCheckpoint(pathOrRunDir: string): LoadedCheckpoint {
  const dir = resolveCheckpointDir(pathOrRunDir);
  // Sizes and sha256 are checked against the checkpoint's manifest first.
  const files = readCheckpointFiles(dir, CHECKPOINT_FILES);
  const json = (name: string) => parseJson(join(dir, name), files.get(name)!);
  const tensors = (name: string) => parseSafetensors(files.get(name)!, join(dir, name)).tensors(); // errors name the file
  const trainerJson = checkTrainerJson(join(dir, "trainer.json"), json("trainer.json"));
  const modelConfig = json("config.json");
  if (!modelConfig || typeof modelConfig !== "object" || Array.isArray(modelConfig)) throw new CheckpointError(join(dir, "config.json"), "must hold a JSON object of model hyperparameters");
  const tokenizer = json("tokenizer.json") as TokenizerJSON | null;
  const model = tensors("model.safetensors");
  const moments = tensors("optimizer.safetensors");
  return { dir, json: trainerJson, model, moments, tokenizer, modelConfig: modelConfig as Record<string, unknown> };
}
