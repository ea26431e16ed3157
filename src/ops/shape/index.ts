// Shape ops (reshape, permute, cat, slicing, squeeze...) and, re-exported, the indexing ops.
export { cat, stack } from "./cat.js";
export { broadcastTo, expand } from "./expand.js";
export { permute, transpose } from "./permute.js";
export { flatten, inferShape, reshape, view } from "./reshape.js";
export { narrow, slice } from "./slice.js";
export { chunk, split } from "./split.js";
export { squeeze, unsqueeze } from "./squeeze.js";
export * from "../indexing/index.js";
export { flip, roll } from "./flip.js";
export { diag, diagonal, tril, triu } from "./diagonal.js";
export { repeat, repeatInterleave, unflatten } from "./repeat.js";
