"""Golden values for the storage dtypes (test/dtypes.test.ts): uint8, int8, int16, float16 and
bfloat16 values after casts (rounding, wrapping), arithmetic with PyTorch's type promotion,
x.type(...) conversions, torch.promote_types over every pair of dtypes, and .pt / safetensors
files holding every dtype (test/fixtures/pt/dtypes.pt, dtypes.safetensors). Written by PyTorch 1.13.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_dtype_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "..", "test", "fixtures")
NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
DT = {n: getattr(torch, n) for n in NAMES}


def num(v):
    """JSON has no infinities: they are written as the strings "inf" and "-inf"."""
    return v if v == v and abs(v) != float("inf") else str(v)


def vals(t):
    return t.reshape(-1).tolist() if t.dtype == torch.bool else [num(v) for v in t.double().reshape(-1).tolist()]


FLOATS = [0.1, -1.7, 1e-5, 3e-8, 65504.0, 70000.0, 1 / 3, 2.5, -0.0, 123456.789]
INTS = [-1, 0, 127, 128, 255, 256, 300, -129, 40000, -40000]


def main():
    out = {"casts": {}, "arith": {}, "promote": {}, "type": {}}
    for n in ["float16", "bfloat16"]:
        out["casts"][f"floats->{n}"] = vals(torch.tensor(FLOATS, dtype=torch.float32).to(DT[n]))
    for n in ["uint8", "int8", "int16"]:
        out["casts"][f"ints->{n}"] = vals(torch.tensor(INTS).to(DT[n]))
        out["casts"][f"{n}->float32"] = vals(torch.tensor(INTS).to(DT[n]).float())
    a8 = torch.tensor([200, 10, 0, 255], dtype=torch.uint8)
    b8 = torch.tensor([100, 20, 1, 255], dtype=torch.uint8)
    i8 = torch.tensor([-5, 7, -128, 127], dtype=torch.int8)
    h = torch.tensor([0.1, 1000.0, -3.3, 1e-4], dtype=torch.float16)
    bf = torch.tensor([0.1, 1000.0, -3.3, 1e-4], dtype=torch.bfloat16)
    cases = {
        "u8+u8": a8 + b8,
        "u8-1": a8 - 1,
        "u8*2": a8 * 2,
        "u8/2": a8 / 2,
        "u8/255": a8.float() / 255,
        "u8+i8": a8 + i8,
        "u8+1.5": a8 + 1.5,
        "u8+i64": a8 + torch.tensor([1, 2, 3, 4]),
        "u8.sum": a8.sum(),
        "u8.max": a8.max(),
        "i8*i8": i8 * i8,
        "h*3": h * 3,
        "h+h": h + h,
        "h.sum": h.sum(),
        "h+f32": h + torch.tensor([1.0, 2.0, 3.0, 4.0]),
        "h+bf": h + bf,
        "bf*3": bf * 3,
        "bf.exp": bf.exp(),
    }
    for k, t in cases.items():
        out["arith"][k] = {"dtype": str(t.dtype).replace("torch.", ""), "values": vals(t)}
    for a in NAMES:
        for b in NAMES:
            out["promote"][f"{a},{b}"] = str(torch.promote_types(DT[a], DT[b])).replace("torch.", "")
    x = torch.tensor([1.5, -2.25, 300.0])
    out["type"] = {
        "name": x.type(),
        "float64": [x.type(torch.float64).type(), vals(x.type(torch.float64))],
        "ByteTensor": [x.type("torch.ByteTensor").type(), vals(x.type("torch.ByteTensor"))],
        "HalfTensor": [x.type("torch.HalfTensor").type(), vals(x.type("torch.HalfTensor"))],
        "ShortTensor": [x.type("torch.ShortTensor").type(), vals(x.type("torch.ShortTensor"))],
    }
    files = {n: torch.tensor([1.5, -2.0, 0.1, 255.0, 70000.0, -1.0]).reshape(2, 3).to(DT[n]) for n in NAMES}
    out["files"] = {n: {"values": vals(t), "shape": list(t.shape)} for n, t in files.items()}
    torch.save(files, os.path.join(FIXTURES, "pt", "dtypes.pt"))
    safetensors_io.save(files, os.path.join(FIXTURES, "pt", "dtypes.safetensors"))
    with open(os.path.join(FIXTURES, "dtypes.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


main()
