#!/usr/bin/env python3
"""A small safetensors reader/writer for PyTorch tensors, for machines without the `safetensors`
package (Debian has none). It follows the reference Rust crate's rules exactly, so its files are
byte-identical to `safetensors.torch.save_file` and to Descent's `io.serializeSafetensors`:
u64 little-endian header length N, compact JSON header (`__metadata__` first, keys sorted here),
tensors laid out by descending dtype in the crate's enum order and then by name, header padded
with spaces to a multiple of 8, little-endian contiguous data.

    from safetensors_torch import save_file, load_file   # (tools/ on sys.path)

Run as a script with Debian's torch to regenerate Descent's interop fixture:

    /usr/bin/python3 tools/safetensors_torch.py

It writes test/fixtures/torch_written.safetensors (tensors of every dtype made by torch) and
test/fixtures/torch_written.json: for each tensor its dtype, shape, and the values torch itself
gives when widening it (`.double()` for floats, `.long()` for ints); float values are written as
float64 hex bit patterns (so NaN, -0 and infinities survive JSON), ints as decimal strings.
"""

import json
import os
import struct
import sys

import torch

# dtype name, torch dtype, bytes per element, position in the crate's Dtype enum
DTYPES = [
    ("BOOL", torch.bool, 1, 0), ("U8", torch.uint8, 1, 4), ("I8", torch.int8, 1, 5),
    ("I16", torch.int16, 2, 11), ("F16", torch.float16, 2, 13), ("BF16", torch.bfloat16, 2, 14),
    ("I32", torch.int32, 4, 15), ("F32", torch.float32, 4, 17), ("F64", torch.float64, 8, 19),
    ("I64", torch.int64, 8, 20),
]
BY_TORCH = {t: (name, size, rank) for name, t, size, rank in DTYPES}
BY_NAME = {name: (t, size) for name, t, size, _ in DTYPES}
MAX_HEADER = 100_000_000


def _bytes_of(t):
    """Little-endian bytes of a contiguous tensor (16-bit floats through their int16 bit view)."""
    t = t.detach().contiguous().cpu()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    if sys.byteorder != "little":
        raise RuntimeError("big-endian host: not supported by this tool")
    return t.numpy().tobytes()


def serialize(tensors, metadata=None):
    items = []
    for name, t in tensors.items():
        if not name or name == "__metadata__":
            raise ValueError(f"bad tensor name {name!r}")
        dname, size, rank = BY_TORCH[t.dtype]
        items.append((rank, name, dname, list(t.shape), _bytes_of(t)))
    # Descending enum rank, then name (Python str order is code-point order, like Rust's).
    items.sort(key=lambda x: (-x[0], x[1]))
    parts = []
    if metadata is not None:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise ValueError("metadata must map strings to strings")
        fields = ",".join(f"{json.dumps(k, ensure_ascii=False)}:{json.dumps(metadata[k], ensure_ascii=False)}" for k in sorted(metadata))
        parts.append('"__metadata__":{' + fields + "}")
    offset = 0
    data = []
    for _, name, dname, shape, b in items:
        parts.append(f'{json.dumps(name, ensure_ascii=False)}:{{"dtype":"{dname}","shape":[{",".join(map(str, shape))}],"data_offsets":[{offset},{offset + len(b)}]}}')
        offset += len(b)
        data.append(b)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(data)


def save_file(tensors, path, metadata=None):
    """Write atomically: temp file in the same directory, fsync, rename."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(serialize(tensors, metadata))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def deserialize(buf):
    """(tensors dict, metadata dict) from bytes, with the crate's layout checks."""
    if len(buf) < 8:
        raise ValueError("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > MAX_HEADER or n > len(buf) - 8:
        raise ValueError(f"bad header length {n}")
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = memoryview(buf)[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    at = 0
    out = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        t, size = BY_NAME[info["dtype"]]
        numel = 1
        for d in info["shape"]:
            numel *= d
        if begin != at or end - begin != numel * size or end > len(data):
            raise ValueError(f"tensor {name!r}: bad data_offsets {info['data_offsets']}")
        at = end
        raw = bytes(data[begin:end])
        if t == torch.bool:
            x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).to(torch.bool) if raw else torch.empty(0, dtype=torch.bool)
        elif t in (torch.float16, torch.bfloat16):
            x = (torch.frombuffer(bytearray(raw), dtype=torch.int16) if raw else torch.empty(0, dtype=torch.int16)).view(t)
        else:
            x = torch.frombuffer(bytearray(raw), dtype=t) if raw else torch.empty(0, dtype=t)
        out[name] = x.reshape(info["shape"]).clone()
    if at != len(data):
        raise ValueError(f"tensors cover {at} bytes but the data buffer has {len(data)}")
    return out, metadata


def load_file(path):
    with open(path, "rb") as f:
        return deserialize(f.read())


def _f64_hex(x):
    return struct.pack("<d", x).hex()


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    g = torch.Generator().manual_seed(7)
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 6e-8, float("inf"), float("-inf"), float("nan"), 1 / 3, 1e-40, 3e38])
    tensors = {
        "f64": torch.randn(2, 3, generator=g, dtype=torch.float64),
        "f32": torch.randn(4, generator=g),
        "f16.special": special.to(torch.float16),
        "f16.random": torch.randn(3, 2, generator=g).to(torch.float16),
        "bf16.special": special.to(torch.bfloat16),
        "bf16.random": torch.randn(5, generator=g).to(torch.bfloat16),
        "i64": torch.tensor([[-2147483648, 2147483647], [0, -1]], dtype=torch.int64),
        "i32": torch.tensor([7, -8, 9], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 5], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(1.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "transformer.h.0.attn.c_attn.weight": torch.randn(6, 2, generator=g),
    }
    metadata = {"format": "pt", "written_by": "tools/safetensors_torch.py"}
    path = os.path.join(root, "test", "fixtures", "torch_written.safetensors")
    save_file(tensors, path, metadata)
    back, meta = load_file(path)
    assert meta == metadata and all(torch.equal(back[k], v) or (v.is_floating_point() and torch.equal(back[k].isnan(), v.isnan())) for k, v in tensors.items())
    expected = {}
    for name, t in tensors.items():
        dname = BY_TORCH[t.dtype][0]
        if t.is_floating_point():
            values = [_f64_hex(v) for v in t.double().flatten().tolist()]
        else:
            values = [str(v) for v in t.long().flatten().tolist()]
        expected[name] = {"dtype": dname, "shape": list(t.shape), "values": values}
    with open(os.path.join(root, "test", "fixtures", "torch_written.json"), "w") as f:
        json.dump({"metadata": metadata, "tensors": expected}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and torch_written.json")


if __name__ == "__main__":
    main()
