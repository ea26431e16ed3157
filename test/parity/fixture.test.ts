// Sanity of the PyTorch reference fixture itself: every op is replayed by exactly one parity
// test file, names are unique, and every float input of a differentiable case carries a gradient.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GROUPS, KNOWN_DIVERGENCES, loadCases } from "./harness.js";

describe("PyTorch parity fixture", () => {
  const cases = loadCases();

  it("has cases, with unique names", () => {
    assert.ok(cases.length >= 200, `only ${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });

  it("lists only existing cases as known divergences", () => {
    const names = new Set(cases.map((c) => c.name));
    for (const name of Object.keys(KNOWN_DIVERGENCES)) assert.ok(names.has(name), `KNOWN_DIVERGENCES names no case: ${name}`);
  });

  it("maps every op to exactly one parity test file", () => {
    const claimed = Object.values(GROUPS).flat();
    assert.equal(new Set(claimed).size, claimed.length, "an op is claimed by two groups");
    const ops = [...new Set(cases.map((c) => c.op))].sort();
    assert.deepEqual(ops, [...claimed].sort());
  });

  it("records input values and shapes consistently, with a cotangent for every float output", () => {
    for (const c of cases) {
      for (const t of [...c.inputs, ...c.outputs]) {
        assert.equal(t.values.length, t.shape.reduce((n, s) => n * s, 1), `${c.name}: values do not fit shape`);
      }
      for (const o of c.outputs) {
        if (o.dtype === "float64") assert.equal(o.cot?.length, o.values.length, `${c.name}: missing cotangent`);
      }
      for (const i of c.inputs) {
        if (i.grad) assert.equal(i.grad.length, i.values.length, `${c.name}: gradient does not fit input`);
        if (i.dtype === "int32") assert.equal(i.grad, undefined, `${c.name}: gradient for an integer input`);
      }
    }
  });

  it("differentiates every float input except PyTorch's non-differentiable constants", () => {
    // PyTorch does not differentiate class weights (nll_loss) and posWeight; everything else is.
    for (const c of cases) {
      if (c.outputs.every((o) => o.dtype !== "float64")) continue;
      c.inputs.forEach((inp, i) => {
        if (inp.dtype !== "float64" || inp.grad) return;
        const arg = JSON.stringify(c.args);
        const isConstant = arg.includes(`"weight":{"$t":${i}}`) || arg.includes(`"posWeight":{"$t":${i}}`);
        assert.ok(isConstant, `${c.name}: float input ${i} has no gradient`);
      });
    }
  });
});
