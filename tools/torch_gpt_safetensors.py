"""PyTorch -> Descent interop fixture: nanoGPT-structured models written to safetensors by PyTorch.

Run with PyTorch 1.13:  /usr/bin/python3 tools/torch_gpt_safetensors.py
Writes (read by test/models/gpt_safetensors.test.ts):
  test/fixtures/torch_gpt_tied.safetensors    tied head, biases, 2 heads, F32, written from
                                              state_dict() (so it holds BOTH transformer.wte.weight
                                              and lm_head.weight, as torch.save would), no buffers
  test/fixtures/torch_gpt_untied.safetensors  untied head, no biases, 4 heads, F64
  test/fixtures/torch_gpt_safetensors.json    configs, idx/targets, PyTorch's float64 logits and loss
The file format is written by hand here (tools/nanogpt_model.py), not by the `safetensors` package.
The logits are computed in float64 from exactly the values stored in each file.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nanogpt_model import GPT, camel_config, write_safetensors  # noqa: E402

torch.set_default_dtype(torch.float64)
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")


def case(file, config, dtype, seed, B=2, T=8):
    torch.manual_seed(seed)
    model = GPT(config)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            p.copy_(1.0 + 0.1 * r if ".ln_" in name and name.endswith(".weight") else 0.1 * r if name.endswith(".bias") else 0.3 * r)
            p.copy_(p.to(dtype).to(torch.float64))  # the model holds exactly the values the file stores
    state = {k: v.to(dtype) for k, v in model.state_dict().items() if not k.endswith(".attn.bias")}  # no mask buffers
    write_safetensors(os.path.join(FIXTURES, file), state, {"format": "pt"})
    g2 = torch.Generator().manual_seed(seed + 100)
    idx = torch.randint(0, config["vocab_size"], (B, T), generator=g2)
    targets = torch.randint(0, config["vocab_size"], (B, T), generator=g2)
    with torch.no_grad():
        logits, loss = model(idx, targets)
    return {"file": file, "config": camel_config(config), "dtype": str(dtype).replace("torch.", ""), "keys": list(state.keys()),
            "idx": idx.tolist(), "targets": targets.tolist(), "logits": logits.reshape(-1).tolist(), "loss": float(loss)}


base = {"vocab_size": 11, "block_size": 8, "n_layer": 2, "n_embd": 16, "dropout": 0.0}
cases = [
    case("torch_gpt_tied.safetensors", {**base, "n_head": 2, "bias": True, "tie_weights": True}, torch.float32, seed=11),
    case("torch_gpt_untied.safetensors", {**base, "n_head": 4, "bias": False, "tie_weights": False}, torch.float64, seed=12),
]
path = os.path.join(FIXTURES, "torch_gpt_safetensors.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
for c in cases:
    print(c["file"], os.path.getsize(os.path.join(FIXTURES, c["file"])), "bytes, loss", c["loss"])
print("wrote", path, os.path.getsize(path), "bytes")
