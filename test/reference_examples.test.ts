// The reference text's worked examples, reproduced by autograd (float64).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tensor } from "../src/index.js";

describe("reference text worked examples", () => {
  it("chain rule: z = 3(x^2 + 1) gives dz/dx = 12 at x = 2", () => {
    const x = tensor(2, { dtype: "float64", requiresGrad: true });
    const y = x.pow(2).add(1);
    const z = y.mul(3);
    assert.equal(y.item(), 5);
    z.backward();
    assert.equal(x.grad!.item(), 12);
  });

  it("tiny graph: L = (a + b)^2 gives 25, dL/da = dL/db = 10", () => {
    const a = tensor(2, { dtype: "float64", requiresGrad: true });
    const b = tensor(3, { dtype: "float64", requiresGrad: true });
    const L = a.add(b).pow(2);
    assert.equal(L.item(), 25);
    L.backward();
    assert.equal(a.grad!.item(), 10);
    assert.equal(b.grad!.item(), 10);
  });

  it("two-layer ReLU network: loss 0.001849 and all four gradients", () => {
    const opts = { dtype: "float64" as const, requiresGrad: true };
    const x = tensor([[1], [2]], { dtype: "float64" });
    const w1 = tensor([[0.1, 0.2], [0.3, 0.4]], opts);
    const b1 = tensor([[0.01], [0.02]], opts);
    const w2 = tensor([[0.5, 0.6]], opts);
    const b2 = tensor([[0.03]], opts);
    const z1 = w1.matmul(x).add(b1);
    const h = z1.relu();
    const z2 = w2.matmul(h).add(b2).sum();
    const loss = z2.sub(1).pow(2);
    // Manual chain rule in plain numbers, as in the text.
    const z1v = [0.1 * 1 + 0.2 * 2 + 0.01, 0.3 * 1 + 0.4 * 2 + 0.02];
    const z2v = 0.5 * z1v[0]! + 0.6 * z1v[1]! + 0.03;
    const dz2 = 2 * (z2v - 1);
    assert.ok(Math.abs(loss.item() - 0.001849) < 1e-15, `loss ${loss.item()}`);
    loss.backward();
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-15, `${a} vs ${b}`);
    close(b2.grad!.item(), dz2);
    const gw2 = w2.grad!.data;
    close(gw2[0]!, dz2 * z1v[0]!);
    close(gw2[1]!, dz2 * z1v[1]!);
    const gb1 = b1.grad!.data;
    close(gb1[0]!, dz2 * 0.5);
    close(gb1[1]!, dz2 * 0.6);
    const gw1 = w1.grad!.data;
    close(gw1[0]!, dz2 * 0.5 * 1);
    close(gw1[1]!, dz2 * 0.5 * 2);
    close(gw1[2]!, dz2 * 0.6 * 1);
    close(gw1[3]!, dz2 * 0.6 * 2);
    assert.ok(Math.abs(dz2 - -0.086) < 1e-12);
  });
});
