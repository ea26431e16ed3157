"""PyTorch reference for Descent's amp.GradScaler: a scripted sequence of gradients (some Inf/NaN).

Run with PyTorch 1.13:  /usr/bin/python3 tools/torch_grad_scaler_reference.py
Writes test/fixtures/torch_grad_scaler_reference.json, replayed by test/amp/grad_scaler.test.ts.
Each step: loss = sum(p * g) with a scripted g, scaler.scale(loss).backward(), optionally
unscale_ + clip_grad_norm_, scaler.step(SGD with momentum), scaler.update(). Recorded after every
step: the scale, the growth tracker, whether the optimizer stepped, the found-inf flag, and p; plus
which misuse sequences the state machine rejects.
"""
import json
import math
import os

import torch
import torch.cuda.amp.grad_scaler as gs

inf, nan = math.inf, math.nan

# PyTorch 1.13's GradScaler is CUDA-only: its state machine is Python (torch/cuda/amp/grad_scaler.py)
# but its two kernels have no CPU implementation. Run that real class on CPU tensors with the two
# kernels written out in Python exactly as their CUDA versions compute (AmpKernels.cu):
#   _amp_foreach_non_finite_check_and_unscale_: found_inf = 1 if any grad is Inf/NaN; grads *= inv_scale
#   _amp_update_scale_: on found_inf scale *= backoff, tracker = 0; else tracker += 1 and at
#   growth_interval scale *= growth (only if the result is finite), tracker = 0.
def foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    for g in grads:
        if not torch.isfinite(g).all():
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def update_scale_(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    if found_inf.item():
        scale.mul_(backoff_factor)
        tracker.fill_(0)
    else:
        successful = int(tracker.item()) + 1
        if successful == growth_interval:
            new = scale * growth_factor
            if torch.isfinite(new).all():
                scale.copy_(new)
            tracker.fill_(0)
        else:
            tracker.fill_(successful)
    return scale


torch._amp_foreach_non_finite_check_and_unscale_ = foreach_non_finite_check_and_unscale_
torch._amp_update_scale_ = update_scale_
gs.amp_definitely_not_available = lambda: False


def _replicator_init(self, master_tensor):  # the original asserts master_tensor.is_cuda; otherwise identical
    self.master = master_tensor
    self._per_device_tensors = {}


gs._MultiDeviceReplicator.__init__ = _replicator_init


class CPUGradScaler(gs.GradScaler):
    def scale(self, outputs):  # the original asserts outputs.is_cuda; otherwise identical
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._lazy_init_scale_growth_tracker(outputs.device)
        return outputs * self._scale.to(device=outputs.device, non_blocking=True)


def run(name, init_scale, growth_factor, backoff_factor, growth_interval, grads, unscale_clip_steps=()):
    p = torch.tensor([0.5, -1.0, 2.0, 0.25], dtype=torch.float32, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    scaler = CPUGradScaler(init_scale=init_scale, growth_factor=growth_factor, backoff_factor=backoff_factor,
                           growth_interval=growth_interval)
    steps = []
    for i, g in enumerate(grads):
        opt.zero_grad()
        loss = (p * torch.tensor(g, dtype=torch.float32)).sum()
        scaler.scale(loss).backward()
        clipped = None
        if i in unscale_clip_steps:
            scaler.unscale_(opt)
            clipped = float(torch.nn.utils.clip_grad_norm_([p], 1.0))
        before = p.detach().clone()
        scaler.step(opt)
        found = float(sum(v.item() for v in scaler._per_optimizer_states[id(opt)]["found_inf_per_device"].values()))
        stepped = not torch.equal(before, p.detach()) or found == 0.0
        scaler.update()
        steps.append({"grad": [x if math.isfinite(x) else str(x) for x in g], "stepped": stepped, "foundInf": found,
                      "scale": scaler.get_scale(), "growthTracker": int(scaler._get_growth_tracker()),
                      "p": p.detach().tolist(),
                      "clipNorm": clipped if clipped is None or math.isfinite(clipped) else str(clipped)})
    return {"name": name, "initScale": init_scale, "growthFactor": growth_factor, "backoffFactor": backoff_factor,
            "growthInterval": growth_interval, "unscaleClipSteps": list(unscale_clip_steps), "steps": steps,
            "stateDict": {k: (int(v) if k == "_growth_tracker" else v) for k, v in scaler.state_dict().items()}}


def misuse():
    """Which call sequences PyTorch's state machine rejects (after the first failing call, nothing more runs)."""
    out = []
    for seq in (["update"], ["unscale"], ["step"], ["scale", "step"], ["scale", "backward", "unscale", "unscale"],
                ["scale", "backward", "step", "step"], ["scale", "backward", "step", "unscale"],
                ["scale", "backward", "unscale", "step", "update", "scale", "backward", "unscale", "step", "update"],
                ["scale", "update"], ["scale", "backward", "step", "update", "step"]):
        p = torch.tensor([1.0, 2.0], requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        scaler = CPUGradScaler(init_scale=4.0)
        loss = None
        error = None
        for i, call in enumerate(seq):
            try:
                if call == "scale":
                    loss = scaler.scale((p * p).sum())
                elif call == "backward":
                    loss.backward()
                elif call == "unscale":
                    scaler.unscale_(opt)
                elif call == "step":
                    scaler.step(opt)
                elif call == "update":
                    scaler.update()
            except (RuntimeError, AssertionError) as e:
                error = {"at": i, "type": type(e).__name__, "message": str(e)}
                break
        out.append({"calls": seq, "error": error})
    return out


cases = [
    run("defaults-like: overflow at step 2, growth every 3 clean steps", 2.0 ** 16, 2.0, 0.5, 3, [
        [1e-3, -2e-3, 5e-4, 1e-4], [0.5, 0.25, -0.125, 1.0], [1.0, inf, 0.0, 0.0], [2e-5, 1e-5, -3e-5, 4e-5],
        [0.1, 0.2, 0.3, 0.4], [-0.1, 0.0, 0.1, 0.0], [1e-4, 1e-4, 1e-4, 1e-4], [nan, 1.0, 1.0, 1.0],
        [0.01, -0.02, 0.03, -0.04], [0.3, 0.3, 0.3, 0.3], [1e-2, 0.0, 0.0, 1e-2], [0.2, -0.2, 0.2, -0.2],
    ], unscale_clip_steps=(1, 4, 9)),
    run("overflow from scaling itself: 1e35 * 2^16 is Inf in float32", 2.0 ** 16, 2.0, 0.5, 2, [
        [1e35, 0.0, 0.0, 0.0], [1e35, 0.0, 0.0, 0.0], [1e30, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0],
        [1.0, 1.0, 1.0, 1.0],
    ]),
    run("growth stops at the float32 limit", 2.0 ** 126, 2.0, 0.25, 1, [
        [1e-30, 0.0, 0.0, 0.0], [1e-30, 0.0, 0.0, 0.0], [1e-30, 0.0, 0.0, 0.0], [-inf, 0.0, 0.0, 0.0], [1e-30, 0.0, 0.0, 0.0],
    ]),
]
out = {"torchVersion": torch.__version__, "cases": cases, "misuse": misuse()}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_grad_scaler_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
