// The `autograd` namespace users import: grad mode, gradcheck, graph inspection, custom ops.
import type { Tensor } from "../tensor/tensor.js";
import type { BackwardRule } from "./node.js";
import { type RecordOptions, record as recordOp } from "./record.js";

export {
  type BackwardOptions, type DescribeOptions, type FormatGraphOptions, type GraphDescription, GradcheckError,
  type GradcheckOptions, describeGraph, enableGrad, formatGraph, gradcheck, isGradEnabled, noGrad, setGradEnabled,
} from "./index.js";
export type { BackwardRule } from "./node.js";

/**
 * Attach `out` to the graph as the result of a custom op `name`(inputs) with backward `rule`.
 * The rule may keep the gradients it sees or returns: the engine never recycles their storage.
 */
export function record(name: string, inputs: readonly Tensor[], out: Tensor, rule: BackwardRule, opts: Omit<RecordOptions, "keepsGrad" | "lendsGrad" | "privates"> = {}): Tensor {
  return recordOp(name, inputs, out, rule, { ...opts, keepsGrad: true });
}
export { currentModulePath, enableModuleTracking, isModuleTrackingEnabled, trackModulePaths } from "./module_scope.js";
export { AnomalyError, type AnomalyDetails, type AnomalyInput, detectAnomaly, enableAnomalyDetection, isAnomalyEnabled } from "./anomaly.js";
export { type GraphView, type GraphViewOptions, type ViewNode, buildGraphView, toDot, toMermaid } from "./graph_views.js";
export { type MemoryStats, memoryStats, resetPeak } from "./saved_memory.js";
export { type SavedTensorInfo, savedTensors } from "./saved_tensors.js";
export { type CheckpointOptions, checkpoint } from "./checkpoint.js";
