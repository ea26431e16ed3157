// Shape ops (reshape, permute, cat, slicing, squeeze...) and, re-exported, the indexing ops.
export { cat, stack } from "./cat.js";
export { broadcastTo, expand } from "./expand.js";
export { permute, transpose } from "./permute.js";
export { flatten, inferShape, reshape, view } from "./reshape.js";
export { narrow, slice } from "./slice.js";
export { chunk, split } from "./split.js";
export { squeeze, unsqueeze } from "./squeeze.js";
export * from "../indexing/index.js";
