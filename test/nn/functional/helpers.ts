// Shared assertions and dtype options for the nn.functional tests.
import assert from "node:assert/strict";

export const near = (got: number, want: number, tol = 1e-12): void => assert.ok(Math.abs(got - want) <= tol, `${got} vs ${want}`);
export const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) near(got[i]!, want[i]!, tol);
};
export const f64 = { dtype: "float64" as const };
export const g64 = { dtype: "float64" as const, requiresGrad: true };
