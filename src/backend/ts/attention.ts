// Reference fused attention (the oracle of native/attention_impl.h): for every (batch, head) and
// query row i, scores s_j = scale * q_i . k_j over the keys the row may see (j <= i when causal),
// softmax, out_i = sum_j p_j v_j, and the row log-sum-exp for the backward, which recomputes
// p_j = exp(s_j - lse_i) instead of keeping the (L, S) weights. Arithmetic in doubles.

import type { AttentionLayout, AttentionParams, FloatArray } from "../backend.js";

const at = (l: AttentionLayout, b: number, h: number, t: number) => l.offset + b * l.strideB + h * l.strideH + t * l.strideT;

/** Keys query i may see. */
const seen = (p: AttentionParams, i: number) => (p.causal ? Math.min(i + 1, p.S) : p.S);

export function attentionForward(q: FloatArray, k: FloatArray, v: FloatArray, out: FloatArray, lse: FloatArray, p: AttentionParams): void {
  const s = new Float64Array(p.S);
  const acc = new Float64Array(p.Ev);
  for (let b = 0; b < p.batch; b++) {
    for (let h = 0; h < p.heads; h++) {
      const row = (b * p.heads + h) * p.L;
      for (let i = 0; i < p.L; i++) {
        const n = seen(p, i);
        const qi = at(p.q, b, h, i), oi = at(p.out, b, h, i);
        let m = -Infinity;
        for (let j = 0; j < n; j++) {
          const kj = at(p.k, b, h, j);
          let d = 0;
          for (let c = 0; c < p.E; c++) d += q[qi + c]! * k[kj + c]!;
          s[j] = d * p.scale;
          if (s[j]! > m) m = s[j]!;
        }
        if (n === 0 || m === -Infinity) { // no key to attend to: zeros, like the composed safe softmax
          for (let c = 0; c < p.Ev; c++) out[oi + c] = 0;
          lse[row + i] = -Infinity;
          continue;
        }
        let l = 0;
        for (let j = 0; j < n; j++) { s[j] = Math.exp(s[j]! - m); l += s[j]!; }
        acc.fill(0);
        for (let j = 0; j < n; j++) {
          const vj = at(p.v, b, h, j);
          for (let c = 0; c < p.Ev; c++) acc[c] += s[j]! * v[vj + c]!;
        }
        for (let c = 0; c < p.Ev; c++) out[oi + c] = acc[c]! / l;
        lse[row + i] = m + Math.log(l);
      }
    }
  }
}

export function attentionBackward(
  q: FloatArray, k: FloatArray, v: FloatArray, out: FloatArray, gOut: FloatArray, lse: FloatArray,
  gq: FloatArray, gk: FloatArray, gv: FloatArray, p: AttentionParams,
): void {
  const pr = new Float64Array(p.S), ds = new Float64Array(p.S), dq = new Float64Array(p.E);
  for (let b = 0; b < p.batch; b++) {
    for (let h = 0; h < p.heads; h++) {
      // Key gradients accumulate over query rows; rows no query sees stay zero.
      const gK = new Float64Array(p.S * p.E), gV = new Float64Array(p.S * p.Ev);
      const row = (b * p.heads + h) * p.L;
      for (let i = 0; i < p.L; i++) {
        const n = seen(p, i);
        const qi = at(p.q, b, h, i), oi = at(p.out, b, h, i);
        const li = lse[row + i]!;
        if (n === 0 || li === -Infinity) {
          for (let c = 0; c < p.E; c++) gq[qi + c] = 0;
          continue;
        }
        let D = 0; // sum_j dP_ij P_ij = dO_i . O_i
        for (let c = 0; c < p.Ev; c++) D += gOut[oi + c]! * out[oi + c]!;
        for (let j = 0; j < n; j++) {
          const kj = at(p.k, b, h, j), vj = at(p.v, b, h, j);
          let s = 0, dp = 0;
          for (let c = 0; c < p.E; c++) s += q[qi + c]! * k[kj + c]!;
          for (let c = 0; c < p.Ev; c++) dp += gOut[oi + c]! * v[vj + c]!;
          pr[j] = Math.exp(s * p.scale - li);
          ds[j] = pr[j]! * (dp - D);
        }
        dq.fill(0);
        for (let j = 0; j < n; j++) {
          const kj = at(p.k, b, h, j);
          for (let c = 0; c < p.Ev; c++) gV[j * p.Ev + c] += pr[j]! * gOut[oi + c]!;
          for (let c = 0; c < p.E; c++) {
            dq[c] += ds[j]! * k[kj + c]!;
            gK[j * p.E + c] += ds[j]! * p.scale * q[qi + c]!;
          }
        }
        for (let c = 0; c < p.E; c++) gq[qi + c] = dq[c]! * p.scale;
      }
      for (let j = 0; j < p.S; j++) {
        const kj = at(p.k, b, h, j), vj = at(p.v, b, h, j);
        for (let c = 0; c < p.E; c++) gk[kj + c] = gK[j * p.E + c]!;
        for (let c = 0; c < p.Ev; c++) gv[vj + c] = gV[j * p.Ev + c]!;
      }
    }
  }
}
