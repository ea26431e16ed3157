// Shared helpers for the shape, indexing and reduction tests: float64 inputs, gradcheck with
// fixed tolerances, nested-array closeness and typed-error assertions.
import assert from "node:assert/strict";
import { Generator, type NestedArray, type Tensor, gradcheck, randn } from "../../../src/index.js";

/** A float64 leaf of standard normals from its own seeded generator. */
export function leaf(shape: readonly number[], seed = 0): Tensor {
  return randn(shape, { dtype: "float64", requiresGrad: true, generator: new Generator(seed) });
}

export function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  assert.equal(gradcheck((...xs) => fn(...xs), inputs, { eps: 1e-6, atol: 1e-6, rtol: 1e-4 }), true);
}

export function close(actual: NestedArray, expected: NestedArray, tol = 1e-12, path = ""): void {
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `at ${path || "top"}: expected a number`);
    const a = actual as number;
    if (Number.isNaN(expected)) return assert.ok(Number.isNaN(a), `at ${path || "top"}: expected NaN, got ${a}`);
    assert.ok(a === expected || Math.abs(a - expected) <= tol * Math.max(1, Math.abs(expected)), `at ${path || "top"}: ${a} vs ${expected}`);
    return;
  }
  if (typeof expected === "boolean") return assert.equal(actual, expected, `at ${path || "top"}`);
  assert.ok(Array.isArray(actual), `at ${path || "top"}: expected an array`);
  assert.equal((actual as NestedArray[]).length, expected.length, `length at ${path || "top"}`);
  expected.forEach((e, i) => close((actual as NestedArray[])[i]!, e, tol, `${path}[${i}]`));
}

/** fn must throw an instance of `cls` whose message contains every fragment. */
export function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message "${e.message}" lacks "${f}"`);
    return true;
  });
}
