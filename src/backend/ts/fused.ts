// Reference fused kernels: softmax family, layer norm, embedding, cross-entropy.

import type { TypedArray } from "../../util/dtype.js";
import type { FloatArray } from "../backend.js";

export function softmax(x: FloatArray, rows: number, cols: number, out: FloatArray): void {
  if (rows * cols === 0) return; // no elements: bound the work by the data, not by rows
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c]! > mx) mx = x[o + c]!;
    if (mx === -Infinity) mx = 0; // an all -inf row gives NaN below, like PyTorch
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[o + c]! - mx);
    for (let c = 0; c < cols; c++) out[o + c] = Math.exp(x[o + c]! - mx) / s;
  }
}

export function logSoftmax(x: FloatArray, rows: number, cols: number, out: FloatArray): void {
  if (rows * cols === 0) return; // no elements: bound the work by the data, not by rows
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c]! > mx) mx = x[o + c]!;
    if (mx === -Infinity) mx = 0;
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[o + c]! - mx);
    const lse = mx + Math.log(s);
    for (let c = 0; c < cols; c++) out[o + c] = x[o + c]! - lse;
  }
}

export function softmaxBackward(y: FloatArray, gy: FloatArray, rows: number, cols: number, gx: FloatArray): void {
  if (rows * cols === 0) return; // no elements: bound the work by the data, not by rows
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += gy[o + c]! * y[o + c]!;
    for (let c = 0; c < cols; c++) gx[o + c] = y[o + c]! * (gy[o + c]! - dot);
  }
}

export function logSoftmaxBackward(y: FloatArray, gy: FloatArray, rows: number, cols: number, gx: FloatArray): void {
  if (rows * cols === 0) return; // no elements: bound the work by the data, not by rows
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += gy[o + c]!;
    for (let c = 0; c < cols; c++) gx[o + c] = gy[o + c]! - Math.exp(y[o + c]!) * s;
  }
}

export function layerNorm(
  x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, rows: number, cols: number, eps: number,
  out: FloatArray, mean: FloatArray, rstd: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[o + c]!;
    const mu = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) {
      const d = x[o + c]! - mu;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / cols + eps); // biased variance, like PyTorch
    mean[r] = mu;
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) {
      let y = (x[o + c]! - mu) * rs;
      if (weight) y *= weight[c]!;
      if (bias) y += bias[c]!;
      out[o + c] = y;
    }
  }
}

export function layerNormBackward(
  x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, gy: FloatArray,
  rows: number, cols: number, gx: FloatArray, gWeight: FloatArray | null, gBias: FloatArray | null,
): void {
  // The weight and bias gradients are summed over the rows in double and rounded once at the end.
  const sumW = gWeight ? new Float64Array(cols) : null, sumB = gBias ? new Float64Array(cols) : null;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    // gx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = gy * w
    let sumG = 0;
    let sumGX = 0;
    for (let c = 0; c < cols; c++) {
      const xhat = (x[o + c]! - mu) * rs;
      const g = weight ? gy[o + c]! * weight[c]! : gy[o + c]!;
      sumG += g;
      sumGX += g * xhat;
      if (sumW) sumW[c]! += gy[o + c]! * xhat;
      if (sumB) sumB[c]! += gy[o + c]!;
    }
    const mG = sumG / cols;
    const mGX = sumGX / cols;
    for (let c = 0; c < cols; c++) {
      const xhat = (x[o + c]! - mu) * rs;
      const g = weight ? gy[o + c]! * weight[c]! : gy[o + c]!;
      gx[o + c] = rs * (g - mG - xhat * mGX);
    }
  }
  for (let c = 0; c < cols; c++) {
    if (gWeight) gWeight[c]! += sumW![c]!;
    if (gBias) gBias[c]! += sumB![c]!;
  }
}

export function embedding(table: TypedArray, idx: Int32Array, cols: number, out: TypedArray): void {
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i]! * cols;
    out.set(table.subarray(src, src + cols), i * cols);
  }
}

export function embeddingBackward(gy: FloatArray, idx: Int32Array, cols: number, gTable: FloatArray): void {
  for (let i = 0; i < idx.length; i++) {
    const dst = idx[i]! * cols;
    const src = i * cols;
    for (let c = 0; c < cols; c++) gTable[dst + c]! += gy[src + c]!;
  }
}

export function crossEntropy(
  logits: FloatArray, targets: Int32Array, rows: number, cols: number, ignoreIndex: number, labelSmoothing: number,
  loss: FloatArray, probs: FloatArray,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) if (logits[o + c]! > mx) mx = logits[o + c]!;
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(logits[o + c]! - mx);
    const lse = mx + Math.log(s);
    for (let c = 0; c < cols; c++) probs[o + c] = Math.exp(logits[o + c]! - lse);
    const t = targets[r]!;
    if (t === ignoreIndex) {
      loss[r] = 0;
      continue;
    }
    let l = (1 - labelSmoothing) * (lse - logits[o + t]!);
    if (labelSmoothing > 0) {
      // smoothing term: -(eps/C) * sum_c log p_c
      let sumLogp = 0;
      for (let c = 0; c < cols; c++) sumLogp += logits[o + c]! - lse;
      l -= (labelSmoothing / cols) * sumLogp;
    }
    loss[r] = l;
  }
}

export function crossEntropyBackward(
  probs: FloatArray, targets: Int32Array, rows: number, cols: number, ignoreIndex: number, labelSmoothing: number,
  rowScale: FloatArray, gLogits: FloatArray,
): void {
  const off = labelSmoothing / cols;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const t = targets[r]!;
    const sc = t === ignoreIndex ? 0 : rowScale[r]!;
    for (let c = 0; c < cols; c++) {
      const target = (c === t ? 1 - labelSmoothing : 0) + off;
      gLogits[o + c] = sc * (probs[o + c]! - target);
    }
  }
}
