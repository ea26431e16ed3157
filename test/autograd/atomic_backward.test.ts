// backward is all-or-nothing: a throw leaves every .grad and the graph as they were, so a retry
// works; .grad assignment and hook results are validated like PyTorch's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutogradError, DTypeError, DescentError, ShapeError, Tensor, ones, tensor } from "../../src/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

describe("grad setter", () => {
  it("refuses a gradient of another shape (the next backward would read past its end)", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => { x.grad = ones([5]); }, (e: unknown) => e instanceof ShapeError && /grad: assigned grad has shape \[5\], but the tensor has shape \[3\]/.test((e as Error).message));
    assert.equal(x.grad, null);
    x.sum().backward();
    assert.deepEqual([...x.grad!.data], [1, 1, 1]);
  });

  it("refuses another dtype, a plain array, and the tensor itself; accepts null and a matching tensor", () => {
    const x = tensor([1, 2], f64);
    assert.throws(() => { x.grad = tensor([1, 1], { dtype: "float32" }); }, (e: unknown) => e instanceof DTypeError && /dtype float32, but the tensor has dtype float64/.test((e as Error).message));
    assert.throws(() => { (x as { grad: unknown }).grad = [1, 1]; }, (e: unknown) => e instanceof DTypeError && /Tensor or null, got an array/.test((e as Error).message));
    assert.throws(() => { (x as { grad: unknown }).grad = undefined; }, DescentError);
    assert.throws(() => { x.grad = x; }, DescentError);
    x.grad = tensor([5, 6], { dtype: "float64" });
    x.sum().backward();
    assert.deepEqual([...x.grad!.data], [6, 7]);
    x.grad = null;
    assert.equal(x.grad, null);
  });
});

describe("backward is atomic", () => {
  it("a hook returning a wrong shape leaves every leaf's .grad untouched, and a retry works", () => {
    const a = tensor([1, 2], f64), b = tensor([3, 4, 5], f64);
    a.grad = tensor([10, 10], { dtype: "float64" });
    const y = a.sum().mul(b.sum()); // dy/da = sum(b) = 12, dy/db = sum(a) = 3
    const h = b.registerHook(() => ones([2], { dtype: "float64" }));
    assert.throws(() => y.backward(), (e: unknown) => e instanceof ShapeError && /hook #0 on a leaf tensor \(shape \[3\], float64\) returned a gradient of shape \[2\], expected \[3\]/.test((e as Error).message));
    assert.deepEqual([...a.grad!.data], [10, 10]);
    assert.equal(b.grad, null);
    h.remove();
    y.backward(); // the graph was not freed by the failed attempt
    assert.deepEqual([...a.grad!.data], [22, 22]);
    assert.deepEqual([...b.grad!.data], [3, 3, 3]);
    assert.throws(() => y.backward(), (e: unknown) => e instanceof AutogradError && /second time/.test((e as Error).message));
  });

  it("a throwing hook on an intermediate tensor leaves retained and leaf grads untouched", () => {
    const a = tensor([1, 2], f64);
    const m = a.mul(2).retainGrad();
    const y = m.exp().sum();
    const h = m.registerHook(function boom() {
      throw new Error("user hook failed");
    });
    assert.throws(() => y.backward(), /user hook failed/);
    assert.equal(a.grad, null);
    assert.equal(m.grad, null);
    h.remove();
    y.backward();
    assert.ok(Math.abs(a.grad!.data[0]! - 2 * Math.exp(2)) < 1e-12);
    assert.ok(Math.abs(m.grad!.data[1]! - Math.exp(4)) < 1e-12);
  });

  it("hooks returning another dtype or a non-tensor are typed errors naming the hook and tensor", () => {
    const a = tensor([1, 2], f64);
    a.name = "w";
    const h1 = a.registerHook(function toF32(g) {
      return tensor([...g.data], { dtype: "float32" });
    });
    assert.throws(() => a.mul(3).sum().backward(), (e: unknown) => e instanceof DTypeError && /hook 'toF32' on w \(shape \[2\], float64\) returned a gradient of dtype float32, expected float64/.test((e as Error).message));
    h1.remove();
    const h2 = a.registerHook((() => [1, 1]) as unknown as (g: Tensor) => Tensor);
    assert.throws(() => a.mul(3).sum().backward(), (e: unknown) => e instanceof AutogradError && /on w .*returned an array of length 2/.test((e as Error).message));
    h2.remove();
    assert.equal(a.grad, null);
  });

  it("backward with a non-tensor gradient is a typed error", () => {
    const x = tensor([1, 2, 3], f64);
    const y = x.mul(2);
    assert.throws(() => y.backward([1, 1, 1] as unknown as Tensor), (e: unknown) => e instanceof AutogradError && /backward: gradient must be a Tensor of shape \[3\], got an array/.test((e as Error).message));
    y.backward(ones([3], { dtype: "float64" }));
    assert.deepEqual([...x.grad!.data], [2, 2, 2]);
  });
});
