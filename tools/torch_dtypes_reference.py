"""PyTorch reference bit patterns for Descent's float16/bfloat16 conversions and half arithmetic.

Run with PyTorch 1.13:  /usr/bin/python3 tools/torch_dtypes_reference.py
Writes test/fixtures/torch_dtypes_reference.json, replayed by test/tensor/half.test.ts.
Inputs are stored as float32 bit patterns (exact) or float64 values; outputs as 16-bit patterns.
NaN outputs are recorded as PyTorch produced them (bfloat16 gives 0xFFFF on its vectorised path,
float16 gives sign|0x7E00); the tests only require a NaN there, Descent's canonical NaN is sign|0x7FC0.
"""
import json
import math
import os
import struct

import torch

g = torch.Generator().manual_seed(20261201)


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def bits_to_f32(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


special = [
    0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 2.0, 0.5, 3.0, 0.1, -0.1, 1 / 3,
    # float16 range edges
    65504.0, -65504.0, 65505.0, 65519.0, 65519.99, 65520.0, 65536.0, 65504.0 * 2, 1e5, -1e5,
    2.0 ** -14, 2.0 ** -14 * (1 - 2 ** -11), 2.0 ** -14 * (1 - 2 ** -10), 2.0 ** -24, -(2.0 ** -24),
    2.0 ** -25, 2.0 ** -25 * (1 + 2 ** -20), 3 * 2.0 ** -25, 5 * 2.0 ** -25, 2.0 ** -26, 1e-8, -1e-8, 1e-7, 6e-8,
    # rounding at 1: float16 ulp 2^-10, bfloat16 ulp 2^-7
    1 + 2.0 ** -10, 1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -11 + 2.0 ** -20,
    1 + 2.0 ** -7, 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 1 + 2.0 ** -8 + 2.0 ** -20, 1 - 2.0 ** -12,
    # bfloat16 range edges
    3.3895313892515355e38, 3.3961e38, 3.4028234663852886e38, -3.4028234663852886e38, 1e38, 1.17549435e-38,
    1e-38, 1e-39, 1e-40, 1.4e-45, -1.4e-45, 9.2e-41,
    # everyday numbers
    3.14159265, 2.718281828, 1000.0, 1024.5, 2049.0, 4097.0, 0.0001, 12345.678, -7.25, 255.5, 256.5,
]
values = [f32_bits(x) for x in special]
# Every float16 rounding boundary class: random float32 patterns across the exponent range.
for _ in range(150):
    e = int(torch.randint(90, 160, (1,), generator=g))
    m = int(torch.randint(0, 1 << 23, (1,), generator=g))
    s = int(torch.randint(0, 2, (1,), generator=g))
    values.append((s << 31) | (e << 23) | m)
# Exact halfway patterns for float16 (low 13 bits 0x1000) and bfloat16 (low 16 bits 0x8000).
for _ in range(40):
    e = int(torch.randint(100, 145, (1,), generator=g))
    m = int(torch.randint(0, 1 << 10, (1,), generator=g))
    values.append((e << 23) | (m << 13) | 0x1000)
    e2 = int(torch.randint(1, 254, (1,), generator=g))
    m2 = int(torch.randint(0, 1 << 7, (1,), generator=g))
    values.append((e2 << 23) | (m2 << 16) | 0x8000)
# Fully random patterns (include NaNs with payloads and float32 subnormals).
for _ in range(60):
    values.append(int(torch.randint(0, 1 << 32, (1,), generator=g, dtype=torch.int64)))

src32 = torch.tensor(values, dtype=torch.int64).to(torch.int32).view(torch.float32)


def u16(t):
    return [v & 0xFFFF for v in t.view(torch.int16).tolist()]


conversions = {
    "float32Bits": values,
    "float16": u16(src32.to(torch.float16)),
    "bfloat16": u16(src32.to(torch.bfloat16)),
}

# float64 sources: PyTorch rounds through float32 first (double rounding included).
f64_values = [
    1 + 2.0 ** -11 + 2.0 ** -40, 1 + 2.0 ** -8 + 2.0 ** -40, 1 + 2.0 ** -11 - 2.0 ** -40, 65519.999999999,
    65520.0 - 2.0 ** -30, 1e-8, 0.1, 1 / 3, math.pi, 1e300, -1e300, 1e-300, 2.0 ** -25 + 2.0 ** -60,
] + [float(x) for x in (torch.randn(30, generator=g, dtype=torch.float64) * 100)]
src64 = torch.tensor(f64_values, dtype=torch.float64)
float64_conversions = {"values": f64_values, "float16": u16(src64.to(torch.float16)), "bfloat16": u16(src64.to(torch.bfloat16))}

# A few ops in each format: inputs given as float32 values exactly representable in the format.
ops = {}
for fmt, dt in (("float16", torch.float16), ("bfloat16", torch.bfloat16)):
    a = (torch.randn(4, 8, generator=g) * 3).to(dt)
    b = (torch.randn(4, 8, generator=g) * 3).to(dt)
    w = (torch.randn(8, 5, generator=g)).to(dt)
    small = torch.tensor([1e-4, 3e-5, 1e-6, 7e-8], dtype=torch.float32).to(dt)
    ops[fmt] = {
        "a": a.float().flatten().tolist(), "b": b.float().flatten().tolist(), "w": w.float().flatten().tolist(),
        "small": small.float().tolist(),
        "add": u16((a + b).flatten()), "mul": u16((a * b).flatten()), "div": u16((a / b).flatten()),
        # PyTorch 1.13's CPU has no Half exp/tanh kernels: computed in float32 and rounded, which is
        # what PyTorch's bfloat16 kernels do and what Descent does for both formats.
        "exp": u16(a.float().exp().to(dt).flatten()), "tanh": u16(a.float().tanh().to(dt).flatten()),
        # float32 accumulation rounded once (PyTorch's oneDNN/MKL CPU path and CUDA). This 1.13 Debian
        # build has no float16 CPU matmul, and its generic-BLAS bfloat16 gemm rounds partial sums
        # (it differs from the float32-accumulated product in ~80% of entries of a 64x64 product).
        "matmul": u16((a.float() @ w.float()).to(dt).flatten()), "sum": u16(a.sum().reshape(1)), "sumDim1": u16(a.sum(1)),
        "mean": u16(a.mean().reshape(1)), "softmax": u16(torch.softmax(a.float(), -1).to(dt).flatten()),
        "addScalar": u16((a + 1000.5).flatten()), "smallTimes2p14": u16(small * 16384),
    }

promotion = []
names = {"float64": torch.float64, "float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16,
         "int32": torch.int32, "bool": torch.bool}
rev = {v: k for k, v in names.items()}
for x in names:
    for y in names:
        r = torch.promote_types(names[x], names[y])
        promotion.append([x, y, rev.get(r, "int32" if r == torch.int64 else str(r))])
scalar_promotion = []
for x in names:
    for s in (2, 1.5):
        r = (torch.ones(2, dtype=names[x]) + s).dtype
        scalar_promotion.append([x, s, rev.get(r, "int32" if r == torch.int64 else str(r))])

finfo = {}
for fmt, dt in (("float16", torch.float16), ("bfloat16", torch.bfloat16), ("float32", torch.float32)):
    fi = torch.finfo(dt)
    finfo[fmt] = {"max": fi.max, "tiny": fi.tiny, "eps": fi.eps, "resolution": fi.resolution,
                  "minSubnormal": float(torch.tensor(1, dtype=torch.int16).view(dt)) if fmt != "float32" else 1.4012984643248171e-45}

out = {
    "torchVersion": torch.__version__, "conversions": conversions, "float64Conversions": float64_conversions,
    "ops": ops, "promotion": promotion, "scalarPromotion": scalar_promotion, "finfo": finfo,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch_dtypes_reference.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path, len(values), "float32 patterns")
