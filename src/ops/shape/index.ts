// Shape, indexing and extrema ops (reshape/expand live here too).
export { broadcastTo, expand } from "./expand.js";
export { flatten, inferShape, reshape, view } from "./reshape.js";
