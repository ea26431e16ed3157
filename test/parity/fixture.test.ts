// Sanity of the PyTorch reference fixture itself: every op is replayed by exactly one parity
// test file, names are unique, and every float input of a differentiable case carries a gradient.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BREADTH_FIXTURE, CORE_FIXTURE, type FixtureSpec, KNOWN_DIVERGENCES, loadCases } from "./harness.js";

for (const [fixture, minCases] of [[CORE_FIXTURE, 200], [BREADTH_FIXTURE, 150]] as const) checkFixture(fixture, minCases);

function checkFixture(fixture: FixtureSpec, minCases: number): void {
describe(`PyTorch parity fixture ${fixture.file}`, () => {
  const cases = loadCases(fixture.file);
  const GROUPS = fixture.groups;

  it("has cases, with unique names", () => {
    assert.ok(cases.length >= minCases, `only ${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });

  it("lists only existing cases as known divergences", () => {
    const names = new Set([...loadCases(CORE_FIXTURE.file), ...loadCases(BREADTH_FIXTURE.file)].map((c) => c.name));
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
        if (i.dtype !== "float64") assert.equal(i.grad, undefined, `${c.name}: gradient for an integer or bool input`);
      }
    }
  });

  it("differentiates every float input except PyTorch's non-differentiable constants", () => {
    // PyTorch does not differentiate class weights (nll_loss) and posWeight; everything else is.
    for (const c of cases) {
      if (c.forwardOnly || c.outputs.every((o) => o.dtype !== "float64")) continue;
      c.inputs.forEach((inp, i) => {
        if (inp.dtype !== "float64" || inp.grad) return;
        const arg = JSON.stringify(c.args);
        const isConstant = arg.includes(`"weight":{"$t":${i}}`) || arg.includes(`"posWeight":{"$t":${i}}`);
        assert.ok(isConstant, `${c.name}: float input ${i} has no gradient`);
      });
    }
  });
});
}
