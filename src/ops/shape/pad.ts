// pad (torch.nn.functional.pad): the pad list runs from the last dim backwards, (left, right)
// per dim. "constant" fills with a value (negative pads crop); "reflect" mirrors without repeating
// the edge; "replicate" repeats the edge; "circular" wraps around.

import { getBackend } from "../../backend/index.js";
import { record } from "../../autograd/index.js";
import { contiguousStrides, fmt } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ShapeError, ValueError } from "../../util/errors.js";
import { castTensor, empty, requireTensor } from "../operand.js";
import { mapPositions, takeFlat } from "../indexing/take.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";
const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

export function pad(x: Tensor, padding: readonly number[], mode: PadMode = "constant", value = 0): Tensor {
  requireTensor("pad", x);
  if (!MODES.includes(mode)) throw new ValueError(`pad: mode must be one of ${MODES.map((m) => `"${m}"`).join(", ")}, got "${String(mode)}"`);
  if (!Array.isArray(padding) || padding.some((p) => !Number.isInteger(p))) {
    throw new ValueError(`pad: padding must be a list of integers, got ${JSON.stringify(padding)}`);
  }
  if (padding.length % 2 !== 0) throw new ValueError(`pad: padding length must be even (a left and right amount per dim), got ${padding.length}`);
  if (padding.length / 2 > x.ndim) {
    throw new ValueError(`pad: padding of length ${padding.length} pads ${padding.length / 2} dims but the input of shape ${fmt(x.shape)} has ${x.ndim}`);
  }
  if (mode === "constant" && typeof value !== "number") throw new ValueError(`pad: value must be a number, got ${String(value)}`);
  const nd = x.ndim;
  const left = new Array<number>(nd).fill(0);
  const right = new Array<number>(nd).fill(0);
  for (let k = 0; k < padding.length / 2; k++) {
    left[nd - 1 - k] = padding[2 * k]!;
    right[nd - 1 - k] = padding[2 * k + 1]!;
  }
  const outShape = x.shape.map((n, d) => n + left[d]! + right[d]!);
  for (let d = 0; d < nd; d++) {
    const n = x.shape[d]!, l = left[d]!, r = right[d]!;
    if (l === 0 && r === 0) continue;
    if (outShape[d]! < 0) {
      throw new ShapeError(`pad: padding (${l}, ${r}) of dim ${d} (size ${n}) gives a negative size ${outShape[d]}`);
    }
    if (mode === "reflect" && (l >= n || r >= n)) {
      throw new ValueError(`pad: reflect padding (${l}, ${r}) of dim ${d} must be smaller than its size ${n} (shape ${fmt(x.shape)})`);
    }
    if (mode === "circular" && (l > n || r > n)) {
      throw new ValueError(`pad: circular padding (${l}, ${r}) of dim ${d} must not exceed its size ${n} (shape ${fmt(x.shape)})`);
    }
    if (mode === "replicate" && n === 0) {
      throw new ValueError(`pad: replicate padding of dim ${d} needs a non-empty dim (shape ${fmt(x.shape)})`);
    }
  }
  if (mode === "constant") return constantPad(x, left, right, outShape, value);
  const coord = (d: number, o: number): number => {
    const n = x.shape[d]!;
    const c = o - left[d]!;
    if (mode === "reflect") return c < 0 ? -c : c >= n ? 2 * (n - 1) - c : c;
    if (mode === "replicate") return Math.min(Math.max(c, 0), n - 1);
    return ((c % n) + n) % n;
  };
  return takeFlat("pad", x, mapPositions(x.shape, outShape, coord), outShape);
}

/** Fill with value, then copy the part of x that survives (negative pads crop) into place. */
function constantPad(x: Tensor, left: number[], right: number[], outShape: number[], value: number): Tensor {
  const inS = contiguousStrides(x.shape);
  const outS = contiguousStrides(outShape);
  const region = x.shape.map((n, d) => Math.max(0, n - Math.max(0, -left[d]!) - Math.max(0, -right[d]!)));
  let srcOffset = 0, dstOffset = 0;
  x.shape.forEach((_, d) => {
    srcOffset += Math.max(0, -left[d]!) * inS[d]!;
    dstOffset += Math.max(0, left[d]!) * outS[d]!;
  });
  const copy = region.every((s) => s > 0);
  const be = getBackend();
  const out = empty(outShape, x.dtype);
  be.fill(out.data, value);
  if (copy) be.stridedCopy(x.data, out.data, { shape: region, srcOffset, srcStrides: inS, dstOffset, dstStrides: outS, accumulate: false });
  const { shape, dtype } = x; // only these: the rule must not keep x alive
  return record("pad", [x], out, (g) => {
    const gx = empty(shape, dtype); // zeros where x was cropped away
    if (copy) {
      be.stridedCopy(castTensor(g, dtype).data, gx.data, {
        shape: region, srcOffset: dstOffset, srcStrides: outS, dstOffset: srcOffset, dstStrides: inS, accumulate: false,
      });
    }
    return [gx];
  }, { saves: [] });
}
