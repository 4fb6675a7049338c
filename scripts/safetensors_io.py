#!/usr/bin/python3
"""Moves state dicts between PyTorch and taimatsu through safetensors files, without the
`safetensors` package: `export MODEL.pt OUT.safetensors` writes a torch.save'd state dict
for taimatsu's io.loadSafetensors, and `check OUT.safetensors` loads a file that taimatsu
wrote into torch tensors and prints their names and shapes."""
import json
import struct
import sys

import torch

DTYPES = {
    "F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "BOOL": torch.bool,
    "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16, "F16": torch.float16, "BF16": torch.bfloat16,
}
CODES = {v: k for k, v in DTYPES.items()}


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).clone()
    return out


def save(state_dict, path):
    header, chunks, offset = {}, [], 0
    for name, t in state_dict.items():
        # numpy has no bfloat16: its bytes go out through a 16-bit integer view
        b = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        save(torch.load(sys.argv[2]), sys.argv[3])
    else:
        for k, v in load(sys.argv[2]).items():
            print(k, tuple(v.shape), v.dtype)
