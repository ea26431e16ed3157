"""PyTorch reference for Descent's models.GPT: a nanoGPT-structured model in float64.

Run with PyTorch 1.13:  /usr/bin/python3 tools/torch_gpt_reference.py
Writes test/fixtures/torch_gpt_reference.json, read by test/models/gpt_parity.test.ts.

The model is tools/nanogpt_model.py (nanoGPT's model.py structure and names). For each
variant the script fills the weights deterministically (seeded torch.Generator; larger than
GPT-2's 0.02 so that every nonlinearity matters), then records: the state_dict, idx/targets
(with one ignore_index -1 target), logits, loss, every parameter gradient, the total gradient
norm and the clipping threshold (half of it, so clipping really scales; the clipped gradients
are grads * maxNorm / (totalNorm + 1e-6), not stored), and every weight after
ONE AdamW step over nanoGPT's configure_optimizers groups (decay for ndim >= 2, none otherwise).

Float64 arrays are stored exactly as base64 of their little-endian bytes (keeps the file small).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nanogpt_model import GPT, b64, camel_config  # noqa: E402

torch.set_default_dtype(torch.float64)


def fill_weights(model, seed):
    """Deterministic, deliberately non-trivial weights (every parameter once, in named order)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1.0 + 0.1 * r)
            elif name.endswith(".bias"):
                p.copy_(0.1 * r)
            else:
                p.copy_(0.3 * r)


def variant(name, config, seed, B, T, lr=1e-2, betas=(0.9, 0.95), weight_decay=0.1):
    torch.manual_seed(seed)
    model = GPT(config)
    fill_weights(model, seed)
    state = {k: b64(v) for k, v in model.state_dict().items() if not k.endswith(".attn.bias")}  # drop the mask buffer
    g = torch.Generator().manual_seed(seed + 1)
    V = config["vocab_size"]
    idx = torch.randint(0, V, (B, T), generator=g)
    targets = torch.randint(0, V, (B, T), generator=g)
    targets[B - 1, T - 1] = -1  # nanoGPT's ignore_index

    logits, loss = model(idx, targets)
    loss.backward()
    params = list(model.named_parameters())
    grads = {n: b64(p.grad) for n, p in params}
    total_norm = float(torch.norm(torch.stack([p.grad.norm() for _, p in params])))
    max_norm = 0.5 * total_norm  # clip for real
    returned = float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm))
    opt, (decay_names, nodecay_names) = model.configure_optimizers(weight_decay, lr, betas)
    opt.step()
    after = {n: b64(p) for n, p in params}
    with torch.no_grad():
        _, loss_after = model(idx, targets)

    return {
        "name": name,
        "config": camel_config(config),
        "seed": seed,
        "B": B,
        "T": T,
        "idx": idx.tolist(),
        "targets": targets.tolist(),
        "paramNames": [n for n, _ in params],
        "paramShapes": {n: list(p.shape) for n, p in params},
        "stateDict": state,
        "logits": b64(logits),
        "loss": float(loss),
        "grads": grads,
        "clip": {"maxNorm": max_norm, "totalNorm": returned},
        "adamw": {"lr": lr, "betas": list(betas), "eps": 1e-8, "weightDecay": weight_decay},
        "decayNames": decay_names,
        "noDecayNames": nodecay_names,
        "after": after,
        "lossAfter": float(loss_after),
    }


base = {"vocab_size": 11, "block_size": 8, "n_layer": 2, "n_embd": 16, "dropout": 0.0}
variants = [
    variant("tied, bias, 2 heads", {**base, "n_head": 2, "bias": True, "tie_weights": True}, seed=1, B=3, T=8),
    variant("untied, bias, 4 heads", {**base, "n_head": 4, "bias": True, "tie_weights": False}, seed=2, B=2, T=8),
    variant("tied, no bias, 4 heads, T < blockSize", {**base, "n_head": 4, "bias": False, "tie_weights": True}, seed=3, B=2, T=5),
]

out = {
    "torch": torch.__version__,
    "encoding": "float64 arrays are base64 of their little-endian bytes, row-major",
    "variants": variants,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_gpt_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path, os.path.getsize(path), "bytes")
for v in variants:
    print(v["name"], "loss", v["loss"], "total grad norm", v["clip"]["totalNorm"], "loss after", v["lossAfter"])
