# PyTorch side of bench/attention.ts: causal attention forward and backward on (B, H, T, D) float32,
# milliseconds (median). argv[1] = JSON {"shapes": [[B, H, T, D], ...], "threads": n, "seconds": s}.
# PyTorch 1.13 (Debian) has no F.scaled_dot_product_attention, so this is the math path PyTorch's own
# SDPA falls back to on CPU: q k^T * scale, causal -inf fill, softmax, @ v (as nanoGPT without flash).
import ctypes, json, math, os, sys, time
import torch
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
torch.set_num_threads(int(cfg["threads"]))
torch.manual_seed(0)
sdpa = getattr(F, "scaled_dot_product_attention", None)


def blas_core():
    """OpenBLAS's core name when the BLAS mapped into this process is OpenBLAS (as bench/gpt_torch.py)."""
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if ".so" in path and "blas" in path.lower():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return "OpenBLAS " + lib.openblas_get_corename().decode()
    return "BLAS unknown"


def attend(q, k, v, mask):
    if sdpa is not None:
        return sdpa(q, k, v, is_causal=True)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.size(-1)))
    att = att.masked_fill(mask, float("-inf"))
    return F.softmax(att, dim=-1) @ v


def median_ms(fn, seconds):
    """Wall-clock median and process CPU time per call (all threads), ms."""
    fn()
    ts, end, c0 = [], time.perf_counter() + seconds, time.process_time()
    while len(ts) < 3 or (time.perf_counter() < end and len(ts) < 50):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / len(ts)
    ts.sort()
    return ts[len(ts) // 2] * 1e3, cpu * 1e3


rows = []
for B, H, T, D in cfg["shapes"]:
    q, k, v = (torch.randn(B, H, T, D, requires_grad=True) for _ in range(3))
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    g = torch.randn(B, H, T, D)
    with torch.no_grad():
        fwd = median_ms(lambda: attend(q, k, v, mask), cfg["seconds"])
    y = attend(q, k, v, mask)
    bwd = median_ms(lambda: torch.autograd.grad(y, (q, k, v), g, retain_graph=True), cfg["seconds"])
    rows.append({"shape": [B, H, T, D], "forwardMs": fwd[0], "backwardMs": bwd[0], "forwardCpuMs": fwd[1], "backwardCpuMs": bwd[1]})
print(json.dumps({"rows": rows, "note": "PyTorch %s, %s, %s, %d threads, OMP_WAIT_POLICY=%s" % (
    torch.__version__, blas_core(), "F.scaled_dot_product_attention(is_causal=True)" if sdpa else "math path (no SDPA in this version)",
    torch.get_num_threads(), os.environ.get("OMP_WAIT_POLICY"))}))
