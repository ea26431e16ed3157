// The dtype of boolean results (isnan, isclose, any, all, ...).
// Was int32 0/1 before the bool dtype landed; every mask producer reads it from here
// (grep MASK_DTYPE).

import type { DType } from "../util/dtype.js";

export const MASK_DTYPE: DType = "bool";
