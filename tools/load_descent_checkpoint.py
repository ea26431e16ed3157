"""Load a Descent checkpoint directory into a PyTorch nanoGPT-structured model and run it.

Usage (PyTorch 1.13; no `safetensors` package needed):
  /usr/bin/python3 tools/load_descent_checkpoint.py DIR [--tokens 1,2,3 ...] [--seed N] [--json OUT]
                                                        [--compare sample.json]

DIR is a checkpoint directory, or a run directory (its checkpoints/latest.json is followed). It holds `model.safetensors` (Descent's model.stateDict(): a tied head is stored once, as
transformer.wte.weight) and `config.json` with vocabSize, blockSize, nLayer, nHead, nEmbd, dropout,
bias, tieWeights (other keys are ignored). The weights are loaded in float64 (exactly, whatever
the file's float dtype) with strict name/shape checks. The sample is either --tokens (one row),
the idx of --compare's JSON, or random tokens from --seed (B 2, T = blockSize); targets are the
next tokens (the last position ignored, -1). Prints the logits' shape and first values and the loss;
--compare FILE ({"idx", "targets"?, "logits"}) also prints the max abs/rel difference to those
logits and exits 1 if the relative difference exceeds 1e-9 (float64 files) or 1e-4 (float32).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nanogpt_model import GPT, from_descent_config  # noqa: E402
from safetensors_torch import load_file  # noqa: E402

torch.set_default_dtype(torch.float64)


def resolve(path):
    """A checkpoint directory, or a run directory / its checkpoints/ folder (via latest.json)."""
    if os.path.exists(os.path.join(path, "config.json")):
        return path
    for ck in (os.path.join(path, "checkpoints"), path):
        latest = os.path.join(ck, "latest.json")
        if os.path.exists(latest):
            with open(latest) as f:
                return os.path.join(ck, json.load(f)["checkpoint"])
    raise SystemExit(f"{path}: no config.json here and no checkpoints/latest.json: not a Descent checkpoint or run directory")


def load(directory):
    directory = resolve(directory)
    with open(os.path.join(directory, "config.json")) as f:
        raw = json.load(f)
    cfg = raw.get("model", raw)  # accept a nested {"model": {...}} config too
    config = from_descent_config(cfg)
    tensors, metadata = load_file(os.path.join(directory, "model.safetensors"))
    model = GPT(config)
    state = {k: v.to(torch.float64) for k, v in tensors.items()}
    if config["tie_weights"]:
        if "lm_head.weight" not in state and "transformer.wte.weight" in state:
            state["lm_head.weight"] = state["transformer.wte.weight"]
        if "transformer.wte.weight" not in state and "lm_head.weight" in state:
            state["transformer.wte.weight"] = state["lm_head.weight"]
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith(".attn.bias")]  # the causal-mask buffers are not weights
    if missing or unexpected:
        raise SystemExit(f"{directory}: model.safetensors does not fit config.json: missing {missing}, unexpected {unexpected}")
    if config["tie_weights"] and not torch.equal(model.lm_head.weight, state["transformer.wte.weight"]):
        raise SystemExit(f"{directory}: tieWeights is true but lm_head.weight differs from transformer.wte.weight")
    model.eval()
    dtypes = sorted({str(t.dtype).replace("torch.", "") for t in tensors.values()})
    return model, config, dtypes, metadata, directory


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--tokens", help="comma-separated token ids (one sequence)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write {idx, targets, logits, loss} here")
    ap.add_argument("--compare", help="JSON with idx (and targets) and the logits to compare with")
    args = ap.parse_args()

    model, config, dtypes, metadata, directory = load(args.dir)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"loaded {directory}: {n_params} parameters ({', '.join(dtypes)}), config {json.dumps(config)}")
    expected = None
    if args.compare:
        with open(args.compare) as f:
            expected = json.load(f)
        idx = torch.tensor(expected["idx"], dtype=torch.long)
        targets = torch.tensor(expected["targets"], dtype=torch.long) if "targets" in expected else None
    else:
        if args.tokens:
            idx = torch.tensor([[int(t) for t in args.tokens.split(",")]], dtype=torch.long)
        else:
            g = torch.Generator().manual_seed(args.seed)
            idx = torch.randint(0, config["vocab_size"], (2, config["block_size"]), generator=g)
        targets = None
    if targets is None:
        targets = torch.full_like(idx, -1)
        targets[:, :-1] = idx[:, 1:]
    with torch.no_grad():
        logits, loss = model(idx, targets)
    print(f"idx {list(idx.shape)}, logits {list(logits.shape)}, loss {float(loss):.17g}")
    print("logits[0, -1, :8] =", [round(float(v), 6) for v in logits[0, -1, :8]])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"idx": idx.tolist(), "targets": targets.tolist(), "logits": logits.reshape(-1).tolist(), "loss": float(loss)}, f)
    if expected is not None:
        ref = torch.tensor(expected["logits"], dtype=torch.float64).reshape(logits.shape)
        diff = (logits - ref).abs()
        rel = float((diff / ref.abs().clamp_min(1e-3 * float(ref.abs().max()))).max())
        print(f"max |logits - expected| = {float(diff.max()):.3e}, max relative = {rel:.3e}")
        if "loss" in expected:
            print(f"loss difference = {abs(float(loss) - expected['loss']):.3e}")
        tol = 1e-9 if dtypes == ["float64"] else 1e-4
        if rel > tol:
            raise SystemExit(f"logits differ by {rel:.3e} (relative), more than {tol}")


if __name__ == "__main__":
    main()
