// src/io: safetensors files and crash-safe checkpoint directories.

export { CheckpointError, SafetensorsError } from "./errors.js";
export {
  type RawTensor, SafetensorsEntry, SafetensorsFile, type SafetensorsInput, type SafetensorsTensors,
  parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors,
} from "./safetensors.js";
export { type SafetensorsArray, type SafetensorsDType, SAFETENSORS_DTYPES, itemSize } from "./safetensors_dtype.js";
export { MAX_HEADER_LENGTH } from "./safetensors_header.js";
export { type IoFs, writeFileAtomic } from "./atomic.js";
export {
  CHECKPOINTS_DIR, type CheckpointFileInfo, type CheckpointFiles, type CheckpointInfo, type CheckpointManifest, LATEST_FILE,
  MANIFEST_FILE, type WriteCheckpointOptions, listCheckpoints, readCheckpointFiles, readCheckpointManifest, resolveCheckpoint,
  writeCheckpoint,
} from "./checkpoint_dir.js";
export { type LoadSafetensorsResult, type StateDictLoadable, loadSafetensorsIntoModel } from "./model_weights.js";
