"""PyTorch reference numbers for Descent's fused linearRelu = relu(F.linear(x, W, b)).

Run with PyTorch 1.13 (float64):  /usr/bin/python3 tools/torch_linear_relu_reference.py
Writes test/fixtures/torch_linear_relu_reference.json, replayed by test/ops/linear_relu.test.ts.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(11)

cases = []
for name, xshape, out_f, bias in [
    ("2-D, bias", [5, 7], 6, True),
    ("3-D, bias", [2, 3, 8], 33, True),
    ("2-D, no bias", [4, 9], 17, False),
    ("one row, wide", [1, 40], 70, True),
]:
    in_f = xshape[-1]
    x = torch.randn(*xshape, generator=g).requires_grad_(True)
    w = torch.randn(out_f, in_f, generator=g).requires_grad_(True)
    b = torch.randn(out_f, generator=g).requires_grad_(True) if bias else None
    y = F.relu(F.linear(x, w, b))
    gy = torch.randn(*y.shape, generator=g)
    y.backward(gy)
    cases.append({
        "name": name,
        "x": x.detach().flatten().tolist(), "xShape": xshape,
        "weight": w.detach().flatten().tolist(), "weightShape": [out_f, in_f],
        "bias": b.detach().tolist() if bias else None,
        "gy": gy.flatten().tolist(),
        "y": y.detach().flatten().tolist(), "yShape": list(y.shape),
        "gx": x.grad.flatten().tolist(), "gw": w.grad.flatten().tolist(),
        "gb": b.grad.tolist() if bias else None,
    })

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_linear_relu_reference.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out, len(cases), "cases")
