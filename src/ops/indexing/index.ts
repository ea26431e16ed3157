// Indexing ops: select slices or elements by int32 indices, and their scatter-add inverse.
export { gather, scatterAdd } from "./gather.js";
export { indexSelect } from "./index_select.js";
export { type ScatterReduceOptions, scatter, scatterReduce } from "./scatter.js";
