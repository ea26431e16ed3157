// The `autograd` namespace users import: grad mode, gradcheck, graph inspection, custom ops.
export {
  type BackwardOptions, type DescribeOptions, type FormatGraphOptions, type GraphDescription, GradcheckError,
  type GradcheckOptions, describeGraph, enableGrad, formatGraph, gradcheck, isGradEnabled, noGrad, record, setGradEnabled,
} from "./index.js";
export type { BackwardRule } from "./node.js";
export { currentModulePath, enableModuleTracking, isModuleTrackingEnabled, trackModulePaths } from "./module_scope.js";
export { AnomalyError, type AnomalyDetails, type AnomalyInput, detectAnomaly, enableAnomalyDetection, isAnomalyEnabled } from "./anomaly.js";
export { type GraphView, type GraphViewOptions, type ViewNode, buildGraphView, toDot, toMermaid } from "./graph_views.js";
export { type MemoryStats, memoryStats, resetPeak } from "./saved_memory.js";
export { type SavedTensorInfo, savedTensors } from "./saved_tensors.js";
export { type CheckpointOptions, checkpoint } from "./checkpoint.js";
