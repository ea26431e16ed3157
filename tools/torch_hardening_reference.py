#!/usr/bin/env python3
"""PyTorch reference values for Descent's edge-case regression tests (issue 11, "wrong results"),
written to test/fixtures/torch_hardening_reference.json. Run with the Python that has torch:

    /usr/bin/python3 tools/torch_hardening_reference.py

Everything is float64. Each case records the inputs, PyTorch's output (values and shape) and
the gradient of sum(output * cot) with respect to every float input, or, where PyTorch refuses
the input, `error` (the exception type and message) so the tests can check Descent refuses it too.
NaN and +-Inf are written as the strings "nan", "inf", "-inf" (JSON has no such numbers).
"""

import json
import math
import os

import torch

F64 = torch.float64
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures",
                        "torch_hardening_reference.json")


def enc(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def flat(t):
    return [enc(float(x)) if t.is_floating_point() else int(x) for x in t.detach().reshape(-1).tolist()]


def record(fn, inputs, cot_scale=1.5):
    """Run fn on float64 leaves built from `inputs` (lists or numbers) and record output + grads."""
    leaves = [torch.tensor(v, dtype=F64, requires_grad=True) for v in inputs]
    try:
        out = fn(*leaves)
    except Exception as e:  # PyTorch refuses the input: the test expects Descent to refuse too
        return {"error": {"type": type(e).__name__, "message": str(e)}}
    rec = {"inputs": [{"shape": list(l.shape), "values": flat(l)} for l in leaves],
           "output": {"shape": list(out.shape), "dtype": str(out.dtype).replace("torch.", ""), "values": flat(out)}}
    if out.is_floating_point():
        cot = torch.full_like(out, cot_scale)
        grads = torch.autograd.grad((out * cot).sum(), leaves, allow_unused=True)
        rec["output"]["cot"] = flat(cot)
        rec["grads"] = [None if g is None else flat(g) for g in grads]
    return rec


cases = {}

# 1. Reductions with an explicit dim on a 0-d tensor (PyTorch accepts 0 and -1, refuses 1).
reductions = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "prod": lambda x, d, k: x.prod(d, keepdim=k),
    "amax": lambda x, d, k: x.amax(d, keepdim=k),
    "amin": lambda x, d, k: x.amin(d, keepdim=k),
    "var": lambda x, d, k: x.var(d, keepdim=k),
    "std": lambda x, d, k: x.std(d, keepdim=k),
    "var0": lambda x, d, k: torch.var(x, d, unbiased=False, keepdim=k),
    "logsumexp": lambda x, d, k: x.logsumexp(d, keepdim=k),
    "max": lambda x, d, k: x.max(d, keepdim=k).values,
    "min": lambda x, d, k: x.min(d, keepdim=k).values,
    "argmax": lambda x, d, k: x.argmax(d, keepdim=k),
    "argmin": lambda x, d, k: x.argmin(d, keepdim=k),
    "softmax": lambda x, d, k: x.softmax(d),
    "logSoftmax": lambda x, d, k: x.log_softmax(d),
}
for name, fn in reductions.items():
    for d in (0, -1, 1):
        for k in (False, True):
            cases[f"reduce0d/{name}/dim={d}/keepDim={k}"] = {
                "op": name, "dim": d, "keepDim": k,
                **record(lambda x, fn=fn, d=d, k=k: fn(x, d, k), [2.5]),
            }

# 2. Integers to negative integer powers: a scalar exponent is refused; a tensor exponent is not.
t = torch.tensor([1, 2, 3, 4], dtype=torch.int32)
for name, fn in {
    "int32.pow(-1)": lambda: t.pow(-1),
    "int32.pow(-2)": lambda: t.pow(-2),
    "int32.pow(2)": lambda: t.pow(2),
    "int32.pow(0)": lambda: t.pow(0),
    "int32.pow(tensor[-1,-1,1,2])": lambda: t.pow(torch.tensor([-1, -1, 1, 2], dtype=torch.int32)),
}.items():
    try:
        out = fn()
        cases[f"intpow/{name}"] = {"output": {"shape": list(out.shape), "dtype": str(out.dtype).replace("torch.", ""), "values": flat(out)}}
    except Exception as e:
        cases[f"intpow/{name}"] = {"error": {"type": type(e).__name__, "message": str(e)}}

# 3. a ** b: d/db is masked to 0 only where a == 0 and b >= 0 (so -inf/nan where b < 0).
base = [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, -2.0, 0.5, 0.0]
expo = [-1.0, -2.5, 0.0, 2.0, 0.5, -1.0, 2.0, -0.5, float("nan")]
cases["pow/tensor**tensor"] = record(lambda a, b: a ** b, [base, expo])
cases["pow/tensor**scalar=-1"] = record(lambda a: a ** -1.0, [[0.0, 2.0, -0.5]])
cases["pow/tensor**scalar=0"] = record(lambda a: a ** 0.0, [[0.0, 2.0, -0.5]])
cases["pow/scalar0**tensor"] = record(lambda b: torch.pow(0.0, b), [[-1.0, 0.0, 2.0, -0.5]])
cases["pow/scalar2**tensor"] = record(lambda b: torch.pow(2.0, b), [[-1.0, 0.0, 2.0]])

# 4. maximum/minimum: ties split grad/2 each; a NaN on either side sends the full grad to both.
nan = float("nan")
a = [nan, 1.0, 2.0, 3.0, nan, 0.0, -1.0]
b = [1.0, nan, 2.0, 1.0, nan, 5.0, -1.0]
cases["maximum"] = record(torch.maximum, [a, b])
cases["minimum"] = record(torch.minimum, [a, b])
cases["maximum/broadcast"] = record(torch.maximum, [[[nan], [1.0]], [1.0, 0.5, nan]])

with open(OUT_PATH, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT_PATH)}")
