// src/io: safetensors files and crash-safe checkpoint directories.

export { CheckpointError, SafetensorsError } from "./errors.js";
export {
  type RawTensor, SafetensorsEntry, SafetensorsFile, type SafetensorsInput, type SafetensorsTensors,
  parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors,
} from "./safetensors.js";
export { type SafetensorsArray, type SafetensorsDType, SAFETENSORS_DTYPES, itemSize } from "./safetensors_dtype.js";
export { MAX_HEADER_LENGTH } from "./safetensors_header.js";
export { type IoFs, writeFileAtomic } from "./atomic.js";
