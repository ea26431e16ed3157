// The autograd layer's public surface.
import "./tensor_methods.js";

export { type BackwardOptions, runBackward } from "./engine.js";
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from "./grad_mode.js";
export { GradcheckError, type GradcheckOptions, gradcheck } from "./gradcheck.js";
export { type BackwardRule, type Edge, Node } from "./node.js";
export { type RecordOptions, needsGraph, record } from "./record.js";
export {
  type DescribeOptions, type FormatGraphOptions, type GraphDescription, type GraphInput, type GraphLeaf, type GraphOpNode,
  type GraphValues, describeGraph, formatGraph,
} from "./inspect.js";
export {
  type ModuleFrame, currentModulePath, enableModuleTracking, isModuleTrackingEnabled, moduleScope, trackModulePaths,
} from "./module_scope.js";
export {
  AnomalyError, type AnomalyDetails, type AnomalyInput, countNonFinite, detectAnomaly, enableAnomalyDetection, isAnomalyEnabled,
} from "./anomaly.js";
export {
  type GraphView, type GraphViewOptions, type ViewNode, buildGraphView, formatBytes, toDot, toMermaid,
} from "./graph_views.js";
export { type MemoryStats, memoryStats, resetPeak } from "./saved_memory.js";
export { type SavedTensorInfo, savedTensors } from "./saved_tensors.js";
export { type CheckpointOptions, type CheckpointOutput, checkpoint } from "./checkpoint.js";
