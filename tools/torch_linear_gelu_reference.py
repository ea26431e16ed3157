"""PyTorch reference numbers for Descent's fused linearGelu = gelu(F.linear(x, W, b)).

Run with PyTorch 1.13 (float64):  /usr/bin/python3 tools/torch_linear_gelu_reference.py
Writes test/fixtures/torch_linear_gelu_reference.json, replayed by test/ops/linear_gelu.test.ts.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(7)

cases = []
for name, xshape, out_f, bias, approx in [
    ("2-D, bias, exact", [5, 7], 6, True, "none"),
    ("3-D, bias, tanh", [2, 3, 8], 33, True, "tanh"),
    ("2-D, no bias, exact", [4, 9], 17, False, "none"),
    ("wide tails, bias, exact", [3, 4], 5, True, "none"),
]:
    in_f = xshape[-1]
    scale = 4.0 if name.startswith("wide") else 1.0
    x = (torch.randn(*xshape, generator=g) * scale).requires_grad_(True)
    w = torch.randn(out_f, in_f, generator=g).requires_grad_(True)
    b = torch.randn(out_f, generator=g).requires_grad_(True) if bias else None
    y = F.gelu(F.linear(x, w, b), approximate=approx)
    gy = torch.randn(*y.shape, generator=g)
    y.backward(gy)
    cases.append({
        "name": name, "approximate": approx,
        "x": x.detach().flatten().tolist(), "xShape": xshape,
        "weight": w.detach().flatten().tolist(), "weightShape": [out_f, in_f],
        "bias": b.detach().tolist() if bias else None,
        "gy": gy.flatten().tolist(),
        "y": y.detach().flatten().tolist(), "yShape": list(y.shape),
        "gx": x.grad.flatten().tolist(), "gw": w.grad.flatten().tolist(),
        "gb": b.grad.tolist() if bias else None,
    })

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_linear_gelu_reference.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out, len(cases), "cases")
