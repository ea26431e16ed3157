// var / std (correction) and prod (exact gradient with zeros): values, gradients, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as d from "../../../src/index.js";
import { DTypeError, IndexError, ValueError, prod, std, tensor } from "../../../src/index.js";
import { check, close, leaf, throwsWith } from "../shape/helpers.js";

describe("var / std", () => {
  const x = tensor([[1, 2, 3, 4], [2, 2, 2, 2]], { dtype: "float64" });

  it("unbiased by default, correction 0 for the population variance", () => {
    close(d.var(x, 1).toArray(), [5 / 3, 0]);
    close(x.var(1, false, { correction: 0 }).toArray(), [1.25, 0]);
    close(x.var(-1, true).toArray(), [[5 / 3], [0]]);
    // all 8 values: mean 2.25, sum of squares of deviations 5.5
    close(d.var(x).toArray(), 5.5 / 7);
    close(d.variance(x, [0, 1]).toArray(), 5.5 / 7);
    close(x.var(0).toArray(), [0.5, 0, 0.5, 2]);
    close(std(x, 1).toArray(), [Math.sqrt(5 / 3), 0]);
    close(x.std(undefined, false, { correction: 0 }).toArray(), Math.sqrt(5.5 / 8));
    assert.ok(Number.isNaN(d.var(tensor([3], { dtype: "float64" })).item()), "one sample, correction 1: 0/0");
  });

  it("gradients", () => {
    const a = tensor([1, 2, 3, 6], { dtype: "float64", requiresGrad: true });
    a.var().backward(); // 2 (x - mean) / (N - 1), mean 3
    close(a.grad!.toArray(), [-4 / 3, -2 / 3, 0, 2]);
    check((t) => d.var(t!, 1), [leaf([3, 4], 1)]);
    check((t) => t!.var([0, -1], true, { correction: 0 }), [leaf([2, 3, 2], 2)]);
    check((t) => t!.var(0, false, { correction: 2 }), [leaf([4, 1], 3)]);
    check((t) => std(t!, -1), [leaf([2, 5], 4)]);
    check((t) => t!.std(), [leaf([3, 1, 2], 5)]);
  });

  it("std of a constant slice has zero gradient (not NaN)", () => {
    const a = tensor([[2, 2, 2], [1, 2, 3]], { dtype: "float64", requiresGrad: true });
    std(a, 1).sum().backward();
    close(a.grad!.toArray(), [[0, 0, 0], [-0.5, 0, 0.5]]);
  });

  it("errors", () => {
    throwsWith(() => d.var(x, 2), IndexError, "var");
    throwsWith(() => std(x, -3), IndexError, "std");
    throwsWith(() => d.var(tensor([1, 2], { dtype: "int32" })), DTypeError, "var", "int32");
    throwsWith(() => std(x, 0, false, { correction: NaN }), ValueError, "std", "correction");
  });
});

describe("prod", () => {
  it("values over all and along dims", () => {
    const x = tensor([[1, 2, 3], [4, 0, 6]], { dtype: "float64" });
    assert.equal(prod(x).item(), 0);
    close(prod(x, 1).toArray(), [6, 0]);
    close(x.prod(0, true).toArray(), [[4, 0, 18]]);
    close(x.prod(-1).toArray(), [6, 0]);
    assert.equal(prod(tensor([2, 3, 4], { dtype: "int32" })).item(), 24);
  });

  it("gradient is the product of the others, also with zeros", () => {
    const x = tensor([[2, 3, 4], [5, 0, 6], [0, 7, 0]], { dtype: "float64", requiresGrad: true });
    prod(x, 1).sum().backward();
    close(x.grad!.toArray(), [[12, 8, 6], [0, 30, 0], [0, 0, 0]]);
    check((t) => prod(t!, 1), [leaf([3, 4], 6)]);
    check((t) => t!.prod(), [leaf([2, 1, 3], 7)]);
    check((t) => t!.prod([0, -1], true), [leaf([2, 2, 2], 8)]);
    const z = tensor([[1.5, 0, -2], [0, 0, 3]], { dtype: "float64", requiresGrad: true });
    check((t) => prod(t!, -1), [z]);
  });

  it("errors", () => {
    throwsWith(() => prod(tensor([1, 2]), 1), IndexError, "prod");
  });
});
