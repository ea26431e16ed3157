// The dtype of boolean results (isnan, isclose, any, all, ...).
// BOOL-PENDING: int32 0/1 until the `bool` dtype lands; then this becomes "bool" and every mask
// producer below switches at once (grep BOOL-PENDING).

import type { DType } from "../util/dtype.js";

export const MASK_DTYPE: DType = "int32";
