// Anomaly mode: the first NaN/Inf in forward or backward is an AnomalyError naming the op, the
// phase, the inputs, which one was already non-finite, the module path and the user-code line.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutogradError, type Tensor, autograd, tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };
const THIS_FILE = new URL(import.meta.url).pathname;

class LogHead extends nn.Module {
  proj = new nn.Linear(2, 2);
  forward(x: Tensor): Tensor {
    return this.proj.forward(x).log(); // negative outputs -> NaN
  }
}
class Net extends nn.Module {
  layers = new nn.ModuleList([new LogHead(), new LogHead()]);
  forward(x: Tensor): Tensor {
    return this.layers.at(1).forward(x).sum();
  }
}

function catchAnomaly(fn: () => unknown): autograd.AnomalyError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof autograd.AnomalyError, String(e));
    assert.ok(e instanceof AutogradError);
    return e;
  }
  assert.fail("expected an AnomalyError");
}

describe("autograd.detectAnomaly", () => {
  it("forward: names the op, the module path, the inputs and the user line", () => {
    const net = new Net();
    const lin = net.layers.at(1).proj;
    lin.weight.data.set([1, 0, 0, 1]);
    lin.bias!.data.set([0, 0]);
    const x = tensor([[1, -2]]);
    const e = catchAnomaly(() => autograd.detectAnomaly(() => net.forward(x)));
    assert.equal(e.op, "log");
    assert.equal(e.phase, "forward");
    assert.equal(e.modulePath, "layers.1");
    assert.equal(e.nan, 1);
    assert.equal(e.inf, 0);
    assert.deepEqual(e.inputs, [{ shape: [1, 2], dtype: "float32", nonFinite: 0 }]);
    assert.equal(e.nonFiniteInput, null);
    assert.ok(e.location !== null && e.location.startsWith(`${THIS_FILE}:`), String(e.location));
    assert.ok(/:\d+:\d+$/.test(e.location!));
    assert.ok(e.message.includes("log produced 1 NaN in forward in module layers.1"), e.message);
    assert.ok(e.message.includes("#0 [1,2] float32 (finite)"), e.message);
  });

  it("forward: says which input was already non-finite", () => {
    const a = tensor([1, Number.POSITIVE_INFINITY], f64);
    const e = catchAnomaly(() => autograd.detectAnomaly(() => a.mul(tensor([2, 0], { dtype: "float64" }))));
    assert.equal(e.op, "mul");
    assert.equal(e.nonFiniteInput, 0);
    assert.equal(e.nan, 1);
    assert.equal(e.modulePath, null);
    assert.deepEqual(e.inputs.map((i) => i.nonFinite), [1, 0]);
    assert.ok(e.message.includes("input #0 was already non-finite"), e.message);
    assert.ok(e.message.includes("outside any module"));
  });

  it("backward: the first rule whose gradient is non-finite, with the creation site", () => {
    const x = tensor([0, 4], f64);
    const y = autograd.detectAnomaly(() => x.sqrt()); // sqrt(0) = 0 is fine forward, d/dx = Inf
    const e = catchAnomaly(() => autograd.detectAnomaly(() => y.sum().backward()));
    assert.equal(e.phase, "backward");
    assert.equal(e.op, "sqrt");
    assert.equal(e.gradientOf, 0);
    assert.equal(e.inf, 1);
    assert.equal(e.upstreamNonFinite, false);
    assert.deepEqual(e.inputs, [{ shape: [2], dtype: "float64", nonFinite: 0 }]);
    assert.ok(e.location!.startsWith(`${THIS_FILE}:`), String(e.location));
    assert.ok(e.message.includes("the backward of sqrt produced 1 Inf in the gradient of input #0"), e.message);
    assert.equal(x.grad, null); // nothing reached the leaf
  });

  it("off by default: NaN flows through silently, no stacks are kept", () => {
    const x = tensor([-1], f64);
    const y = x.log();
    assert.ok(Number.isNaN(y.item()));
    assert.equal((y.gradFn as unknown as { anomaly: unknown }).anomaly, null);
    y.sum().backward();
    assert.ok(Number.isNaN(x.grad!.item()) === false); // d log(x)/dx = 1/x = -1: finite
    assert.equal(autograd.isAnomalyEnabled(), false);
  });

  it("ops inside backward rules are not reported as forward ops; finite runs are untouched", () => {
    const x = tensor([1, 2, 3], f64);
    const loss = autograd.detectAnomaly(() => x.mul(x).log().sum());
    autograd.detectAnomaly(() => loss.backward());
    assert.deepEqual([...x.grad!.data], [2, 1, 2 / 3]);
    const stop = autograd.enableAnomalyDetection();
    assert.equal(autograd.isAnomalyEnabled(), true);
    stop();
    assert.equal(autograd.isAnomalyEnabled(), false);
    assert.equal(autograd.isModuleTrackingEnabled(), false);
  });
});
