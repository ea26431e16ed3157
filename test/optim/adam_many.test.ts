// The multi-tensor Adam step (Backend.adamUpdateMany, used by Adam/AdamW.step): the same bits as
// per-tensor adamUpdate on every backend, independent of the thread count, and a call with one
// bad entry throws before writing anything.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AdamParams, AdamTensorUpdate, Backend, FloatArray } from "../../src/backend/backend.js";
import { tsBackend } from "../../src/backend/ts/index.js";
import { FLOATS, type FCtor, assertSame, assertThreadIndependent, native, randArray } from "../backend/helpers.js";
import { optim, randn } from "../../src/index.js";

function params(step: number, i: number): AdamParams {
  return { lr: 1e-2 * (1 + i), beta1: i % 2 ? 0.9 : 0.3, beta2: 0.95, eps: 1e-8, weightDecay: i % 3 ? 0.1 : 0,
    decoupled: i % 4 !== 1, step, amsgrad: i % 2 === 1, gradScale: i === 2 ? 4 : 1 };
}

function updates(Ctor: FCtor, sizes: readonly number[], seed: number): AdamTensorUpdate[] {
  return sizes.map((n, i) => ({
    param: randArray(Ctor, n, seed + 5 * i), grad: randArray(Ctor, n, seed + 5 * i + 1),
    m: randArray(Ctor, n, seed + 5 * i + 2, -0.1, 0.1), v: randArray(Ctor, n, seed + 5 * i + 3, 0, 0.1),
    vmax: i % 2 ? randArray(Ctor, n, seed + 5 * i + 4, 0, 0.1) : null, p: params(3 + i, i),
  }));
}

const clone = (us: AdamTensorUpdate[]): AdamTensorUpdate[] => us.map((u) => ({
  ...u, param: u.param.slice(), grad: u.grad.slice(), m: u.m.slice(), v: u.v.slice(), vmax: u.vmax ? u.vmax.slice() : null,
}));
const arrays = (us: AdamTensorUpdate[]): FloatArray[] => us.flatMap((u) => [u.param, u.m, u.v, ...(u.vmax ? [u.vmax] : [])]);
const SIZES = [1, 7, 128, 40000, 3, 65536 + 5, 128 * 512];

describe("adamUpdateMany", () => {
  const backends: [string, Backend][] = [["ts", tsBackend], ...(native ? [["native", native] as [string, Backend]] : [])];
  for (const [name, be] of backends) {
    for (const Ctor of FLOATS) {
      it(`${name} ${Ctor.name}: equals adamUpdate on each tensor bit for bit`, () => {
        const a = updates(Ctor, SIZES, 1), b = clone(a);
        be.adamUpdateMany(a);
        for (const u of b) be.adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
        arrays(a).forEach((x, i) => assertSame(x, arrays(b)[i]!, `array ${i}`));
      });
    }
  }

  it("native: mixed float32/float64 entries and 1 vs 2 threads", { skip: native ? false : "no native addon" }, () => {
    const mixed = [...updates(Float32Array, [100, 70000], 7), ...updates(Float64Array, [50, 40000], 9)];
    const ref = clone(mixed);
    native!.adamUpdateMany(mixed);
    for (const u of ref) tsBackend.adamUpdate(u.param, u.grad, u.m, u.v, u.vmax, u.p);
    arrays(mixed).forEach((x, i) => assertSame(x, arrays(ref)[i]!, `mixed array ${i}`));
    const base = updates(Float32Array, SIZES, 11);
    assertThreadIndependent(() => {
      const us = clone(base);
      native!.adamUpdateMany(us);
      return arrays(us);
    }, "adamUpdateMany");
  });

  it("native: a bad entry throws before any tensor is written", { skip: native ? false : "no native addon" }, () => {
    const us = updates(Float32Array, [100, 200, 300], 13);
    us[2] = { ...us[2]!, grad: new Float32Array(10) }; // too short
    const before = clone(us);
    assert.throws(() => native!.adamUpdateMany(us), /at least as long/);
    arrays(us).forEach((x, i) => assertSame(x, arrays(before)[i]!, `array ${i} untouched`));
  });

  it("AdamW.step: one multi-tensor call gives the per-tensor results (amsgrad, two groups)", () => {
    const make = (): [optim.AdamW, ReturnType<typeof randn>[]] => {
      const ps = [randn([4, 3], { requiresGrad: true }), randn([3], { requiresGrad: true }), randn([5], { dtype: "float64", requiresGrad: true })];
      ps.forEach((p, i) => p.data.forEach((_, j) => { p.data[j] = Math.sin(1 + i * 7 + j); }));
      return [new optim.AdamW([{ params: [ps[0]!] }, { params: [ps[1]!, ps[2]!], weightDecay: 0, amsgrad: true }], { lr: 0.05 }), ps];
    };
    const [o1, p1] = make(), [o2, p2] = make();
    (o2 as unknown as { updateAll: unknown }).updateAll = function (this: { update: (...a: unknown[]) => void }, items: { param: unknown; grad: unknown; state: unknown; group: unknown }[]) {
      for (const it of items) this.update(it.param, it.grad, it.state, it.group);
    };
    for (let s = 0; s < 3; s++) {
      for (const ps of [p1, p2]) ps.forEach((p, i) => { p.grad = randn(p.shape, { dtype: p.dtype }).mul(0).add(Math.cos(s + i)); });
      o1.step();
      o2.step();
    }
    p1.forEach((p, i) => assertSame(p.data, p2[i]!.data, `param ${i}`));
    assert.equal(o1.getState(p1[2]!)?.step, 3);
  });
});
