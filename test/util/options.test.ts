// Unknown or misspelled option names are an OptionError naming the function and listing the valid
// names; hyperparameter ranges and state-dict buffer names are checked before anything changes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DescentError, OptionError, Tensor, ValueError, gradcheck, nn, optim, randn, tensor, zeros } from "../../src/index.js";

const unknown = (fn: string, key: string, hint?: string) => (e: unknown) => {
  const m = (e as Error).message;
  return e instanceof OptionError && e instanceof ValueError && m.startsWith(`${fn}: unknown option "${key}"`) &&
    (hint === undefined || m.includes(`(did you mean "${hint}"?)`)) && /valid/.test(m);
};

describe("unknown option names", () => {
  const p = () => [tensor([1, 2], { dtype: "float64", requiresGrad: true })];
  it("optimizers: weight_decay and beta1 on Adam, a typo on SGD/RMSprop/AdamW", () => {
    assert.throws(() => new optim.Adam(p(), { weight_decay: 0.1 } as never), unknown("Adam", "weight_decay", "weightDecay"));
    assert.throws(() => new optim.Adam(p(), { beta1: 0.9 } as never), (e: unknown) =>
      unknown("Adam", "beta1", "betas")(e) && /valid options: lr, betas, eps, weightDecay, amsgrad$/.test((e as Error).message));
    assert.throws(() => new optim.AdamW(p(), { lr: 1, amsGrad: true } as never), unknown("AdamW", "amsGrad", "amsgrad"));
    assert.throws(() => new optim.SGD(p(), { lr: 0.1, momentun: 0.9 } as never), unknown("SGD", "momentun", "momentum"));
    assert.throws(() => new optim.RMSprop(p(), { lr: 0.1, centred: true } as never), unknown("RMSprop", "centred", "centered"));
    const opt = new optim.SGD(p(), { lr: 0.1 });
    assert.throws(() => opt.zeroGrad({ set_to_none: false } as never), unknown("SGD.zeroGrad", "set_to_none", "setToNone"));
  });

  it("creation functions, backward, reductions, functional ops, layers, schedules", () => {
    assert.throws(() => zeros([2], { dtyp: "float64" } as never), unknown("zeros", "dtyp", "dtype"));
    assert.throws(() => randn([2], { requires_grad: true } as never), unknown("randn", "requires_grad", "requiresGrad"));
    assert.throws(() => tensor([1], { shap: [1] } as never), unknown("tensor", "shap", "shape"));
    const x = tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => x.sum().backward(undefined, { retain_graph: true } as never), unknown("backward", "retain_graph", "retainGraph"));
    assert.equal(x.grad, null);
    assert.throws(() => x.var(0, false, { unbiased: false } as never), unknown("var", "unbiased"));
    assert.throws(() => nn.functional.crossEntropy(randn([2, 3]), tensor([0, 1], { dtype: "int32" }), { ignore_index: 1 } as never),
      unknown("crossEntropy", "ignore_index", "ignoreIndex"));
    assert.throws(() => nn.functional.gelu(x, { approx: "tanh" } as never), unknown("gelu", "approx", "approximate"));
    assert.throws(() => new nn.Linear(2, 3, { useBias: false } as never), unknown("Linear", "useBias"));
    assert.throws(() => new nn.LayerNorm(4, { elementwise_affine: false } as never), unknown("LayerNorm", "elementwise_affine", "elementwiseAffine"));
    assert.throws(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never), unknown("CrossEntropyLoss", "label_smoothing", "labelSmoothing"));
    assert.throws(() => optim.schedules.warmupCosine({ warmupSteps: 1, totalSteps: 10, maxLr: 1, min_lr: 0 } as never),
      unknown("warmupCosine", "min_lr", "minLr"));
    assert.throws(() => optim.clipGradNorm(x, 1, { norm_type: 2 } as never), unknown("clipGradNorm", "norm_type", "normType"));
    assert.throws(() => gradcheck((a: Tensor) => a, [x], { tol: 1 } as never), unknown("gradcheck", "tol"));
  });

  it("an options argument that is not an object is an OptionError", () => {
    assert.throws(() => zeros([2], "float64" as never), (e: unknown) => e instanceof OptionError && /zeros: options must be an object/.test((e as Error).message));
    assert.throws(() => new optim.Adam([tensor([1], { requiresGrad: true })], 0.1 as never), OptionError);
  });
});

describe("hyperparameter ranges", () => {
  const p = () => [tensor([1, 2], { dtype: "float64", requiresGrad: true })];
  it("SGD dampening must be in [0, 1]", () => {
    for (const d of [-0.1, 1.5, NaN]) assert.throws(() => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: d }), /SGD: invalid dampening .* in \[0, 1\]/);
    new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 1 });
  });
  it("RMSprop alpha must be in [0, 1)", () => {
    for (const a of [-0.5, 1, 2]) assert.throws(() => new optim.RMSprop(p(), { alpha: a }), /RMSprop: invalid alpha .* in \[0, 1\)/);
    new optim.RMSprop(p(), { alpha: 0 });
  });
});

describe("optimizer state dicts", () => {
  it("an unknown buffer name is refused and nothing changes", () => {
    const w = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1 });
    w.grad = tensor([1, 1], { dtype: "float64" });
    opt.step();
    const sd = opt.stateDict();
    const before = [...opt.getState(w)!.buffers["expAvg"]!.data];
    sd.state[0]!.buffers["exp_avg"] = sd.state[0]!.buffers["expAvg"]!;
    sd.state[0]!.buffers["expAvg"] = tensor([9, 9], { dtype: "float64" });
    assert.throws(() => opt.loadStateDict(sd), (e: unknown) => e instanceof DescentError && /Adam.loadStateDict: state of parameter 0 has unknown buffer "exp_avg"; Adam keeps expAvg, expAvgSq, maxExpAvgSq/.test((e as Error).message));
    assert.deepEqual([...opt.getState(w)!.buffers["expAvg"]!.data], before);
    const sgd = new optim.SGD([w], { lr: 0.1 });
    assert.throws(() => sgd.loadStateDict({ state: { 0: { step: 1, buffers: { velocity: tensor([0, 0], { dtype: "float64" }) } } }, paramGroups: sgd.stateDict().paramGroups }),
      /unknown buffer "velocity"; SGD keeps momentumBuffer/);
  });
});
