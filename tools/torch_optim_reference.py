"""PyTorch reference trajectories for Descent's optimizers, schedules and clipping.

Run with PyTorch 1.13 (float64):  /usr/bin/python3 tools/torch_optim_reference.py
Writes test/fixtures/torch_optim_reference.json, replayed by test/optim/torch_parity.test.ts.
Problem: linear regression pred = X W + b, loss = mean((pred - Y)^2) + 0.05 * sum(tanh(W)^2),
kept smooth and deterministic; W is [3, 4], b is [4]; all inputs are stored in the JSON.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
STEPS = 60

g = torch.Generator().manual_seed(1234)
X = torch.randn(8, 3, generator=g)
Y = torch.randn(8, 4, generator=g)
W0 = torch.randn(3, 4, generator=g) * 0.5
B0 = torch.randn(4, generator=g) * 0.5


def loss_fn(W, b):
    pred = X @ W + b
    return ((pred - Y) ** 2).mean() + 0.05 * (torch.tanh(W) ** 2).sum()


def run(make_opt, clip=None, groups=False):
    W = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    opt = make_opt([W, b]) if not groups else make_opt(W, b)
    traj, norms = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(W, b).backward()
        if clip is not None:
            n = torch.nn.utils.clip_grad_norm_([W, b], clip["maxNorm"], norm_type=clip["normType"])
            norms.append(float(n))
        opt.step()
        traj.append(W.detach().flatten().tolist() + b.detach().tolist())
    return traj, norms


O = torch.optim
cases = []


def add(name, optimizer, options, make, clip=None, groups=None):
    traj, norms = run(make, clip=clip, groups=groups is not None)
    case = {"name": name, "optimizer": optimizer, "options": options, "trajectory": traj}
    if clip is not None:
        # JSON has no Infinity: the max-abs norm is written as the string "inf".
        case["clip"] = {**clip, "normType": "inf" if math.isinf(clip["normType"]) else clip["normType"]}
        case["norms"] = norms
    if groups is not None:
        case["groups"] = groups
    cases.append(case)


add("sgd", "SGD", {"lr": 0.1}, lambda p: O.SGD(p, lr=0.1))
add("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, lambda p: O.SGD(p, lr=0.05, momentum=0.9))
add("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.3))
add("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    lambda p: O.SGD(p, lr=0.05, momentum=0.8, nesterov=True))
add("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.9, "weightDecay": 0.1},
    lambda p: O.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1))
add("sgd_plain_weight_decay", "SGD", {"lr": 0.1, "weightDecay": 0.2}, lambda p: O.SGD(p, lr=0.1, weight_decay=0.2))
add("adam", "Adam", {"lr": 0.01}, lambda p: O.Adam(p, lr=0.01))
add("adam_betas_eps", "Adam", {"lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6},
    lambda p: O.Adam(p, lr=0.02, betas=(0.8, 0.95), eps=1e-6))
add("adam_weight_decay", "Adam", {"lr": 0.01, "weightDecay": 0.1}, lambda p: O.Adam(p, lr=0.01, weight_decay=0.1))
add("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}, lambda p: O.Adam(p, lr=0.01, amsgrad=True))
add("adamw", "AdamW", {"lr": 0.01}, lambda p: O.AdamW(p, lr=0.01))
add("adamw_weight_decay", "AdamW", {"lr": 0.01, "weightDecay": 0.3}, lambda p: O.AdamW(p, lr=0.01, weight_decay=0.3))
add("adamw_amsgrad", "AdamW", {"lr": 0.01, "weightDecay": 0.1, "amsgrad": True},
    lambda p: O.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True))
add("rmsprop", "RMSprop", {"lr": 0.01}, lambda p: O.RMSprop(p, lr=0.01))
add("rmsprop_momentum", "RMSprop", {"lr": 0.005, "momentum": 0.9}, lambda p: O.RMSprop(p, lr=0.005, momentum=0.9))
add("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}, lambda p: O.RMSprop(p, lr=0.01, centered=True))
add("rmsprop_weight_decay", "RMSprop", {"lr": 0.003, "weightDecay": 0.1, "alpha": 0.95},
    lambda p: O.RMSprop(p, lr=0.003, weight_decay=0.1, alpha=0.95))
add("rmsprop_centered_momentum", "RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5, "eps": 1e-6},
    lambda p: O.RMSprop(p, lr=0.005, centered=True, momentum=0.5, eps=1e-6))

# Param groups: W and b get their own hyperparameters.
add("sgd_groups", "SGD", {"lr": 0.1, "momentum": 0.9},
    lambda W, b: O.SGD([{"params": [W]}, {"params": [b], "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9),
    groups=[{}, {"lr": 0.01, "momentum": 0.5}])
add("adamw_groups", "AdamW", {"lr": 0.01, "weightDecay": 0.1},
    lambda W, b: O.AdamW([{"params": [W]}, {"params": [b], "lr": 0.03, "weight_decay": 0.0, "betas": (0.5, 0.9)}],
                         lr=0.01, weight_decay=0.1),
    groups=[{}, {"lr": 0.03, "weightDecay": 0.0, "betas": [0.5, 0.9]}])

# Clipping before each step.
add("sgd_clip_l2", "SGD", {"lr": 0.1, "momentum": 0.9}, lambda p: O.SGD(p, lr=0.1, momentum=0.9),
    clip={"maxNorm": 0.5, "normType": 2.0})
add("adam_clip_inf", "Adam", {"lr": 0.05}, lambda p: O.Adam(p, lr=0.05), clip={"maxNorm": 0.2, "normType": math.inf})
add("sgd_clip_l1", "SGD", {"lr": 0.05}, lambda p: O.SGD(p, lr=0.05), clip={"maxNorm": 1.0, "normType": 1.0})


def one_cycle(total, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = O.SGD([p], lr=0.1, momentum=0.9)
    sched = O.lr_scheduler.OneCycleLR(opt, total_steps=total, **kw)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(total - 1):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    return lrs


one_cycles = [
    {"options": {"maxLr": 0.1, "totalSteps": 100}, "lrs": one_cycle(100, max_lr=0.1)},
    {"options": {"maxLr": 0.5, "totalSteps": 57, "pctStart": 0.25, "divFactor": 10.0, "finalDivFactor": 100.0,
                 "annealStrategy": "linear"},
     "lrs": one_cycle(57, max_lr=0.5, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                      anneal_strategy="linear")},
]

out = {
    "torch": torch.__version__,
    "steps": STEPS,
    "X": X.tolist(),
    "Y": Y.tolist(),
    "W0": W0.tolist(),
    "b0": B0.tolist(),
    "tanhPenalty": 0.05,
    "cases": cases,
    "oneCycle": one_cycles,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_optim_reference.json")
with open(path, "w") as f:
    json.dump(out, f, allow_nan=False)
print(f"wrote {len(cases)} optimizer cases x {STEPS} steps and {len(one_cycles)} OneCycleLR curves to {path}")
