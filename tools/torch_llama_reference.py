"""PyTorch reference numbers for Descent's LLaMA pieces: rmsNorm, rotary embeddings and a tiny
LLaMA model (HF LlamaForCausalLM structure), all float64.

Run with PyTorch (1.13 here, no `transformers`):  /usr/bin/python3 tools/torch_llama_reference.py
Writes
  test/fixtures/torch_rms_rotary_reference.json  (replayed by test/nn/rms_norm.test.ts and
                                                  test/nn/functional/rotary.test.ts)
  test/fixtures/torch_llama_reference.json       (replayed by test/models/llama_parity.test.ts)

The reference is written out here, self-contained, following HF's modeling_llama.py:
  RMSNorm      y = x * rsqrt(mean(x^2, -1) + eps) * w      (torch.nn.RMSNorm semantics, PyTorch >= 2.4:
                                                            eps=None means torch.finfo(dtype).eps)
  RoPE         inv_freq = 1 / theta^(arange(0, D, 2) / D); emb = cat(freqs, freqs); cos, sin = emb.cos(), emb.sin()
               q' = q * cos + rotate_half(q) * sin,  rotate_half(x) = cat(-x[..., D/2:], x[..., :D/2])
  GQA          repeat_kv: kv head j serves query heads j*n_rep .. (j+1)*n_rep - 1
  SwiGLU MLP   down(silu(gate(x)) * up(x))
  block        x = x + o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x)))); x = x + mlp(n2(x))
  head         logits = lm_head(norm(x)); loss = cross_entropy(logits, targets, ignore_index=-1)
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))


def randn(*shape, std=1.0):
    return torch.randn(*shape, generator=g) * std


def flat(t):
    return t.detach().reshape(-1).tolist()


def rms_norm(x, normalized_shape, weight=None, eps=None):
    """torch.nn.functional.rms_norm (PyTorch >= 2.4), written out for PyTorch 1.13."""
    if eps is None:
        eps = torch.finfo(x.dtype).eps
    dims = tuple(range(-len(normalized_shape), 0))
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y * weight if weight is not None else y


def rotary_cache(head_dim, seq_len, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = torch.outer(torch.arange(seq_len, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def apply_rotary(x, cos, sin):
    return x * cos + rotate_half(x) * sin


def repeat_kv(x, n_rep):
    B, Hkv, T, D = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(B, Hkv, n_rep, T, D).reshape(B, Hkv * n_rep, T, D)


# ---------------------------------------------------------------- rmsNorm and rotary alone
def rms_case(name, shape, normalized_shape, affine, eps):
    x = randn(*shape).requires_grad_(True)
    w = (1 + 0.5 * randn(*normalized_shape)).requires_grad_(True) if affine else None
    y = rms_norm(x, normalized_shape, w, eps)
    gy = randn(*shape)
    y.backward(gy)
    return {
        "name": name, "shape": list(shape), "normalizedShape": list(normalized_shape), "eps": eps,
        "x": flat(x), "weight": flat(w) if affine else None, "gy": flat(gy), "y": flat(y),
        "gx": flat(x.grad), "gWeight": flat(w.grad) if affine else None,
    }


def rotary_case(name, shape, cache_len, theta, offset, learnable_cache=False):
    D, T = shape[-1], shape[-2]
    cos, sin = rotary_cache(D, cache_len, theta)
    cos.requires_grad_(learnable_cache)
    sin.requires_grad_(learnable_cache)
    x = randn(*shape).requires_grad_(True)
    y = apply_rotary(x, cos[offset:offset + T], sin[offset:offset + T])
    gy = randn(*shape)
    y.backward(gy)
    return {
        "name": name, "shape": list(shape), "cacheLen": cache_len, "theta": theta, "positionOffset": offset,
        "cos": flat(cos), "sin": flat(sin), "x": flat(x), "gy": flat(gy), "y": flat(y), "gx": flat(x.grad),
        "gCos": flat(cos.grad) if learnable_cache else None, "gSin": flat(sin.grad) if learnable_cache else None,
    }


ops = {
    "torch": torch.__version__,
    "rmsNorm": [
        rms_case("last_dim_eps_1e-5", (2, 3, 8), (8,), True, 1e-5),
        rms_case("two_dims_eps_1e-6", (3, 2, 5), (2, 5), True, 1e-6),
        rms_case("no_weight_eps_default", (4, 6), (6,), False, None),
        rms_case("weight_eps_default", (2, 2, 4), (4,), True, None),
        rms_case("tiny_rows", (3, 4), (4,), True, 1e-5),
    ],
    "rotary": [
        rotary_case("bhtd_offset0", (2, 3, 5, 8), 5, 10000.0, 0),
        rotary_case("offset3_theta500000", (1, 2, 4, 6), 9, 500000.0, 3),
        rotary_case("three_dims_d2", (3, 7, 2), 7, 10000.0, 0),
        rotary_case("learnable_cache_offset2", (2, 2, 3, 4), 6, 100.0, 2, learnable_cache=True),
    ],
}

# ---------------------------------------------------------------- the tiny model
cfg = {
    "vocabSize": 11, "blockSize": 8, "nLayer": 2, "nHead": 4, "nKvHeads": 2, "nEmbd": 16,
    "intermediateSize": 24, "ropeTheta": 10000.0, "rmsNormEps": 1e-5, "dropout": 0.0, "tieWeights": False,
}
V, C, H, Hkv, L, Fi = cfg["vocabSize"], cfg["nEmbd"], cfg["nHead"], cfg["nKvHeads"], cfg["nLayer"], cfg["intermediateSize"]
hd = C // H
B, T = 2, 8

# Larger-than-init weights so every nonlinearity is exercised; norm weights away from 1.
params = {"model.embed_tokens.weight": randn(V, C, std=0.7)}
for i in range(L):
    p = f"model.layers.{i}."
    params[p + "self_attn.q_proj.weight"] = randn(H * hd, C, std=0.4)
    params[p + "self_attn.k_proj.weight"] = randn(Hkv * hd, C, std=0.4)
    params[p + "self_attn.v_proj.weight"] = randn(Hkv * hd, C, std=0.4)
    params[p + "self_attn.o_proj.weight"] = randn(C, H * hd, std=0.3)
    params[p + "mlp.gate_proj.weight"] = randn(Fi, C, std=0.4)
    params[p + "mlp.up_proj.weight"] = randn(Fi, C, std=0.4)
    params[p + "mlp.down_proj.weight"] = randn(C, Fi, std=0.3)
    params[p + "input_layernorm.weight"] = 1 + 0.2 * randn(C)
    params[p + "post_attention_layernorm.weight"] = 1 + 0.2 * randn(C)
params["model.norm.weight"] = 1 + 0.2 * randn(C)
params["lm_head.weight"] = randn(V, C, std=0.4)
for t in params.values():
    t.requires_grad_(True)

idx = torch.randint(0, V, (B, T), generator=g)
targets = torch.randint(0, V, (B, T), generator=g)
targets[1, 3] = -1  # one ignored position


def llama_forward(P, idx, targets):
    eps = cfg["rmsNormEps"]
    cos, sin = rotary_cache(hd, cfg["blockSize"], cfg["ropeTheta"])
    Tq = idx.shape[1]
    cos, sin = cos[:Tq], sin[:Tq]
    causal = torch.ones(Tq, Tq, dtype=torch.bool).tril()
    x = P["model.embed_tokens.weight"][idx]  # (B, T, C)
    for i in range(L):
        p = f"model.layers.{i}."
        h = rms_norm(x, (C,), P[p + "input_layernorm.weight"], eps)
        q = (h @ P[p + "self_attn.q_proj.weight"].T).view(B, Tq, H, hd).transpose(1, 2)
        k = (h @ P[p + "self_attn.k_proj.weight"].T).view(B, Tq, Hkv, hd).transpose(1, 2)
        v = (h @ P[p + "self_attn.v_proj.weight"].T).view(B, Tq, Hkv, hd).transpose(1, 2)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        k, v = repeat_kv(k, H // Hkv), repeat_kv(v, H // Hkv)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, Tq, C)
        x = x + y @ P[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, (C,), P[p + "post_attention_layernorm.weight"], eps)
        gate = h @ P[p + "mlp.gate_proj.weight"].T
        up = h @ P[p + "mlp.up_proj.weight"].T
        x = x + (F.silu(gate) * up) @ P[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, (C,), P["model.norm.weight"], eps)
    logits = x @ P["lm_head.weight"].T
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-1)
    return logits, loss


logits, loss = llama_forward(params, idx, targets)
loss.backward()
model = {
    "torch": torch.__version__,
    "config": cfg,
    "B": B, "T": T,
    "idx": idx.tolist(), "targets": targets.tolist(),
    "params": {k: {"shape": list(t.shape), "values": flat(t)} for k, t in params.items()},
    "logits": flat(logits), "loss": loss.item(),
    "grads": {k: flat(t.grad) for k, t in params.items()},
}

fixtures = os.path.join(HERE, "..", "test", "fixtures")
for name, obj in [("torch_rms_rotary_reference.json", ops), ("torch_llama_reference.json", model)]:
    path = os.path.join(fixtures, name)
    with open(path, "w") as f:
        json.dump(obj, f, allow_nan=False)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")
print(f"loss {loss.item():.6f}, {sum(t.numel() for t in params.values())} parameters")
