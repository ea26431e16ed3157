// The amp barrel: automatic mixed precision (autocast) and dynamic loss scaling (GradScaler).
export { type AutocastOptions, autocast, getAutocastDType, isAutocastEnabled } from "./autocast.js";
export { GradScaler, GradScalerError, type GradScalerOptions, type GradScalerState } from "./grad_scaler.js";
