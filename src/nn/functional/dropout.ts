// Inverted dropout: keep each element with probability 1 - p and scale kept ones by 1 / (1 - p),
// so the expected value is unchanged; the mask comes from a seedable Generator.

import { record } from "../../autograd/index.js";
import { binaryForward, mul } from "../../ops/binary.js";
import { requireFloat, requireTensor } from "../../ops/operand.js";
import { Tensor } from "../../tensor/tensor.js";
import { allocateUninit } from "../../util/buffer_pool.js";
import { ValueError } from "../../util/errors.js";
import { type Generator, defaultGenerator } from "../../util/rng.js";
import { checkOptionKeys } from "../../util/options.js";

export interface DropoutOptions {
  /** Source of the mask; defaults to the global generator seeded by manualSeed(). */
  generator?: Generator;
}

export function dropout(x: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  checkOptionKeys("dropout", opts, ["generator"]);
  requireTensor("dropout", x);
  requireFloat("dropout", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new ValueError(`dropout: probability p must be between 0 and 1, got ${String(p)}`);
  }
  if (!training || p === 0 || x.numel === 0) return x; // identity, like PyTorch (no copy)
  if (p === 1) return mul(x, 0);
  const gen = opts.generator ?? defaultGenerator;
  // Keep when a uniform 32-bit draw falls below (1 - p) * 2^32: one draw per element.
  const threshold = (1 - p) * 4294967296;
  const scale = 1 / (1 - p);
  const data = allocateUninit(x.dtype, x.numel); // every element written below
  for (let i = 0; i < data.length; i++) data[i] = gen.nextUint32() < threshold ? scale : 0;
  const mask = new Tensor(data, x.shape);
  // Its own node so the backward keeps only the mask, not x (a plain mul would save both).
  return record("dropout", [x], binaryForward("mul", x, mask)[2], (g) => [mul(g, mask)], { saves: [], privates: [mask] });
}
