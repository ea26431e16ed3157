// oneHot (torch.nn.functional.one_hot): int32 class indices to int32 one-hot rows (PyTorch
// returns int64; Descent's integer dtype is int32).

import type { Tensor } from "../../tensor/tensor.js";
import { fmt } from "../../shape/shape.js";
import { IndexError, ValueError } from "../../util/errors.js";
import { empty } from "../operand.js";
import { requireIndex } from "../indexing/validate.js";

/** out[..., c] = 1 where c == x[...]; numClasses -1 (default) means max(x) + 1. */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  requireIndex("oneHot", x, "input");
  if (!Number.isInteger(numClasses) || numClasses < -1) {
    throw new ValueError(`oneHot: numClasses must be a non-negative integer or -1, got ${String(numClasses)}`);
  }
  const idx = x.data as Int32Array;
  let max = -1;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0) throw new IndexError(`oneHot: class values must be non-negative, got ${v} at flat position ${i} (shape ${fmt(x.shape)})`);
    if (v > max) max = v;
  }
  let classes = numClasses;
  if (classes === -1) {
    if (idx.length === 0) throw new ValueError("oneHot: cannot infer numClasses from an empty tensor; pass numClasses");
    classes = max + 1;
  } else if (max >= classes) {
    throw new IndexError(`oneHot: class value ${max} is out of range for numClasses ${classes} (expected 0..${classes - 1})`);
  }
  const out = empty([...x.shape, classes], "int32");
  for (let i = 0; i < idx.length; i++) out.data[i * classes + idx[i]!] = 1;
  return out;
}

