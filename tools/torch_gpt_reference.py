"""PyTorch reference for Descent's models.GPT: a nanoGPT-structured model in float64.

Run with PyTorch 1.13:  /usr/bin/python3 tools/torch_gpt_reference.py
Writes test/fixtures/torch_gpt_reference.json, read by test/models/gpt_parity.test.ts.

The model classes below follow nanoGPT's model.py (Karpathy, MIT) line for line, with the same
module and parameter names; PyTorch 1.13 has no F.scaled_dot_product_attention, so attention is
nanoGPT's explicit "slow" path (masked softmax), which computes the same function. For each
variant the script fills the weights deterministically (seeded torch.Generator; larger than
GPT-2's 0.02 so that every nonlinearity matters), then records: the state_dict, idx/targets
(with one ignore_index -1 target), logits, loss, every parameter gradient, the total gradient
norm and the clipping threshold (half of it, so clipping really scales; the clipped gradients
are grads * maxNorm / (totalNorm + 1e-6), not stored), and every weight after
ONE AdamW step over nanoGPT's configure_optimizers groups (decay for ndim >= 2, none otherwise).

Float64 arrays are stored exactly as base64 of their little-endian bytes (keeps the file small).
"""
import base64
import json
import math
import os
import struct

import torch
import torch.nn as nn
from torch.nn import functional as F

torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------- nanoGPT's model
class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (nanoGPT)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, input):
        return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config["n_embd"] % config["n_head"] == 0
        self.c_attn = nn.Linear(config["n_embd"], 3 * config["n_embd"], bias=config["bias"])
        self.c_proj = nn.Linear(config["n_embd"], config["n_embd"], bias=config["bias"])
        self.attn_dropout = nn.Dropout(config["dropout"])
        self.resid_dropout = nn.Dropout(config["dropout"])
        self.n_head = config["n_head"]
        self.n_embd = config["n_embd"]
        bs = config["block_size"]
        self.register_buffer("bias", torch.tril(torch.ones(bs, bs)).view(1, 1, bs, bs))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config["n_embd"], 4 * config["n_embd"], bias=config["bias"])
        self.gelu = nn.GELU()  # exact (erf) GELU, as nanoGPT
        self.c_proj = nn.Linear(4 * config["n_embd"], config["n_embd"], bias=config["bias"])
        self.dropout = nn.Dropout(config["dropout"])

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config["n_embd"], bias=config["bias"])
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config["n_embd"], bias=config["bias"])
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config["vocab_size"], config["n_embd"]),
            wpe=nn.Embedding(config["block_size"], config["n_embd"]),
            drop=nn.Dropout(config["dropout"]),
            h=nn.ModuleList([Block(config) for _ in range(config["n_layer"])]),
            ln_f=LayerNorm(config["n_embd"], bias=config["bias"]),
        ))
        self.lm_head = nn.Linear(config["n_embd"], config["vocab_size"], bias=False)
        if config.get("tie_weights", True):
            self.transformer.wte.weight = self.lm_head.weight  # nanoGPT's weight tying

    def forward(self, idx, targets=None):
        b, t = idx.size()
        assert t <= self.config["block_size"]
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        param_dict = {pn: p for pn, p in self.named_parameters() if p.requires_grad}
        decay = [p for n, p in param_dict.items() if p.dim() >= 2]
        nodecay = [p for n, p in param_dict.items() if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": nodecay, "weight_decay": 0.0}]
        names = ([n for n, p in param_dict.items() if p.dim() >= 2], [n for n, p in param_dict.items() if p.dim() < 2])
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas), names


# ----------------------------------------------------------------------------- helpers
def b64(t):
    flat = t.detach().reshape(-1).tolist()
    return base64.b64encode(struct.pack("<%dd" % len(flat), *flat)).decode("ascii")


def camel_config(c):
    return {"vocabSize": c["vocab_size"], "blockSize": c["block_size"], "nLayer": c["n_layer"], "nHead": c["n_head"],
            "nEmbd": c["n_embd"], "dropout": c["dropout"], "bias": c["bias"], "tieWeights": c["tie_weights"]}


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
