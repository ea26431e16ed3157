#!/usr/bin/env python3
"""PyTorch reference values for Descent's autograd core: every op's forward output and the
gradient of every float input, written to test/fixtures/torch_reference.json.

Run with the Python that has torch (Debian's python3-torch, 1.13 here):

    /usr/bin/python3 tools/torch_reference.py

Everything is float64 and deterministic (fixed numpy seed). For each case we record:
  - op:      Descent's function name (test/parity/ maps it to the Descent call),
  - args:    Descent's positional arguments as JSON; {"$t": i} stands for input tensor i
             (lists and option objects may hold such references; null means "omitted"),
  - inputs:  shape, dtype ("float64" or "int32"), flat row-major values, and, for every input
             PyTorch differentiates, `grad`: d sum_k(output_k * cot_k) / d input,
  - outputs: shape, dtype, flat values and, for float outputs, the fixed random cotangent `cot`.
Using a random cotangent instead of a plain sum makes the check cover every output element's
contribution to the gradient, not just their total.

The torch side is written independently of Descent's argument order: each case carries a
lambda that computes the same thing with torch (1.13 has no F.scaled_dot_product_attention,
so attention is composed from matmul/softmax as its definition states).
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20261129
rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)  # nothing below samples with torch; kept for completeness
F64 = torch.float64

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch_reference.json")

cases = []


# ---------------------------------------------------------------------------------------------
# Input generators. Values are float64 numpy arrays; ints are int64 numpy arrays.

def randn(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def positive(*shape, lo=0.5, hi=2.0):
    """Strictly positive values (log, sqrt, pow bases, divisors)."""
    return rng.uniform(lo, hi, shape)


def away_from_zero(*shape, lo=0.5, hi=2.0):
    """Random sign, magnitude in [lo, hi]: divisors, abs/relu inputs with no kink at 0."""
    return rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def ints(lo, hi, *shape):
    return rng.integers(lo, hi, shape).astype(np.int64)


def mask01(*shape, p=0.5):
    return (rng.random(shape) < p).astype(np.int64)


def distinct(*shape):
    """Values with no ties (a shuffled arithmetic ladder plus jitter): max/min/argmax."""
    n = int(np.prod(shape)) if shape else 1
    v = (rng.permutation(n) - n / 2) * 0.37 + rng.uniform(-0.1, 0.1, n)
    return v.reshape(shape)


class T:
    """A reference to input tensor i inside `args`."""

    def __init__(self, i):
        self.i = i


def to_json_args(a):
    if isinstance(a, T):
        return {"$t": a.i}
    if isinstance(a, (list, tuple)):
        return [to_json_args(x) for x in a]
    if isinstance(a, dict):
        return {k: to_json_args(v) for k, v in a.items()}
    return a


def flat(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind == "f":
        return [float(x) for x in arr.reshape(-1)]
    return [int(x) for x in arr.reshape(-1)]


def case(name, op, inputs, args, fn, grad=None):
    """Record one case.

    inputs: numpy arrays (float -> float64 tensors, int -> int64 tensors, stored as int32).
    args:   Descent's arguments, with T(i) for input i.
    fn:     torch function of the input tensors returning a tensor or a list of tensors.
    grad:   which inputs PyTorch differentiates (default: every float input).
    """
    if grad is None:
        grad = [np.asarray(x).dtype.kind == "f" for x in inputs]
    tins = []
    for x, g in zip(inputs, grad):
        x = np.asarray(x)
        if x.dtype.kind == "f":
            tins.append(torch.tensor(x, dtype=F64, requires_grad=g))
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
            term = (o * torch.tensor(cot, dtype=F64)).sum()
            loss = term if loss is None else loss + term
        else:
            entry["dtype"] = "int32"
            entry["values"] = flat(o.numpy())
        rec_outs.append(entry)
    if loss is None:  # integer outputs only (argmax): forward-only case
        grad = [False] * len(inputs)
    wanted = [t for t, g in zip(tins, grad) if g]
    grads = torch.autograd.grad(loss, wanted, allow_unused=True) if wanted else []
    grads = iter(grads)
    rec_ins = []
    for x, t, g in zip(inputs, tins, grad):
        x = np.asarray(x)
        entry = {"shape": list(x.shape), "dtype": "float64" if x.dtype.kind == "f" else "int32", "values": flat(x)}
        if g:
            gr = next(grads)
            entry["grad"] = flat(torch.zeros_like(t) if gr is None else gr.numpy())
        rec_ins.append(entry)
    cases.append({"name": f"{op}: {name}", "op": op, "args": to_json_args(args), "inputs": rec_ins, "outputs": rec_outs})


a0, a1, a2 = T(0), T(1), T(2)


# ---------------------------------------------------------------------------------------------
# Elementwise binary ops: same shape, broadcasting (incl. size-1 dims and 0-d), number operands.

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}
for op, f in BINARY.items():
    rhs = away_from_zero if op == "div" else randn  # keep divisors away from 0
    case("[2,3] and [2,3]", op, [randn(2, 3), rhs(2, 3)], [a0, a1], f)
    case("[2,3] and [3] (broadcast)", op, [randn(2, 3), rhs(3)], [a0, a1], f)
    case("[4,1,3] and [2,1] (both broadcast)", op, [randn(4, 1, 3), rhs(2, 1)], [a0, a1], f)
    case("[1] and [3,1,2] (size-1 left)", op, [randn(1), rhs(3, 1, 2)], [a0, a1], f)
    case("0-d and [2,2]", op, [randn(), rhs(2, 2)], [a0, a1], f)
    case("tensor and number 2.5", op, [randn(2, 3)], [a0, 2.5], lambda a, f=f: f(a, 2.5))
    case("number -1.75 and tensor", op, [rhs(3, 2)], [-1.75, a0], lambda b, f=f: f(-1.75, b))

case("positive [2,3] ** [3]", "pow", [positive(2, 3), randn(3)], [a0, a1], torch.pow)
case("positive [3,1] ** [1,4]", "pow", [positive(3, 1), randn(1, 4)], [a0, a1], torch.pow)
case("positive [2,2] ** 0-d", "pow", [positive(2, 2), randn()], [a0, a1], torch.pow)
case("x ** 2 (mixed signs)", "pow", [randn(3, 4)], [a0, 2], lambda a: a ** 2)
case("x ** 3 (mixed signs)", "pow", [randn(5)], [a0, 3], lambda a: a ** 3)
case("positive x ** 0.5", "pow", [positive(2, 3)], [a0, 0.5], lambda a: a ** 0.5)
case("positive x ** -1.5", "pow", [positive(2, 3)], [a0, -1.5], lambda a: a ** -1.5)
case("2.5 ** x (number base)", "pow", [randn(2, 3)], [2.5, a0], lambda b: torch.pow(2.5, b))

# ---------------------------------------------------------------------------------------------
# Elementwise unary ops.

UNARY = {
    "neg": (torch.neg, randn),
    "exp": (torch.exp, randn),
    "log": (torch.log, lambda *s: positive(*s, lo=0.1, hi=5.0)),
    "sqrt": (torch.sqrt, lambda *s: positive(*s, lo=0.1, hi=5.0)),
    "abs": (torch.abs, away_from_zero),
    "tanh": (torch.tanh, lambda *s: randn(*s, scale=2.0)),
    "sigmoid": (torch.sigmoid, lambda *s: randn(*s, scale=3.0)),
    "relu": (torch.relu, lambda *s: away_from_zero(*s, lo=0.01, hi=3.0)),
}
for op, (f, gen) in UNARY.items():
    case("[7]", op, [gen(7)], [a0], f)
    case("[2,3,4]", op, [gen(2, 3, 4)], [a0], f)
    case("0-d", op, [gen()], [a0], f)

for approx in ["none", "tanh"]:
    for shape in [(7,), (2, 3, 4), ()]:
        x = randn(*shape, scale=2.5)
        case(f"approximate {approx} {list(shape)}", "gelu", [x], [a0, {"approximate": approx}],
             lambda a, approx=approx: F.gelu(a, approximate=approx))
# Far tails, where erf/tanh saturate.
case("approximate none, tails", "gelu", [np.array([-9.0, -6.5, -4.2, 4.2, 6.5, 9.0])], [a0, {"approximate": "none"}], F.gelu)

case("min only", "clamp", [randn(3, 4)], [a0, -0.3], lambda a: torch.clamp(a, min=-0.3))
case("max only", "clamp", [randn(3, 4)], [a0, None, 0.4], lambda a: torch.clamp(a, max=0.4))
case("min and max", "clamp", [randn(2, 3, 4)], [a0, -0.5, 0.6], lambda a: torch.clamp(a, -0.5, 0.6))

for op, f in [("maximum", torch.maximum), ("minimum", torch.minimum)]:
    case("[3,4] and [3,4]", op, [randn(3, 4), randn(3, 4)], [a0, a1], f)
    case("[3,4] and [4] (broadcast)", op, [randn(3, 4), randn(4)], [a0, a1], f)
    case("[2,1,3] and [4,1] (both broadcast)", op, [randn(2, 1, 3), randn(4, 1)], [a0, a1], f)
    case("tensor and number 0.1", op, [randn(3, 4)], [a0, 0.1], lambda a, f=f: f(a, torch.tensor(0.1, dtype=F64)))

case("[3,4] all same shape", "where", [mask01(3, 4), randn(3, 4), randn(3, 4)], [a0, a1, a2],
     lambda c, a, b: torch.where(c.bool(), a, b))
case("cond [3,1], a [1,4], b 0-d (broadcast)", "where", [mask01(3, 1), randn(1, 4), randn()], [a0, a1, a2],
     lambda c, a, b: torch.where(c.bool(), a, b))
case("cond [2,3,4], a [3,4], b [4]", "where", [mask01(2, 3, 4), randn(3, 4), randn(4)], [a0, a1, a2],
     lambda c, a, b: torch.where(c.bool(), a, b))
case("b is the number 1.5", "where", [mask01(2, 3), randn(2, 3)], [a0, a1, 1.5],
     lambda c, a: torch.where(c.bool(), a, torch.tensor(1.5, dtype=F64)))

case("mask [3,4]", "maskedFill", [randn(3, 4), mask01(3, 4)], [a0, a1, -2.5], lambda x, m: x.masked_fill(m.bool(), -2.5))
case("mask [4] (broadcast)", "maskedFill", [randn(3, 4), mask01(4)], [a0, a1, 0.75], lambda x, m: x.masked_fill(m.bool(), 0.75))
case("mask [2,1,4] on [2,3,4]", "maskedFill", [randn(2, 3, 4), mask01(2, 1, 4)], [a0, a1, -1e9],
     lambda x, m: x.masked_fill(m.bool(), -1e9))

# ---------------------------------------------------------------------------------------------
# matmul: every rank combination torch.matmul supports, incl. broadcast batch dims.

for sa, sb in [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)), ((3, 4), (4, 2)), ((2, 3, 4), (2, 4, 5)),
               ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)),
               ((1, 3, 4), (2, 4, 2)), ((1, 1), (1, 1))]:
    case(f"{list(sa)} @ {list(sb)}", "matmul", [randn(*sa), randn(*sb)], [a0, a1], torch.matmul)

# ---------------------------------------------------------------------------------------------
# Reductions.

for op, f in [("sum", torch.sum), ("mean", torch.mean)]:
    case("all of [2,3,4]", op, [randn(2, 3, 4)], [a0], f)
    case("dim 0", op, [randn(2, 3, 4)], [a0, 0], lambda x, f=f: f(x, 0))
    case("dim -1 keepDim", op, [randn(2, 3, 4)], [a0, -1, True], lambda x, f=f: f(x, -1, keepdim=True))
    case("dims [0,2]", op, [randn(2, 3, 4)], [a0, [0, 2]], lambda x, f=f: f(x, (0, 2)))
    case("dims [2,0] keepDim", op, [randn(2, 3, 4)], [a0, [2, 0], True], lambda x, f=f: f(x, (2, 0), keepdim=True))
    case("dim 1 of [3,1,2] (size-1)", op, [randn(3, 1, 2)], [a0, 1], lambda x, f=f: f(x, 1))
    case("all of 0-d", op, [randn()], [a0], f)

for op, f in [("max", torch.max), ("min", torch.min)]:
    case("all of [3,4]", op, [distinct(3, 4)], [a0], f)
    case("dim 1 of [3,4]", op, [distinct(3, 4)], [a0, 1], lambda x, f=f: f(x, 1).values)
    case("dim 0 of [2,3,4]", op, [distinct(2, 3, 4)], [a0, 0], lambda x, f=f: f(x, 0).values)
    case("dim -1 keepDim of [2,3,4]", op, [distinct(2, 3, 4)], [a0, -1, True], lambda x, f=f: f(x, -1, keepdim=True).values)
    case("dim 1 of [2,1,3] (size-1)", op, [distinct(2, 1, 3)], [a0, 1], lambda x, f=f: f(x, 1).values)

case("all, default correction", "var", [randn(3, 4)], [a0], torch.var)
case("dim 1", "var", [randn(3, 4)], [a0, 1], lambda x: torch.var(x, 1))
case("dim 0 keepDim", "var", [randn(2, 3, 4)], [a0, 0, True], lambda x: torch.var(x, 0, keepdim=True))
case("dims [0,2] correction 0", "var", [randn(2, 3, 4)], [a0, [0, 2], False, {"correction": 0}],
     lambda x: torch.var(x, (0, 2), correction=0))
case("dim -1 keepDim correction 0", "var", [randn(2, 3, 5)], [a0, -1, True, {"correction": 0}],
     lambda x: torch.var(x, -1, correction=0, keepdim=True))
case("all, correction 2", "var", [randn(2, 5)], [a0, None, False, {"correction": 2}],
     lambda x: torch.var(x, None, correction=2))

case("all of [3,4]", "argmax", [distinct(3, 4)], [a0], torch.argmax)
case("dim 0 of [3,4]", "argmax", [distinct(3, 4)], [a0, 0], lambda x: torch.argmax(x, 0))
case("dim -1 keepDim of [2,3,4]", "argmax", [distinct(2, 3, 4)], [a0, -1, True], lambda x: torch.argmax(x, -1, keepdim=True))
case("dim 1 of [2,5,3]", "argmax", [distinct(2, 5, 3)], [a0, 1], lambda x: torch.argmax(x, 1))

case("dim 1 of [3,4]", "logsumexp", [randn(3, 4, scale=3.0)], [a0, 1], lambda x: torch.logsumexp(x, 1))
case("dim 0 keepDim of [2,3,4]", "logsumexp", [randn(2, 3, 4, scale=3.0)], [a0, 0, True], lambda x: torch.logsumexp(x, 0, keepdim=True))
case("dim -1 of [2,3,4]", "logsumexp", [randn(2, 3, 4, scale=3.0)], [a0, -1], lambda x: torch.logsumexp(x, -1))
case("dims [0,2] of [2,3,4]", "logsumexp", [randn(2, 3, 4)], [a0, [0, 2]], lambda x: torch.logsumexp(x, (0, 2)))
case("large values dim 1", "logsumexp", [randn(2, 4) + 800.0], [a0, 1], lambda x: torch.logsumexp(x, 1))

# ---------------------------------------------------------------------------------------------
# Shape ops.

for op in ["reshape", "view"]:
    case("[2,3,4] -> [6,4]", op, [randn(2, 3, 4)], [a0, [6, 4]], lambda x: x.reshape(6, 4))
    case("[2,3,4] -> [4,-1]", op, [randn(2, 3, 4)], [a0, [4, -1]], lambda x: x.reshape(4, -1))
    case("[2,3,4] -> [24]", op, [randn(2, 3, 4)], [a0, [24]], lambda x: x.reshape(24))
    case("[1] -> [] (0-d)", op, [randn(1)], [a0, []], lambda x: x.reshape(()))
    case("[6] -> [1,2,1,3]", op, [randn(6)], [a0, [1, 2, 1, 3]], lambda x: x.reshape(1, 2, 1, 3))

case("[2,3,4] dims 0,2", "transpose", [randn(2, 3, 4)], [a0, 0, 2], lambda x: x.transpose(0, 2))
case("[2,3,4] dims -1,-2", "transpose", [randn(2, 3, 4)], [a0, -1, -2], lambda x: x.transpose(-1, -2))
case("[3,4] dims 1,0", "transpose", [randn(3, 4)], [a0, 1, 0], lambda x: x.transpose(1, 0))
case("[2,3,4] same dim 1,1", "transpose", [randn(2, 3, 4)], [a0, 1, 1], lambda x: x.transpose(1, 1))

case("[2,3,4] -> [2,0,1]", "permute", [randn(2, 3, 4)], [a0, [2, 0, 1]], lambda x: x.permute(2, 0, 1))
case("[2,3,4,5] -> [0,2,1,3]", "permute", [randn(2, 3, 4, 5)], [a0, [0, 2, 1, 3]], lambda x: x.permute(0, 2, 1, 3))
case("[2,3,4] -> [-1,0,-2]", "permute", [randn(2, 3, 4)], [a0, [-1, 0, -2]], lambda x: x.permute(-1, 0, -2))

case("all size-1 dims of [1,3,1,2]", "squeeze", [randn(1, 3, 1, 2)], [a0], lambda x: x.squeeze())
case("dim 2 of [1,3,1,2]", "squeeze", [randn(1, 3, 1, 2)], [a0, 2], lambda x: x.squeeze(2))
case("dim -1 of [3,2] (not size 1: no-op)", "squeeze", [randn(3, 2)], [a0, -1], lambda x: x.squeeze(-1))
case("dim 0 of [1] (to 0-d)", "squeeze", [randn(1)], [a0, 0], lambda x: x.squeeze(0))

case("dim 0 of [3,4]", "unsqueeze", [randn(3, 4)], [a0, 0], lambda x: x.unsqueeze(0))
case("dim -1 of [3,4]", "unsqueeze", [randn(3, 4)], [a0, -1], lambda x: x.unsqueeze(-1))
case("dim 1 of [3,4]", "unsqueeze", [randn(3, 4)], [a0, 1], lambda x: x.unsqueeze(1))
case("dim 0 of 0-d", "unsqueeze", [randn()], [a0, 0], lambda x: x.unsqueeze(0))

case("[3,1] -> [2,3,4]", "expand", [randn(3, 1)], [a0, [2, 3, 4]], lambda x: x.expand(2, 3, 4))
case("[3,1] -> [2,-1,4]", "expand", [randn(3, 1)], [a0, [2, -1, 4]], lambda x: x.expand(2, -1, 4))
case("0-d -> [2,3]", "expand", [randn()], [a0, [2, 3]], lambda x: x.expand(2, 3))
case("[4] -> [3,4]", "broadcastTo", [randn(4)], [a0, [3, 4]], lambda x: torch.broadcast_to(x, (3, 4)))
case("[2,1,3] -> [2,5,3]", "broadcastTo", [randn(2, 1, 3)], [a0, [2, 5, 3]], lambda x: torch.broadcast_to(x, (2, 5, 3)))

case("all of [2,3,4]", "flatten", [randn(2, 3, 4)], [a0], lambda x: torch.flatten(x))
case("from dim 1 of [2,3,4]", "flatten", [randn(2, 3, 4)], [a0, 1], lambda x: torch.flatten(x, 1))
case("dims 0..1 of [2,3,4]", "flatten", [randn(2, 3, 4)], [a0, 0, 1], lambda x: torch.flatten(x, 0, 1))
case("dims -2..-1 of [2,3,4,2]", "flatten", [randn(2, 3, 4, 2)], [a0, -2, -1], lambda x: torch.flatten(x, -2, -1))

case("3 tensors on dim 0", "cat", [randn(2, 3), randn(1, 3), randn(4, 3)], [[a0, a1, a2], 0], lambda a, b, c: torch.cat([a, b, c], 0))
case("3 tensors on dim 1", "cat", [randn(2, 1, 3), randn(2, 4, 3), randn(2, 2, 3)], [[a0, a1, a2], 1],
     lambda a, b, c: torch.cat([a, b, c], 1))
case("2 tensors on dim -1", "cat", [randn(2, 3, 2), randn(2, 3, 5)], [[a0, a1], -1], lambda a, b: torch.cat([a, b], -1))
case("single tensor", "cat", [randn(2, 3)], [[a0], 0], lambda a: torch.cat([a], 0))

case("3 tensors on dim 0", "stack", [randn(2, 3), randn(2, 3), randn(2, 3)], [[a0, a1, a2], 0], lambda a, b, c: torch.stack([a, b, c], 0))
case("2 tensors on dim 1", "stack", [randn(2, 3), randn(2, 3)], [[a0, a1], 1], lambda a, b: torch.stack([a, b], 1))
case("2 tensors on dim -1", "stack", [randn(2, 3), randn(2, 3)], [[a0, a1], -1], lambda a, b: torch.stack([a, b], -1))
case("0-d tensors", "stack", [randn(), randn()], [[a0, a1], 0], lambda a, b: torch.stack([a, b], 0))

case("size 2 on dim 0 of [5,3] (last piece smaller)", "split", [randn(5, 3)], [a0, 2, 0], lambda x: torch.split(x, 2, 0))
case("sections [1,3,1] on dim 1 of [2,5]", "split", [randn(2, 5)], [a0, [1, 3, 1], 1], lambda x: torch.split(x, [1, 3, 1], 1))
case("size 3 on dim -1 of [2,2,6]", "split", [randn(2, 2, 6)], [a0, 3, -1], lambda x: torch.split(x, 3, -1))
case("size larger than dim", "split", [randn(3, 2)], [a0, 5, 0], lambda x: torch.split(x, 5, 0))

case("dim 0 of [5,3] start 1 length 3", "narrow", [randn(5, 3)], [a0, 0, 1, 3], lambda x: x.narrow(0, 1, 3))
case("dim -1 of [2,3,6] start 4 length 2", "narrow", [randn(2, 3, 6)], [a0, -1, 4, 2], lambda x: x.narrow(-1, 4, 2))
case("dim 1 of [2,4] start 0 length 0 (empty)", "narrow", [randn(2, 4)], [a0, 1, 0, 0], lambda x: x.narrow(1, 0, 0))

case("dim 1 of [3,6] 1:4", "slice", [randn(3, 6)], [a0, 1, 1, 4], lambda x: x[:, 1:4])
case("dim 0 of [7,2] 1:7:2", "slice", [randn(7, 2)], [a0, 0, 1, 7, 2], lambda x: x[1:7:2])
case("dim -1 of [2,3,8] -5: (end omitted)", "slice", [randn(2, 3, 8)], [a0, -1, -5], lambda x: x[..., -5:])
case("dim 0 of [6,2] ::3 (start, end omitted)", "slice", [randn(6, 2)], [a0, 0, None, None, 3], lambda x: x[::3])
case("dim 1 of [2,5] 2:100 (end clamped)", "slice", [randn(2, 5)], [a0, 1, 2, 100], lambda x: x[:, 2:100])
case("dim 1 of [2,5] 1:-1", "slice", [randn(2, 5)], [a0, 1, 1, -1], lambda x: x[:, 1:-1])

case("dim 0 of [4,3] with repeats", "indexSelect", [randn(4, 3), np.array([2, 0, 2, 3, 2])], [a0, 0, a1],
     lambda x, i: torch.index_select(x, 0, i))
case("dim 1 of [2,5,3]", "indexSelect", [randn(2, 5, 3), np.array([4, 1, 1])], [a0, 1, a1], lambda x, i: torch.index_select(x, 1, i))
case("dim -1 of [3,4]", "indexSelect", [randn(3, 4), np.array([3, 3, 0])], [a0, -1, a1], lambda x, i: torch.index_select(x, -1, i))

case("dim 0 of [3,4], index [5,4]", "gather", [randn(3, 4), ints(0, 3, 5, 4)], [a0, 0, a1], lambda x, i: torch.gather(x, 0, i))
case("dim 1 of [3,4], index [3,6] with repeats", "gather", [randn(3, 4), ints(0, 4, 3, 6)], [a0, 1, a1], lambda x, i: torch.gather(x, 1, i))
case("dim -1 of [2,3,5], smaller index [2,2,3]", "gather", [randn(2, 3, 5), ints(0, 5, 2, 2, 3)], [a0, -1, a1],
     lambda x, i: torch.gather(x, -1, i))
case("dim 1 of [2,4,3], index [1,2,3]", "gather", [randn(2, 4, 3), ints(0, 4, 1, 2, 3)], [a0, 1, a1], lambda x, i: torch.gather(x, 1, i))

# ---------------------------------------------------------------------------------------------
# softmax / logSoftmax.

for op, f in [("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)]:
    case("dim 0 of [7]", op, [randn(7, scale=2.0)], [a0, 0], lambda x, f=f: f(x, 0))
    case("dim -1 of [3,5]", op, [randn(3, 5, scale=2.0)], [a0, -1], lambda x, f=f: f(x, -1))
    case("dim 0 of [2,3,4]", op, [randn(2, 3, 4, scale=2.0)], [a0, 0], lambda x, f=f: f(x, 0))
    case("dim 1 of [2,3,4]", op, [randn(2, 3, 4, scale=2.0)], [a0, 1], lambda x, f=f: f(x, 1))
    case("dim 2 of [2,3,4]", op, [randn(2, 3, 4, scale=2.0)], [a0, 2], lambda x, f=f: f(x, 2))
    case("large logits dim -1", op, [randn(2, 4, scale=30.0) + 500.0], [a0, -1], lambda x, f=f: f(x, -1))
    case("dim 1 of [3,1] (size-1)", op, [randn(3, 1)], [a0, 1], lambda x, f=f: f(x, 1))

# ---------------------------------------------------------------------------------------------
# nn.functional losses. Class weights and posWeight are constants (PyTorch does not
# differentiate them); targets of mse/bce-with-logits are differentiated, as in PyTorch.

def targets_with(n_classes, shape, ignore=None, n_ignored=0):
    t = ints(0, n_classes, *shape)
    if ignore is not None:
        flat_t = t.reshape(-1)
        flat_t[rng.choice(flat_t.size, n_ignored, replace=False)] = ignore
    return t


for red in ["mean", "sum", "none"]:
    case(f"(N,C)=(4,5) reduction {red}", "crossEntropy", [randn(4, 5, scale=2.0), ints(0, 5, 4)], [a0, a1, {"reduction": red}],
         lambda x, t, red=red: F.cross_entropy(x, t, reduction=red))
case("default options", "crossEntropy", [randn(6, 3, scale=2.0), ints(0, 3, 6)], [a0, a1], F.cross_entropy)
case("default ignoreIndex -100 skipped", "crossEntropy", [randn(5, 4), targets_with(4, (5,), -100, 2)], [a0, a1],
     F.cross_entropy)
for red in ["mean", "sum", "none"]:
    case(f"ignoreIndex 2, reduction {red}", "crossEntropy", [randn(6, 4), targets_with(4, (6,), 2, 0)],
         [a0, a1, {"ignoreIndex": 2, "reduction": red}], lambda x, t, red=red: F.cross_entropy(x, t, ignore_index=2, reduction=red))
for red in ["mean", "sum", "none"]:
    case(f"labelSmoothing 0.1, reduction {red}", "crossEntropy", [randn(4, 5), ints(0, 5, 4)],
         [a0, a1, {"labelSmoothing": 0.1, "reduction": red}], lambda x, t, red=red: F.cross_entropy(x, t, label_smoothing=0.1, reduction=red))
for red in ["mean", "sum", "none"]:
    case(f"class weights, reduction {red}", "crossEntropy", [randn(5, 4), ints(0, 4, 5), positive(4, lo=0.2, hi=2.0)],
         [a0, a1, {"weight": a2, "reduction": red}], lambda x, t, w, red=red: F.cross_entropy(x, t, weight=w, reduction=red),
         grad=[True, False, False])
case("weights + labelSmoothing 0.2 + ignoreIndex -1, mean", "crossEntropy",
     [randn(6, 4), targets_with(4, (6,), -1, 2), positive(4, lo=0.2, hi=2.0)],
     [a0, a1, {"weight": a2, "labelSmoothing": 0.2, "ignoreIndex": -1}],
     lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2, ignore_index=-1), grad=[True, False, False])
case("weights + labelSmoothing 0.2, sum", "crossEntropy", [randn(6, 4), ints(0, 4, 6), positive(4, lo=0.2, hi=2.0)],
     [a0, a1, {"weight": a2, "labelSmoothing": 0.2, "reduction": "sum"}],
     lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2, reduction="sum"), grad=[True, False, False])
for red in ["mean", "sum", "none"]:
    case(f"(N,C,d)=(3,4,2) reduction {red}", "crossEntropy", [randn(3, 4, 2), ints(0, 4, 3, 2)], [a0, a1, {"reduction": red}],
         lambda x, t, red=red: F.cross_entropy(x, t, reduction=red))
case("(N,C,d1,d2)=(2,3,2,2) weights + ignoreIndex 0", "crossEntropy",
     [randn(2, 3, 2, 2), ints(0, 3, 2, 2, 2), positive(3, lo=0.2, hi=2.0)], [a0, a1, {"weight": a2, "ignoreIndex": 0}],
     lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=0), grad=[True, False, False])
case("(N,C,d)=(2,5,3) labelSmoothing 0.05 + ignoreIndex 1, none", "crossEntropy",
     [randn(2, 5, 3), ints(0, 5, 2, 3)], [a0, a1, {"labelSmoothing": 0.05, "ignoreIndex": 1, "reduction": "none"}],
     lambda x, t: F.cross_entropy(x, t, label_smoothing=0.05, ignore_index=1, reduction="none"))


def logp(*shape, dim=1):
    return torch.log_softmax(torch.tensor(randn(*shape)), dim).numpy()


for red in ["mean", "sum", "none"]:
    case(f"(N,C)=(4,5) reduction {red}", "nllLoss", [logp(4, 5), ints(0, 5, 4)], [a0, a1, {"reduction": red}],
         lambda x, t, red=red: F.nll_loss(x, t, reduction=red))
case("default ignoreIndex -100 skipped", "nllLoss", [logp(5, 3), targets_with(3, (5,), -100, 1)], [a0, a1], F.nll_loss)
case("ignoreIndex 1 + class weights, mean", "nllLoss", [logp(6, 4), ints(0, 4, 6), positive(4, lo=0.2, hi=2.0)],
     [a0, a1, {"ignoreIndex": 1, "weight": a2}], lambda x, t, w: F.nll_loss(x, t, weight=w, ignore_index=1),
     grad=[True, False, False])
case("class weights, none", "nllLoss", [logp(5, 4), ints(0, 4, 5), positive(4, lo=0.2, hi=2.0)],
     [a0, a1, {"weight": a2, "reduction": "none"}], lambda x, t, w: F.nll_loss(x, t, weight=w, reduction="none"),
     grad=[True, False, False])
case("(N,C,d)=(2,3,4) mean", "nllLoss", [logp(2, 3, 4), ints(0, 3, 2, 4)], [a0, a1], F.nll_loss)

for red in ["mean", "sum", "none"]:
    case(f"[3,4] reduction {red}", "mseLoss", [randn(3, 4), randn(3, 4)], [a0, a1, {"reduction": red}],
         lambda a, b, red=red: F.mse_loss(a, b, reduction=red))
case("0-d, default", "mseLoss", [randn(), randn()], [a0, a1], F.mse_loss)

for red in ["mean", "sum", "none"]:
    case(f"[3,4] reduction {red}", "binaryCrossEntropyWithLogits", [randn(3, 4, scale=3.0), rng.random((3, 4))],
         [a0, a1, {"reduction": red}], lambda x, t, red=red: F.binary_cross_entropy_with_logits(x, t, reduction=red))
case("hard 0/1 targets, large logits", "binaryCrossEntropyWithLogits",
     [np.array([-40.0, -3.0, 0.5, 2.0, 35.0, -0.1]), np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])], [a0, a1],
     F.binary_cross_entropy_with_logits)
for red in ["mean", "none"]:
    case(f"posWeight [4] broadcast, reduction {red}", "binaryCrossEntropyWithLogits",
         [randn(2, 3, 4, scale=2.0), rng.random((2, 3, 4)), positive(4, lo=0.3, hi=3.0)], [a0, a1, {"posWeight": a2, "reduction": red}],
         lambda x, t, pw, red=red: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw, reduction=red), grad=[True, True, False])

case("[2,3,4] shape [4] with weight and bias", "layerNorm", [randn(2, 3, 4, scale=2.0) + 0.5, randn(4), randn(4)],
     [a0, [4], a1, a2, 1e-5], lambda x, w, b: F.layer_norm(x, [4], w, b, 1e-5))
case("[2,3,4] shape [3,4] with weight and bias", "layerNorm", [randn(2, 3, 4), randn(3, 4), randn(3, 4)],
     [a0, [3, 4], a1, a2, 1e-5], lambda x, w, b: F.layer_norm(x, [3, 4], w, b, 1e-5))
case("[3,5] shape [5] no weight/bias", "layerNorm", [randn(3, 5)], [a0, [5], None, None, 1e-5],
     lambda x: F.layer_norm(x, [5], None, None, 1e-5))
case("[2,2,3] shape [2,3] no weight/bias eps 1e-3", "layerNorm", [randn(2, 2, 3, scale=0.1)], [a0, [2, 3], None, None, 1e-3],
     lambda x: F.layer_norm(x, [2, 3], None, None, 1e-3))
case("[4,6] shape [6] weight only", "layerNorm", [randn(4, 6), randn(6)], [a0, [6], a1, None, 1e-5],
     lambda x, w: F.layer_norm(x, [6], w, None, 1e-5))

case("idx [2,3] with repeats, weight [5,4]", "embedding", [np.array([[1, 4, 1], [0, 1, 3]]), randn(5, 4)], [a0, a1],
     lambda i, w: F.embedding(i, w))
case("idx [4], weight [3,2]", "embedding", [np.array([2, 2, 0, 2]), randn(3, 2)], [a0, a1], lambda i, w: F.embedding(i, w))
case("idx 0-d, weight [4,3]", "embedding", [np.array(3), randn(4, 3)], [a0, a1], lambda i, w: F.embedding(i, w))


def attention(q, k, v, is_causal=False, bool_mask=None, float_mask=None, scale=None):
    """softmax(q kᵀ · scale + mask) v, the definition PyTorch's scaled_dot_product_attention
    implements; a boolean mask marks positions that TAKE PART in attention (True = attend)."""
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * s
    if is_causal:
        tq, tk = scores.shape[-2], scores.shape[-1]
        keep = torch.ones(tq, tk, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if bool_mask is not None:
        scores = scores.masked_fill(~bool_mask, float("-inf"))
    if float_mask is not None:
        scores = scores + float_mask
    return torch.softmax(scores, -1) @ v


def attn_inputs(b, h, tq, tk, d, dv):
    return [randn(b, h, tq, d), randn(b, h, tk, d), randn(b, h, tk, dv)]


case("plain (B,H,Tq,Tk,D)=(2,2,3,5,4), Dv=3", "scaledDotProductAttention", attn_inputs(2, 2, 3, 5, 4, 3), [a0, a1, a2],
     lambda q, k, v: attention(q, k, v))
case("plain 3-D (B,T,D)=(2,4,3)", "scaledDotProductAttention", [randn(2, 4, 3), randn(2, 4, 3), randn(2, 4, 3)], [a0, a1, a2],
     lambda q, k, v: attention(q, k, v))
case("isCausal (B,H,T,D)=(2,2,4,3)", "scaledDotProductAttention", attn_inputs(2, 2, 4, 4, 3, 3), [a0, a1, a2, {"isCausal": True}],
     lambda q, k, v: attention(q, k, v, is_causal=True))
case("isCausal with scale 0.3", "scaledDotProductAttention", attn_inputs(1, 2, 5, 5, 4, 2),
     [a0, a1, a2, {"isCausal": True, "scale": 0.3}], lambda q, k, v: attention(q, k, v, is_causal=True, scale=0.3))
case("scale 0.7", "scaledDotProductAttention", attn_inputs(1, 1, 3, 4, 2, 2), [a0, a1, a2, {"scale": 0.7}],
     lambda q, k, v: attention(q, k, v, scale=0.7))
# An int mask (nonzero = attend, like PyTorch's boolean mask); every query keeps >= 1 key.
int_mask = mask01(3, 5, p=0.6)
int_mask[:, 0] = 1
case("int mask [3,5] broadcast over (B,H) (nonzero = attend)", "scaledDotProductAttention", attn_inputs(2, 2, 3, 5, 4, 3) + [int_mask],
     [a0, a1, a2, {"mask": T(3)}], lambda q, k, v, m: attention(q, k, v, bool_mask=m.bool()))
case("float mask [2,1,3,5] added to scores", "scaledDotProductAttention", attn_inputs(2, 2, 3, 5, 4, 3) + [randn(2, 1, 3, 5)],
     [a0, a1, a2, {"mask": T(3)}], lambda q, k, v, m: attention(q, k, v, float_mask=m))

case("p = 0, training", "dropout", [randn(3, 4)], [a0, 0, True], lambda x: F.dropout(x, 0.0, True))
case("p = 0.5, not training", "dropout", [randn(2, 3, 4)], [a0, 0.5, False], lambda x: F.dropout(x, 0.5, False))


# ---------------------------------------------------------------------------------------------
# Edge cases, appended last so the random inputs above stay the same when these change.
# Kinks at exactly 0 and clamp boundaries follow PyTorch's subgradient conventions.

case("exact zeros (gradient 0 there)", "relu", [np.array([-1.5, 0.0, 0.0, 2.0])], [a0], torch.relu)
case("exact zero (gradient sign(0) = 0)", "abs", [np.array([-1.0, 0.0, 2.5])], [a0], torch.abs)
case("values on the bounds (gradient 1 there)", "clamp", [np.array([-0.5, 0.5, 0.2, -1.0, 1.0])], [a0, -0.5, 0.5],
     lambda a: torch.clamp(a, -0.5, 0.5))
case("at 0", "gelu", [np.array([0.0, -0.0, 1e-8])], [a0, {"approximate": "none"}], F.gelu)
case("zero bases with tensor exponents", "pow", [np.array([0.0, 0.0, 1.5, 0.7]), np.array([2.0, 3.5, 0.5, 0.0])], [a0, a1],
     torch.pow)
case("x ** 0 with a zero (gradient 0)", "pow", [np.array([0.0, 1.5, -2.0])], [a0, 0], lambda a: a ** 0)
case("x ** 1", "pow", [np.array([0.0, 1.5, -2.0])], [a0, 1], lambda a: a ** 1)
case("[2,0] @ [0,3] (empty inner dim)", "matmul", [np.zeros((2, 0)), np.zeros((0, 3))], [a0, a1], torch.matmul)
case("[0,3] @ [3,2] (empty output)", "matmul", [np.zeros((0, 3)), randn(3, 2)], [a0, a1], torch.matmul)
case("all of an empty [0,3]", "sum", [np.zeros((0, 3))], [a0], torch.sum)
case("with an empty piece on dim 1", "cat", [randn(2, 0), randn(2, 3)], [[a0, a1], 1], lambda a, b: torch.cat([a, b], 1))
case("constant rows (zero variance)", "layerNorm", [np.array([[1.5, 1.5, 1.5, 1.5], [-2.0, 0.0, 2.0, 4.0]]), randn(4), randn(4)],
     [a0, [4], a1, a2, 1e-5], lambda x, w, b: F.layer_norm(x, [4], w, b, 1e-5))
case("extreme logits +-1000", "crossEntropy", [np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]]), np.array([1, 2])],
     [a0, a1], F.cross_entropy)
case("labelSmoothing 0.1 + ignoreIndex 0, sum", "crossEntropy", [randn(5, 3), np.array([0, 1, 2, 0, 2])],
     [a0, a1, {"labelSmoothing": 0.1, "ignoreIndex": 0, "reduction": "sum"}],
     lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1, ignore_index=0, reduction="sum"))
case("isCausal with L=3 < S=5 (top-left aligned)", "scaledDotProductAttention", attn_inputs(1, 2, 3, 5, 4, 2),
     [a0, a1, a2, {"isCausal": True}], lambda q, k, v: attention(q, k, v, is_causal=True))
case("large negative values dim -1", "logsumexp", [randn(2, 3) - 800.0], [a0, -1], lambda x: torch.logsumexp(x, -1))

# ---------------------------------------------------------------------------------------------

def main():
    doc_head = {
        "generator": "tools/torch_reference.py",
        "torch": torch.__version__,
        "seed": SEED,
        "gradient": "d sum_k(output_k * cot_k) / d input",
    }
    # One case per line keeps diffs of a regenerated file readable.
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases]
    text = "{\"meta\":" + json.dumps(doc_head, separators=(",", ":")) + ",\n\"cases\":[\n" + ",\n".join(lines) + "\n]}\n"
    json.loads(text)  # sanity: valid JSON
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as fh:
        fh.write(text)
    ops = sorted({c["op"] for c in cases})
    print(f"wrote {len(cases)} cases over {len(ops)} ops, {len(text) / 1e6:.2f} MB -> {os.path.normpath(OUT_PATH)}")


if __name__ == "__main__":
    main()
