"""PyTorch reference numbers for Descent's nn modules (BatchNorm1d train/eval, running stats, grads).

Run with PyTorch 1.13 (float64):  /usr/bin/python3 tools/torch_nn_reference.py
Writes test/fixtures/torch_nn_reference.json, replayed by test/nn/torch_parity.test.ts.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(99)


def batchnorm_case(name, shape, steps=3, **kw):
    C = shape[1]
    bn = torch.nn.BatchNorm1d(C, **kw)
    if bn.affine:
        with torch.no_grad():
            bn.weight.copy_(torch.randn(C, generator=g))
            bn.bias.copy_(torch.randn(C, generator=g))
    case = {"name": name, "numFeatures": C, "options": {}, "steps": []}
    if "momentum" in kw:
        case["options"]["momentum"] = kw["momentum"]
    if "eps" in kw:
        case["options"]["eps"] = kw["eps"]
    if "affine" in kw:
        case["options"]["affine"] = kw["affine"]
    if "track_running_stats" in kw:
        case["options"]["trackRunningStats"] = kw["track_running_stats"]
    case["weight"] = bn.weight.tolist() if bn.affine else None
    case["bias"] = bn.bias.tolist() if bn.affine else None
    for _ in range(steps):
        x = (torch.randn(*shape, generator=g) * 2 + 0.5).requires_grad_(True)
        gy = torch.randn(*shape, generator=g)
        bn.zero_grad()
        bn.train()
        y = bn(x)
        y.backward(gy)
        step = {
            "x": x.tolist(), "gy": gy.tolist(), "y": y.tolist(), "gx": x.grad.tolist(),
            "gWeight": bn.weight.grad.tolist() if bn.affine else None,
            "gBias": bn.bias.grad.tolist() if bn.affine else None,
            "runningMean": bn.running_mean.tolist() if bn.track_running_stats else None,
            "runningVar": bn.running_var.tolist() if bn.track_running_stats else None,
        }
        bn.eval()
        with torch.no_grad():
            step["yEval"] = bn(x).tolist()
        case["steps"].append(step)
    return case


cases = [
    batchnorm_case("nc", (6, 3)),
    batchnorm_case("ncl", (4, 3, 5), momentum=0.3, eps=1e-3),
    batchnorm_case("cumulative_no_affine", (5, 2), momentum=None, affine=False),
    batchnorm_case("no_running_stats", (4, 2, 3), track_running_stats=False),
]
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_nn_reference.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "batchNorm1d": cases}, f, allow_nan=False)
print(f"wrote {len(cases)} BatchNorm1d cases to {path}")
