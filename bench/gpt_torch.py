# PyTorch side of bench/gpt.ts: the same nanoGPT-layout model as models.GPT (or the MLP) trained on random
# tokens, timed per phase. Prints one JSON object. argv[1] = JSON config from bench/gpt.ts.
# PyTorch 1.13 has no F.scaled_dot_product_attention, so attention is nanoGPT's explicit path.
import ctypes, json, math, os, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
threads = int(cfg["threads"])
torch.set_num_threads(threads)
torch.manual_seed(0)


def blas_core():
    """The BLAS library mapped into this process and OpenBLAS's core name (when it is OpenBLAS)."""
    libs = set()
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if ".so" in path and ("blas" in path.lower() or "mkl" in path.lower()):
            libs.add(path)
    core = "unknown"
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                core = "OpenBLAS " + lib.openblas_get_corename().decode()
                if hasattr(lib, "openblas_get_config"):
                    lib.openblas_get_config.restype = ctypes.c_char_p
                    core += " (" + lib.openblas_get_config().decode().strip() + ")"
                break
        except OSError:
            pass
    return core, sorted(libs)


def gemm_gflops(n=512):
    a = torch.rand(n, n); b = torch.rand(n, n)
    a @ b
    ts = []
    for _ in range(5):
        t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
    ts.sort()
    return 2.0 * n ** 3 / ts[2] / 1e9


class Block(nn.Module):
    def __init__(s, C, H):
        super().__init__()
        s.H = H
        s.ln_1 = nn.LayerNorm(C); s.c_attn = nn.Linear(C, 3 * C); s.attn_proj = nn.Linear(C, C)
        s.ln_2 = nn.LayerNorm(C); s.c_fc = nn.Linear(C, 4 * C); s.mlp_proj = nn.Linear(4 * C, C)

    def forward(s, x, mask):
        B, T, C = x.shape
        q, k, v = s.c_attn(s.ln_1(x)).split(C, dim=2)
        q = q.view(B, T, s.H, C // s.H).transpose(1, 2)
        k = k.view(B, T, s.H, C // s.H).transpose(1, 2)
        v = v.view(B, T, s.H, C // s.H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(mask[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + s.attn_proj(y)
        return x + s.mlp_proj(F.gelu(s.c_fc(s.ln_2(x))))


class GPT(nn.Module):
    def __init__(s, L, H, C, T, V):
        super().__init__()
        s.wte = nn.Embedding(V, C); s.wpe = nn.Embedding(T, C)
        s.h = nn.ModuleList([Block(C, H) for _ in range(L)]); s.ln_f = nn.LayerNorm(C)
        s.register_buffer("mask", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(s, idx, targets):
        B, T = idx.shape
        x = s.wte(idx) + s.wpe(torch.arange(T))
        for b in s.h:
            x = b(x, s.mask)
        logits = F.linear(s.ln_f(x), s.wte.weight)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    kind = cfg["kind"]
    if kind == "gpt":
        L, H, C, T, B, V = (cfg[k] for k in ("nLayer", "nHead", "nEmbd", "blockSize", "batch", "vocabSize"))
        model = GPT(L, H, C, T, V)
        decay = [p for p in model.parameters() if p.dim() >= 2]  # nanoGPT's groups, as models.GPT.optimizerGroups
        rest = [p for p in model.parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                                lr=3e-4, betas=(0.9, 0.95), eps=1e-8)
        x = torch.randint(0, V, (B, T)); y = torch.randint(0, V, (B, T))
        loss_fn = lambda: model(x, y)
    else:
        sizes = cfg["sizes"]; B = cfg["batch"]
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.randn(B, sizes[0]); y = torch.randint(0, sizes[-1], (B,))
        loss_fn = lambda: F.cross_entropy(model(x), y)
    steps, warmup = cfg["steps"], cfg["warmup"]
    rows = []
    t_end = time.perf_counter() + cfg["budgetS"]
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        loss = loss_fn()
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step(); opt.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        if i >= warmup:
            rows.append([t1 - t0, t2 - t1, t3 - t2])
            if time.perf_counter() > t_end and len(rows) >= 3:
                break
    core, libs = blas_core()
    print(json.dumps({
        "steps": rows, "loss": float(loss), "maxRssKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "note": "PyTorch %s, %s, %d threads (torch.get_num_threads()=%d), OMP_WAIT_POLICY=%s, 512^3 sgemm %.0f GFLOPS" % (
            torch.__version__, core, threads, torch.get_num_threads(), os.environ.get("OMP_WAIT_POLICY"), gemm_gflops()),
        "blasLibs": libs,
        "params": sum(p.numel() for p in model.parameters()),
    }))


main()
