#!/usr/bin/env python3
"""PyTorch reference values for the breadth ops (rounding, trig, fmod/remainder, activations,
pad, scans, sort/topk, flip/roll/diag/tril, scatter/scatterReduce, maskedSelect, einsum, ...),
written to test/fixtures/torch_ops_breadth_reference.json in the same case format as
tools/torch_reference.py (read that docstring), replayed by test/parity/breadth_*.test.ts.

    /usr/bin/python3 tools/torch_ops_breadth_reference.py

Differences from torch_reference.py: values may be NaN/Infinity (written as the strings "NaN",
"Infinity", "-Infinity"); a case may set "signedZeros": true (the sign of every zero must
match) or "forwardOnly": true (PyTorch defines no gradient, e.g. floor_divide); boolean outputs
are recorded with dtype "bool" (Descent returns int32 0/1 until its bool dtype lands).
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20261201
rng = np.random.default_rng(SEED)
F64 = torch.float64
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch_ops_breadth_reference.json")
cases = []
NAN, INF = float("nan"), float("inf")


def randn(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def uniform(lo, hi, *shape):
    return rng.uniform(lo, hi, shape)


def away_from_zero(*shape, lo=0.5, hi=2.0):
    return rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def ints(lo, hi, *shape):
    return rng.integers(lo, hi, shape).astype(np.int64)


def distinct(*shape):
    n = int(np.prod(shape)) if shape else 1
    v = (rng.permutation(n) - n / 2) * 0.37 + rng.uniform(-0.1, 0.1, n)
    return v.reshape(shape)


def f64(values):
    return np.array(values, dtype=np.float64)


class T:
    def __init__(self, i):
        self.i = i


a0, a1, a2, a3 = T(0), T(1), T(2), T(3)


def to_json_args(a):
    if isinstance(a, T):
        return {"$t": a.i}
    if isinstance(a, (list, tuple)):
        return [to_json_args(x) for x in a]
    if isinstance(a, dict):
        return {k: to_json_args(v) for k, v in a.items()}
    if isinstance(a, float) and not math.isfinite(a):
        return {"$num": "NaN" if math.isnan(a) else ("Infinity" if a > 0 else "-Infinity")}
    return a


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def flat(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind == "f":
        return [num(x) for x in arr.reshape(-1)]
    if arr.dtype.kind == "b":
        return [int(x) for x in arr.reshape(-1)]
    return [int(x) for x in arr.reshape(-1)]


def case(name, op, inputs, args, fn, grad=None, signed_zeros=False, forward_only=False):
    if grad is None:
        grad = [np.asarray(x).dtype.kind == "f" and not forward_only for x in inputs]
    tins = []
    for x, g in zip(inputs, grad):
        x = np.asarray(x)
        if x.dtype.kind == "f":
            tins.append(torch.tensor(x, dtype=F64, requires_grad=g))
        elif x.dtype.kind == "b":
            tins.append(torch.tensor(x, dtype=torch.bool))
        else:
            tins.append(torch.tensor(x, dtype=torch.int64))
    out = fn(*tins)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    rec_outs = []
    loss = None
    for o in outs:
        entry = {"shape": list(o.shape)}
        if o.is_floating_point():
            assert o.dtype == F64, f"{name}: output dtype {o.dtype}"
            cot = rng.standard_normal(tuple(o.shape))
            entry["dtype"] = "float64"
            entry["values"] = flat(o.detach().numpy())
            entry["cot"] = flat(cot)
            if o.requires_grad:
                term = (o * torch.tensor(cot, dtype=F64)).sum()
                loss = term if loss is None else loss + term
        elif o.dtype == torch.bool:
            entry["dtype"] = "bool"
            entry["values"] = flat(o.numpy())
        else:
            entry["dtype"] = "int32"
            entry["values"] = flat(o.numpy())
        rec_outs.append(entry)
    if loss is None:
        grad = [False] * len(inputs)
    wanted = [t for t, g in zip(tins, grad) if g]
    grads = iter(torch.autograd.grad(loss, wanted, allow_unused=True) if wanted else [])
    rec_ins = []
    for x, t, g in zip(inputs, tins, grad):
        x = np.asarray(x)
        kind = x.dtype.kind
        entry = {"shape": list(x.shape), "dtype": "float64" if kind == "f" else ("bool" if kind == "b" else "int32"), "values": flat(x)}
        if g:
            gr = next(grads)
            entry["grad"] = flat(torch.zeros_like(t) if gr is None else gr.numpy())
        rec_ins.append(entry)
    c = {"name": f"{op}: {name}", "op": op, "args": to_json_args(args), "inputs": rec_ins, "outputs": rec_outs}
    if signed_zeros:
        c["signedZeros"] = True
    if forward_only:
        c["forwardOnly"] = True
    cases.append(c)


# ---------------------------------------------------------------------------------------------
# Rounding: half-to-even ties, signed zeros, infinities; gradient zero (frac: one).

ROUND_EDGES = f64([-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 3.5, -3.7, 3.7, 1e300, -INF, INF, NAN, 0.49999999999999994])
for op, f in {"floor": torch.floor, "ceil": torch.ceil, "round": torch.round, "trunc": torch.trunc}.items():
    case("[2,3,4] random", op, [randn(2, 3, 4, scale=3.0)], [a0], f)
    case("edges: ties, ±0, ±Inf, NaN", op, [ROUND_EDGES], [a0], f, signed_zeros=True)
    case("int32 stays int32", op, [ints(-5, 5, 6)], [a0], f)
case("decimals 2 (ties of the scaled value)", "round", [f64([1.2345, 2.675, 0.125, -0.125, 1234.5, -0.0049])], [a0, {"decimals": 2}],
     lambda x: torch.round(x, decimals=2), signed_zeros=True)
case("decimals -2", "round", [f64([1250.0, 1350.0, -1250.0, 49.0, -49.0, 151.0])], [a0, {"decimals": -2}],
     lambda x: torch.round(x, decimals=-2), signed_zeros=True)
case("random with gradient", "frac", [randn(3, 4, scale=3.0)], [a0], torch.frac)
case("edges", "frac", [f64([-1.5, -0.0, 0.0, 2.0, -2.0, 1e300, INF, -INF, NAN])], [a0], torch.frac, signed_zeros=True)

# ---------------------------------------------------------------------------------------------
# Smooth unary ops, inside their domains, plus the domain edges.

SMOOTH = {
    "tan": (torch.tan, lambda *s: uniform(-1.4, 1.4, *s)),
    "asin": (torch.asin, lambda *s: uniform(-0.95, 0.95, *s)),
    "acos": (torch.acos, lambda *s: uniform(-0.95, 0.95, *s)),
    "atan": (torch.atan, lambda *s: randn(*s, scale=3.0)),
    "sinh": (torch.sinh, lambda *s: randn(*s, scale=2.0)),
    "cosh": (torch.cosh, lambda *s: randn(*s, scale=2.0)),
    "asinh": (torch.asinh, lambda *s: randn(*s, scale=3.0)),
    "acosh": (torch.acosh, lambda *s: uniform(1.1, 5.0, *s)),
    "atanh": (torch.atanh, lambda *s: uniform(-0.95, 0.95, *s)),
    "log2": (torch.log2, lambda *s: uniform(0.1, 10.0, *s)),
    "log10": (torch.log10, lambda *s: uniform(0.1, 100.0, *s)),
    "exp2": (torch.exp2, lambda *s: randn(*s, scale=3.0)),
}
EDGES = {
    "asin": [-1.0, 1.0, 1.5, NAN], "acos": [-1.0, 1.0, -1.5], "atanh": [-1.0, 1.0, 2.0], "acosh": [1.0, 0.5, INF],
    "log2": [0.0, -1.0, INF], "log10": [0.0, -0.0, -1.0], "exp2": [-INF, INF, 1100.0, -1100.0], "tan": [0.0, -0.0],
    "atan": [INF, -INF, -0.0], "sinh": [INF, -INF, 800.0], "cosh": [INF, -INF, 800.0], "asinh": [INF, -INF, -0.0],
}
for op, (f, gen) in SMOOTH.items():
    case("[7]", op, [gen(7)], [a0], f)
    case("[2,3,4]", op, [gen(2, 3, 4)], [a0], f)
    case("0-d", op, [gen()], [a0], f)
    case("domain edges (forward)", op, [f64(EDGES[op])], [a0], f, forward_only=True)

# ---------------------------------------------------------------------------------------------
# NaN/Inf tests (boolean results).

SPECIAL = f64([1.0, NAN, INF, -INF, -0.0, 1e308, -5.0])
for op, f in {"isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite}.items():
    case("specials", op, [SPECIAL], [a0], f)
    case("int32 input", op, [ints(-3, 3, 4)], [a0], f)

# ---------------------------------------------------------------------------------------------
# Binary ops: negative operands, broadcasting, number operands, int32.

NEG_A = f64([-7.5, 7.5, -7.5, 7.5, -4.0, 4.0, 5.0, -5.0, 0.0, -0.0, 3.25, -1.0])
NEG_B = f64([2.0, -2.0, -2.0, 2.0, 2.0, -2.0, 3.0, 3.0, 2.0, 2.0, 0.5, INF])
for op, f in {"fmod": torch.fmod, "remainder": torch.remainder}.items():
    case("negative operands, ±0, Inf divisor (forward)", op, [NEG_A, NEG_B], [a0, a1], f, signed_zeros=True, forward_only=True)
    case("[2,3] and [3] (gradients)", op, [randn(2, 3, scale=4.0), away_from_zero(3, lo=0.7, hi=2.0)], [a0, a1], f)
    case("tensor and number -1.5", op, [randn(5, scale=4.0)], [a0, -1.5], lambda a, f=f: f(a, -1.5))
    case("int32 with negative operands", op, [np.array([-7, 7, -7, 7, 0, 5]), np.array([2, -2, -2, 2, 3, 3])], [a0, a1], f)
case("negative operands, ±0, Inf divisor", "floorDivide", [NEG_A, NEG_B], [a0, a1], torch.floor_divide, signed_zeros=True, forward_only=True)
case("[2,3] and [3]", "floorDivide", [randn(2, 3, scale=4.0), away_from_zero(3)], [a0, a1], torch.floor_divide, forward_only=True)
case("int32 with negative operands", "floorDivide", [np.array([-7, 7, -7, 7, 0, 5]), np.array([2, -2, -2, 2, 3, 3])], [a0, a1], torch.floor_divide)
case("signs incl. ±0 and Inf", "copysign", [f64([1.0, -2.0, 3.0, -4.0, 0.0, 5.0, INF]), f64([-0.0, 0.0, -1.0, 2.0, -3.0, -INF, -1.0])],
     [a0, a1], torch.copysign, signed_zeros=True)
case("[2,3] and [3]", "copysign", [randn(2, 3), away_from_zero(3)], [a0, a1], torch.copysign)
case("tensor and number -1", "copysign", [randn(4)], [a0, -1.0], lambda a: torch.copysign(a, -1.0))
case("[2,3] and [2,1]", "logaddexp", [randn(2, 3, scale=3.0), randn(2, 1, scale=3.0)], [a0, a1], torch.logaddexp)
case("large and infinite (forward)", "logaddexp", [f64([800.0, -800.0, -INF, INF, INF, 1.0]), f64([800.0, -801.0, -INF, INF, -INF, -INF])],
     [a0, a1], torch.logaddexp, forward_only=True)
case("all quadrants", "atan2", [f64([1.0, 1.0, -1.0, -1.0, 0.5, -2.0]), f64([1.0, -1.0, 1.0, -1.0, 0.0, 0.3])], [a0, a1], torch.atan2)
case("[3,1] and [4]", "atan2", [randn(3, 1), randn(4)], [a0, a1], torch.atan2)
case("signed zeros (forward)", "atan2", [f64([0.0, -0.0, 0.0, -0.0]), f64([0.0, 0.0, -0.0, -0.0])], [a0, a1], torch.atan2,
     signed_zeros=True, forward_only=True)
case("number weight 0.3", "lerp", [randn(2, 3), randn(2, 3)], [a0, a1, 0.3], lambda a, b: torch.lerp(a, b, 0.3))
case("number weight 0.8", "lerp", [randn(4), randn(4)], [a0, a1, 0.8], lambda a, b: torch.lerp(a, b, 0.8))
case("tensor weight (broadcast, both branches)", "lerp", [randn(2, 3), randn(3), f64([[0.1, 0.7, -0.4], [1.2, 0.5, 0.49]])],
     [a0, a1, a2], torch.lerp)

# ---------------------------------------------------------------------------------------------
# Activations (functional), with points at and around their kinks.

ACT_X = f64([-25.0, -4.0, -3.0, -2.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 3.0, 4.0, 25.0])
ACTS = {
    "silu": ([], F.silu), "mish": ([], F.mish), "selu": ([], F.selu), "hardswish": ([], F.hardswish),
    "hardsigmoid": ([], F.hardsigmoid), "relu6": ([], F.relu6), "logsigmoid": ([], F.logsigmoid), "softsign": ([], F.softsign),
    "softplus": ([], F.softplus), "elu": ([], F.elu), "celu": ([], F.celu), "hardtanh": ([], F.hardtanh),
    "leakyRelu": ([], F.leaky_relu),
}
for op, (extra, f) in ACTS.items():
    case("kinks and tails", op, [ACT_X], [a0], f)
    case("[2,3,4] random", op, [randn(2, 3, 4, scale=3.0)], [a0], f)
case("beta 2, threshold 5", "softplus", [ACT_X], [a0, 2.0, 5.0], lambda x: F.softplus(x, beta=2.0, threshold=5.0))
case("beta 0.5", "softplus", [randn(6, scale=4.0)], [a0, 0.5], lambda x: F.softplus(x, beta=0.5))
case("alpha 0.5", "elu", [ACT_X], [a0, 0.5], lambda x: F.elu(x, alpha=0.5))
case("alpha 2", "celu", [ACT_X], [a0, 2.0], lambda x: F.celu(x, alpha=2.0))
case("minVal -2, maxVal 2.5 (edges)", "hardtanh", [f64([-3.0, -2.0, -1.0, 0.0, 2.5, 3.0])], [a0, -2.0, 2.5],
     lambda x: F.hardtanh(x, -2.0, 2.5))
case("relu6 edges 0 and 6", "relu6", [f64([-1.0, 0.0, 3.0, 6.0, 7.0])], [a0], F.relu6)
case("slope 0.2", "leakyRelu", [ACT_X], [a0, 0.2], lambda x: F.leaky_relu(x, 0.2))
case("int32 hardtanh", "hardtanh", [ints(-4, 4, 6)], [a0], F.hardtanh)
case("dim 1", "softmin", [randn(3, 4)], [a0, 1], lambda x: F.softmin(x, dim=1))
case("dim 0", "softmin", [randn(3, 4)], [a0, 0], lambda x: F.softmin(x, dim=0))

# normalize: p = 2 / 1 / 3 / inf (with ties) and a zero row.
case("p 2 dim 1 (default)", "normalize", [randn(3, 4)], [a0], F.normalize)
case("p 1 dim 0", "normalize", [randn(3, 4)], [a0, 1, 0], lambda x: F.normalize(x, p=1, dim=0))
case("p 3 dim -1", "normalize", [randn(2, 5)], [a0, 3, -1], lambda x: F.normalize(x, p=3, dim=-1))
case("p inf with a tie", "normalize", [f64([[1.0, -3.0, 3.0], [0.5, 0.2, -0.1]])], [a0, INF, 1], lambda x: F.normalize(x, p=INF, dim=1))
case("zero row (eps)", "normalize", [f64([[0.0, 0.0, 0.0], [1.0, 2.0, -2.0]])], [a0], F.normalize)
case("eps 0.5 active", "normalize", [f64([[0.1, 0.2], [3.0, 4.0]])], [a0, 2, 1, 0.5], lambda x: F.normalize(x, 2, 1, 0.5))
case("ord 2 over all dims", "vectorNorm", [randn(2, 3)], [a0], lambda x: torch.linalg.vector_norm(x))
case("ord 1 dim 1 keepDim", "vectorNorm", [randn(2, 3)], [a0, 1, 1, True], lambda x: torch.linalg.vector_norm(x, 1, 1, True))
case("ord 0.5 dim 0", "vectorNorm", [away_from_zero(3, 2)], [a0, 0.5, 0], lambda x: torch.linalg.vector_norm(x, 0.5, 0))
case("ord 3 dims [0,1]", "vectorNorm", [randn(2, 3, 2)], [a0, 3, [0, 1]], lambda x: torch.linalg.vector_norm(x, 3, [0, 1]))
case("ord -inf dim 1", "vectorNorm", [distinct(2, 4)], [a0, -INF, 1], lambda x: torch.linalg.vector_norm(x, -INF, 1))
case("zero vector ord 2", "vectorNorm", [f64([[0.0, 0.0], [1.0, 1.0]])], [a0, 2, 1], lambda x: torch.linalg.vector_norm(x, 2, 1))

# oneHot (int64 in PyTorch, int32 here).
case("numClasses 4", "oneHot", [np.array([[0, 3], [2, 1]])], [a0, 4], lambda t: F.one_hot(t, 4))
case("inferred numClasses", "oneHot", [np.array([1, 0, 4])], [a0], F.one_hot)

# pad: constant (incl. negative), reflect and replicate at their limits, circular.
case("constant last dim", "pad", [randn(2, 3)], [a0, [1, 2]], lambda x: F.pad(x, (1, 2)))
case("constant two dims value 1.5", "pad", [randn(2, 3, 2)], [a0, [1, 0, 2, 1], "constant", 1.5], lambda x: F.pad(x, (1, 0, 2, 1), value=1.5))
case("constant negative (crop) and positive", "pad", [randn(2, 5)], [a0, [-1, 2, 1, -1]], lambda x: F.pad(x, (-1, 2, 1, -1)))
case("constant all three dims", "pad", [randn(2, 2, 2)], [a0, [1, 1, 0, 1, 1, 0]], lambda x: F.pad(x, (1, 1, 0, 1, 1, 0)))
case("reflect 1 dim at the limit (size-1)", "pad", [randn(2, 4)], [a0, [3, 3], "reflect"], lambda x: F.pad(x, (3, 3), mode="reflect"))
case("reflect 2 dims", "pad", [randn(1, 3, 4)], [a0, [2, 1, 1, 2], "reflect"], lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"))
case("reflect negative", "pad", [randn(1, 5)], [a0, [-1, 2], "reflect"], lambda x: F.pad(x, (-1, 2), mode="reflect"))
case("replicate 1 dim, more than the size", "pad", [randn(2, 3)], [a0, [4, 2], "replicate"], lambda x: F.pad(x, (4, 2), mode="replicate"))
case("replicate 2 dims", "pad", [randn(2, 2, 3)], [a0, [1, 2, 2, 0], "replicate"], lambda x: F.pad(x, (1, 2, 2, 0), mode="replicate"))
case("circular 2 dims", "pad", [randn(1, 1, 3, 4)], [a0, [2, 1, 1, 3], "circular"], lambda x: F.pad(x, (2, 1, 1, 3), mode="circular"))

# ---------------------------------------------------------------------------------------------
# Shape ops.

case("dims [0,2]", "flip", [randn(2, 3, 4)], [a0, [0, 2]], lambda x: torch.flip(x, [0, 2]))
case("dim -1", "flip", [randn(3, 4)], [a0, [-1]], lambda x: torch.flip(x, [-1]))
case("shift 2 without dims (flattened)", "roll", [randn(2, 3)], [a0, 2], lambda x: torch.roll(x, 2))
case("shifts [1,-1] dims [0,1]", "roll", [randn(2, 3)], [a0, [1, -1], [0, 1]], lambda x: torch.roll(x, (1, -1), (0, 1)))
case("shift larger than the size", "roll", [randn(4, 3)], [a0, 7, 0], lambda x: torch.roll(x, 7, 0))
case("1-D to matrix, offset 1", "diag", [randn(3)], [a0, 1], lambda x: torch.diag(x, 1))
case("1-D to matrix, offset -2", "diag", [randn(2)], [a0, -2], lambda x: torch.diag(x, -2))
case("matrix diagonal -1", "diag", [randn(3, 4)], [a0, -1], lambda x: torch.diag(x, -1))
case("3-D offset 1 dims (2, 0)", "diagonal", [randn(2, 3, 4)], [a0, 1, 2, 0], lambda x: torch.diagonal(x, 1, 2, 0))
case("default on [3,4]", "diagonal", [randn(3, 4)], [a0], torch.diagonal)
case("offset -1 dims (-1, -2)", "diagonal", [randn(2, 4, 3)], [a0, -1, -1, -2], lambda x: torch.diagonal(x, -1, -1, -2))
case("offset beyond the matrix (empty)", "diagonal", [randn(2, 3)], [a0, 5], lambda x: torch.diagonal(x, 5))
for op, f in {"tril": torch.tril, "triu": torch.triu}.items():
    case("[3,4]", op, [randn(3, 4)], [a0], f)
    case("batched [2,3,3] diagonal 1", op, [randn(2, 3, 3)], [a0, 1], lambda x, f=f: f(x, 1))
    case("[4,3] diagonal -1", op, [randn(4, 3)], [a0, -1], lambda x, f=f: f(x, -1))
case("dim 1 into [2,-1]", "unflatten", [randn(3, 6)], [a0, 1, [2, -1]], lambda x: torch.unflatten(x, 1, (2, -1)))
case("dim -1 into [2,2,1]", "unflatten", [randn(2, 4)], [a0, -1, [2, 2, 1]], lambda x: torch.unflatten(x, -1, (2, 2, 1)))
case("[2,3] by [2,1,2]", "repeat", [randn(2, 3)], [a0, [2, 1, 2]], lambda x: x.repeat(2, 1, 2))
case("[3] by [2,2]", "repeat", [randn(3)], [a0, [2, 2]], lambda x: x.repeat(2, 2))
case("number, no dim (flattened)", "repeatInterleave", [randn(2, 2)], [a0, 2], lambda x: torch.repeat_interleave(x, 2))
case("tensor repeats dim 0", "repeatInterleave", [randn(3, 2), np.array([1, 0, 3])], [a0, a1, 0],
     lambda x, r: torch.repeat_interleave(x, r, dim=0))
case("number dim -1", "repeatInterleave", [randn(2, 3)], [a0, 3, -1], lambda x: torch.repeat_interleave(x, 3, dim=-1))

# ---------------------------------------------------------------------------------------------
# Scans.

case("dim 1", "cumsum", [randn(3, 4)], [a0, 1], lambda x: torch.cumsum(x, 1))
case("dim 0 of [3,2,2]", "cumsum", [randn(3, 2, 2)], [a0, 0], lambda x: torch.cumsum(x, 0))
case("int32", "cumsum", [ints(-5, 5, 2, 4)], [a0, -1], lambda x: torch.cumsum(x, -1))
case("dim 1 random", "cumprod", [away_from_zero(3, 4)], [a0, 1], lambda x: torch.cumprod(x, 1))
case("one zero per row, at different places", "cumprod",
     [f64([[0.0, 2.0, 3.0, 0.5], [1.5, 0.0, -2.0, 3.0], [2.0, -1.0, 0.5, 0.0]])], [a0, 1], lambda x: torch.cumprod(x, 1))
case("two zeros in a row", "cumprod", [f64([[2.0, 0.0, 3.0, 0.0, 4.0], [0.0, 0.0, 1.0, 2.0, 3.0]])], [a0, 1], lambda x: torch.cumprod(x, 1))
case("zeros along dim 0", "cumprod", [f64([[1.5, 0.0], [0.0, 2.0], [3.0, -1.0]])], [a0, 0], lambda x: torch.cumprod(x, 0))
case("dim 1", "logcumsumexp", [randn(3, 5, scale=3.0)], [a0, 1], lambda x: torch.logcumsumexp(x, 1))
case("large values dim 0", "logcumsumexp", [randn(4, 2) + 700.0], [a0, 0], lambda x: torch.logcumsumexp(x, 0))
case("-inf entries", "logcumsumexp", [f64([[-INF, 1.0, -INF, 2.0]])], [a0, 1], lambda x: torch.logcumsumexp(x, 1))
for op, f in {"cummax": torch.cummax, "cummin": torch.cummin}.items():
    case("dim 1 random", op, [distinct(3, 5)], [a0, 1], lambda x, f=f: tuple(f(x, 1)))
    case("ties take the latest index", op, [f64([[1.0, 1.0, 2.0, 2.0, 1.0], [3.0, 0.0, 0.0, 3.0, 3.0]])], [a0, 1], lambda x, f=f: tuple(f(x, 1)))
    case("dim 0", op, [distinct(4, 2)], [a0, 0], lambda x, f=f: tuple(f(x, 0)))
    case("NaN propagates (forward)", op, [f64([1.0, NAN, 2.0, NAN, 3.0])], [a0, 0], lambda x, f=f: tuple(f(x, 0)), forward_only=True)

# ---------------------------------------------------------------------------------------------
# Sorting (stable; ties keep their order; NaN is the largest).

case("last dim", "sort", [distinct(3, 5)], [a0], lambda x: tuple(torch.sort(x)))
case("dim 0 descending", "sort", [distinct(4, 3)], [a0, 0, True], lambda x: tuple(torch.sort(x, 0, True)))
case("ties stable ascending", "sort", [f64([[2.0, 1.0, 2.0, 1.0, 0.5], [3.0, 3.0, 3.0, -1.0, 3.0]])], [a0, 1, False, {"stable": True}],
     lambda x: tuple(torch.sort(x, dim=1, descending=False, stable=True)))
case("ties stable descending", "sort", [f64([[2.0, 1.0, 2.0, 1.0, 0.5], [3.0, 3.0, 3.0, -1.0, 3.0]])], [a0, 1, True, {"stable": True}],
     lambda x: tuple(torch.sort(x, dim=1, descending=True, stable=True)))
case("NaN and infinities (forward)", "sort", [f64([1.0, NAN, -INF, 2.0, INF, -1.0])], [a0], lambda x: tuple(torch.sort(x)), forward_only=True)
case("NaN and infinities descending (forward)", "sort", [f64([1.0, NAN, -INF, 2.0, INF, -1.0])], [a0, 0, True],
     lambda x: tuple(torch.sort(x, 0, True)), forward_only=True)
case("ties", "argsort", [f64([[2.0, 1.0, 2.0, 1.0], [0.0, 0.0, -1.0, 5.0]])], [a0, 1], lambda x: torch.sort(x, dim=1, stable=True)[1])
case("descending dim 0", "argsort", [distinct(3, 2)], [a0, 0, True], lambda x: torch.argsort(x, 0, True))
case("k 2 largest last dim", "topk", [distinct(3, 5)], [a0, 2], lambda x: tuple(torch.topk(x, 2)))
case("k 3 smallest dim 0", "topk", [distinct(4, 3)], [a0, 3, 0, False], lambda x: tuple(torch.topk(x, 3, 0, False)))
case("k = size", "topk", [distinct(2, 4)], [a0, 4, 1], lambda x: tuple(torch.topk(x, 4, 1)))
case("k 0", "topk", [distinct(2, 4)], [a0, 0, 1], lambda x: tuple(torch.topk(x, 0, 1)))

# ---------------------------------------------------------------------------------------------
# Scatter (torch.scatter, out of place) and scatterReduce (torch.scatter_reduce).

SC_INDEX = np.array([[0, 2, 0, 1], [2, 2, 0, 0]])  # dim 1 of a [2,3] input: repeats and an untouched column
case("dim 1, distinct positions", "scatter", [randn(2, 4), np.array([[3, 0, 1], [1, 2, 0]]), randn(2, 3)], [a0, 1, a1, a2],
     lambda x, i, s: torch.scatter(x, 1, i, s))
# PyTorch 1.13's backward rejects a src larger than index (ScatterBackward0 shape error): forward only.
case("dim 0, src larger than index (forward)", "scatter", [randn(3, 2), np.array([[2, 0]]), randn(2, 3)], [a0, 0, a1, a2],
     lambda x, i, s: torch.scatter(x, 0, i, s), forward_only=True)
case("number value", "scatter", [randn(2, 3), np.array([[1], [0]])], [a0, 1, a1, 7.5], lambda x, i: torch.scatter(x, 1, i, 7.5))
for red in ["sum", "prod", "mean", "amax", "amin"]:
    for inc in [True, False]:
        src = distinct(2, 4) if red in ("amax", "amin") else away_from_zero(2, 4)
        x = distinct(2, 3) if red in ("amax", "amin") else away_from_zero(2, 3)
        case(f"{red} includeSelf {inc}", "scatterReduce", [x, SC_INDEX, src], [a0, 1, a1, a2, red, {"includeSelf": inc}],
             lambda x, i, s, red=red, inc=inc: torch.scatter_reduce(x, 1, i, s, red, include_self=inc))
case("prod with zeros in self and src", "scatterReduce",
     [f64([[0.0, 2.0, 3.0], [1.5, 0.0, -2.0]]), SC_INDEX, f64([[0.5, 0.0, 2.0, 3.0], [1.5, -1.0, 0.0, 0.0]])],
     [a0, 1, a1, a2, "prod"], lambda x, i, s: torch.scatter_reduce(x, 1, i, s, "prod"))
case("amax with ties", "scatterReduce", [f64([[1.0, 5.0, 2.0], [0.0, 0.0, 3.0]]), SC_INDEX, f64([[1.0, 2.0, 1.0, 0.5], [3.0, 1.0, 0.0, 0.0]])],
     [a0, 1, a1, a2, "amax"], lambda x, i, s: torch.scatter_reduce(x, 1, i, s, "amax"))
case("amin with ties, includeSelf false", "scatterReduce",
     [f64([[1.0, 5.0, 2.0], [0.0, 0.0, 3.0]]), SC_INDEX, f64([[1.0, 2.0, 1.0, 0.5], [3.0, 1.0, 0.0, 0.0]])],
     [a0, 1, a1, a2, "amin", {"includeSelf": False}], lambda x, i, s: torch.scatter_reduce(x, 1, i, s, "amin", include_self=False))
case("mean dim 0", "scatterReduce", [randn(2, 3), np.array([[1, 0, 1], [1, 1, 0]]), randn(2, 3)], [a0, 0, a1, a2, "mean"],
     lambda x, i, s: torch.scatter_reduce(x, 0, i, s, "mean"))
case("int32 mean floors", "scatterReduce", [np.array([[1, 2, 3]]), np.array([[0, 0, 2, 2]]), np.array([[4, 4, -4, 0]])],
     [a0, 1, a1, a2, "mean"], lambda x, i, s: torch.scatter_reduce(x, 1, i, s, "mean"))

# ---------------------------------------------------------------------------------------------
# Logic and mask selection (bool results).

case("mask [2,3]", "maskedSelect", [randn(2, 3), np.array([[True, False, True], [False, False, True]])], [a0, a1], torch.masked_select)
case("mask broadcast [3] over [2,3]", "maskedSelect", [randn(2, 3), np.array([False, True, True])], [a0, a1], torch.masked_select)
case("x broadcast [3] over mask [2,3]", "maskedSelect", [randn(3), np.array([[True, False, True], [True, True, False]])], [a0, a1],
     torch.masked_select)
case("float [2,3]", "nonzero", [f64([[0.0, 1.5, 0.0], [NAN, 0.0, -2.0]])], [a0], torch.nonzero)
case("int32 [2,2,2]", "nonzero", [ints(0, 2, 2, 2, 2)], [a0], torch.nonzero)
case("0-d nonzero", "nonzero", [f64(3.0)], [a0], torch.nonzero)
case("all zeros", "nonzero", [np.zeros((2, 3))], [a0], torch.nonzero)
case("asTuple [2,3]", "nonzero", [f64([[0.0, 1.5, 0.0], [NAN, 0.0, -2.0]])], [a0, {"asTuple": True}], lambda x: torch.nonzero(x, as_tuple=True))
case("asTuple 0-d", "nonzero", [f64(2.0)], [a0, {"asTuple": True}], lambda x: torch.nonzero(x, as_tuple=True))
for op, f in {"any": torch.any, "all": torch.all}.items():
    case("whole tensor", op, [f64([[0.0, 1.0], [2.0, 3.0]])], [a0], f)
    case("dim 1", op, [f64([[0.0, 0.0], [2.0, 0.0], [1.0, NAN]])], [a0, 1], lambda x, f=f: f(x, 1))
    case("dim 0 keepDim", op, [f64([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])], [a0, 0, True], lambda x, f=f: f(x, 0, True))
    case("empty", op, [np.zeros((0,))], [a0], f)
    case("int32", op, [np.array([[0, 3], [1, 1]])], [a0, 1], lambda x, f=f: f(x, 1))
CLOSE_A = f64([1.0, 1.0, INF, INF, -INF, NAN, NAN, 0.0, 1e-9, 100.0])
CLOSE_B = f64([1.0 + 1e-6, 1.0 + 1e-4, INF, -INF, -INF, NAN, 1.0, 1e-9, 0.0, 100.001])
case("defaults with infinities and NaN", "isclose", [CLOSE_A, CLOSE_B], [a0, a1], torch.isclose)
case("equalNan, rtol 1e-3", "isclose", [CLOSE_A, CLOSE_B], [a0, a1, 1e-3, 1e-8, True], lambda a, b: torch.isclose(a, b, 1e-3, 1e-8, True))
case("atol 0.1 broadcast", "isclose", [randn(2, 3), randn(3)], [a0, a1, 0.0, 1.5], lambda a, b: torch.isclose(a, b, 0.0, 1.5))

# ---------------------------------------------------------------------------------------------
# einsum: matmul-like contractions, batch, outer, trace/diagonal, implicit output, ellipsis, broadcasting.

case("ij,jk->ik", "einsum", [randn(2, 3), randn(3, 4)], ["ij,jk->ik", a0, a1], lambda a, b: torch.einsum("ij,jk->ik", a, b))
case("bij,bjk->bik", "einsum", [randn(2, 3, 4), randn(2, 4, 2)], ["bij,bjk->bik", a0, a1], lambda a, b: torch.einsum("bij,bjk->bik", a, b))
case("bhqd,bhkd->bhqk (attention scores)", "einsum", [randn(2, 2, 3, 4), randn(2, 2, 5, 4)], ["bhqd,bhkd->bhqk", a0, a1],
     lambda a, b: torch.einsum("bhqd,bhkd->bhqk", a, b))
case("i,j->ij (outer)", "einsum", [randn(3), randn(4)], ["i,j->ij", a0, a1], lambda a, b: torch.einsum("i,j->ij", a, b))
case("i,i-> (dot)", "einsum", [randn(5), randn(5)], ["i,i->", a0, a1], lambda a, b: torch.einsum("i,i->", a, b))
case("ii (trace, implicit)", "einsum", [randn(3, 3)], ["ii", a0], lambda a: torch.einsum("ii", a))
case("ii->i (diagonal)", "einsum", [randn(3, 3)], ["ii->i", a0], lambda a: torch.einsum("ii->i", a))
case("ij->ji (transpose)", "einsum", [randn(2, 3)], ["ij->ji", a0], lambda a: torch.einsum("ij->ji", a))
case("ba (implicit output sorted)", "einsum", [randn(2, 3)], ["ba", a0], lambda a: torch.einsum("ba", a))
case("ij-> (sum)", "einsum", [randn(2, 3)], ["ij->", a0], lambda a: torch.einsum("ij->", a))
case("ij,jk,kl->il (chain of three)", "einsum", [randn(2, 3), randn(3, 4), randn(4, 2)], ["ij,jk,kl->il", a0, a1, a2],
     lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c))
case("ijk,ikl->jl (contract and sum a batch label)", "einsum", [randn(2, 3, 4), randn(2, 4, 5)], ["ijk,ikl->jl", a0, a1],
     lambda a, b: torch.einsum("ijk,ikl->jl", a, b))
case("...ij,...jk->...ik with broadcast ellipsis", "einsum", [randn(2, 1, 3, 4), randn(5, 4, 2)], ["...ij,...jk->...ik", a0, a1],
     lambda a, b: torch.einsum("...ij,...jk->...ik", a, b))
case("...j->j (ellipsis summed)", "einsum", [randn(2, 3, 4)], ["...j->j", a0], lambda a: torch.einsum("...j->j", a))
case("bi...,bi->b... ", "einsum", [randn(2, 3, 4), randn(2, 3)], ["bi...,bi->b...", a0, a1], lambda a, b: torch.einsum("bi...,bi->b...", a, b))
case("ij,jk->ik with size-1 broadcast", "einsum", [randn(3, 1), randn(4, 2)], ["ij,jk->ik", a0, a1], lambda a, b: torch.einsum("ij,jk->ik", a, b))
case("iij->ji (repeated label plus batch)", "einsum", [randn(3, 3, 2)], ["iij->ji", a0], lambda a: torch.einsum("iij->ji", a))
case("i j , j k -> i k (spaces)", "einsum", [randn(2, 3), randn(3, 2)], [" i j , j k -> i k", a0, a1], lambda a, b: torch.einsum("ij,jk->ik", a, b))
case("operands as one list", "einsum", [randn(2, 3), randn(3)], ["ij,j->i", [a0, a1]], lambda a, b: torch.einsum("ij,j->i", [a, b]))
case("int32 ij,jk->ik", "einsum", [ints(-3, 3, 2, 3), ints(-3, 3, 3, 2)], ["ij,jk->ik", a0, a1], lambda a, b: torch.einsum("ij,jk->ik", a, b))

# ---------------------------------------------------------------------------------------------
# Edge-value sweep (appended last so the random draws of the cases above stay as they were):
# sign of NaN/±0, the inverse trig/hyperbolic and log/exp-base ops over one list of edges,
# round with positive, negative and out-of-range decimals, and the binary ops over a grid of
# signed zeros, infinities, NaN and negative divisors. Points where PyTorch's vectorized CPU
# kernels disagree with its own scalar path (sinh/cosh(710) overflow to Inf, tan of a subnormal
# flushed to 0, fmod(1e300, 1e-300) = NaN) are left out: Descent follows the scalar path there.

case("edges: NaN is 0, -0 is +0 (PyTorch's (0 < x) - (x < 0))", "sign",
     [f64([NAN, -0.0, 0.0, INF, -INF, -2.0, 3.5, 1e-300, -5e-324])], [a0], torch.sign, signed_zeros=True)
case("[2,3] random (gradient zero)", "sign", [randn(2, 3)], [a0], torch.sign)
case("int32 keeps int32", "sign", [ints(-3, 4, 7)], [a0], torch.sign)

EDGE_X = f64([-INF, -3.5, -2.5, -1.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.5, 3.5, INF, NAN, 1e-300, -1e-300, 1e308, -1e308,
              -7.25, 0.49999999999999994, 2.0 ** 52 + 1, 0.1, -0.9, 0.99, 1.01, 709.0, -745.0, 1100.0, 20.0, -20.0, 1e-8, 1e16])
for op in ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "tan", "log2", "log10", "exp2"]:
    case("edge sweep: ±0, ±Inf, NaN, tiny, huge, outside the domain (forward)", op, [EDGE_X], [a0], getattr(torch, op),
         signed_zeros=True, forward_only=True)
for op in ["floor", "ceil", "round", "trunc", "frac"]:
    case("edge sweep (forward)", op, [EDGE_X], [a0], getattr(torch, op), signed_zeros=True, forward_only=True)
for dec in [1, 3, -1, -3, 20, 400, -400]:
    case(f"edge sweep, decimals {dec} (forward)", "round", [EDGE_X], [a0, {"decimals": dec}],
         lambda x, dec=dec: torch.round(x, decimals=dec), signed_zeros=True, forward_only=True)
case("half-to-even ties at decimals -1 and the scaled value", "round", [f64([15.0, 25.0, -25.0, 35.0, 5.0, -5.0, 45.0, 0.0])],
     [a0, {"decimals": -1}], lambda x: torch.round(x, decimals=-1), signed_zeros=True)

GRID = [-INF, -7.5, -2.0, -1.0, -0.0, 0.0, 0.3, 1.0, 2.0, 7.5, INF, NAN, -0.3, 1e-300, 1e300]
GRID_A = f64([a for a in GRID for b in GRID if not (abs(a) == 1e300 and abs(b) == 1e-300)])
GRID_B = f64([b for a in GRID for b in GRID if not (abs(a) == 1e300 and abs(b) == 1e-300)])
for op, f in {"fmod": torch.fmod, "remainder": torch.remainder, "floorDivide": torch.floor_divide, "copysign": torch.copysign,
              "logaddexp": torch.logaddexp, "atan2": torch.atan2}.items():
    case("edge grid: ±0, ±Inf, NaN, negative and zero divisors (forward)", op, [GRID_A, GRID_B], [a0, a1], f,
         signed_zeros=True, forward_only=True)
INT_A = np.array([a for a in [-7, -1, 0, 1, 7, -8, 8, 2 ** 31 - 1, -2 ** 31 + 1] for b in [-3, -1, 1, 3, 2, -2]])
INT_B = np.array([b for a in [-7, -1, 0, 1, 7, -8, 8, 2 ** 31 - 1, -2 ** 31 + 1] for b in [-3, -1, 1, 3, 2, -2]])
for op, f in {"fmod": torch.fmod, "remainder": torch.remainder, "floorDivide": torch.floor_divide}.items():
    case("int32 grid with negative divisors and int32 extremes", op, [INT_A, INT_B], [a0, a1], f)


def main():
    head = {"generator": "tools/torch_ops_breadth_reference.py", "torch": torch.__version__, "seed": SEED,
            "gradient": "d sum_k(output_k * cot_k) / d input"}
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases]
    text = "{\"meta\":" + json.dumps(head, separators=(",", ":")) + ",\n\"cases\":[\n" + ",\n".join(lines) + "\n]}\n"
    json.loads(text)
    with open(OUT_PATH, "w") as fh:
        fh.write(text)
    print(f"wrote {len(cases)} cases over {len({c['op'] for c in cases})} ops, {len(text) / 1e6:.2f} MB -> {os.path.normpath(OUT_PATH)}")


if __name__ == "__main__":
    main()
