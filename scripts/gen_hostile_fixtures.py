"""Crafted torch.load files for test/bad-input.test.ts (test/fixtures/hostile/): tensors whose
size, stride or offset do not fit their storage, a pickle "billion laughs" (shared lists nested
nine deep: a few hundred bytes that would expand to gigabytes if copied), a deeply nested list,
a container holding itself, and ZIP archives whose entries share bytes or point outside the
file. Made with PyTorch 1.13's own pickler where it can write them.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_hostile_fixtures.py
"""
import collections
import io
import os
import struct
import sys
import zipfile

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "hostile")
os.makedirs(OUT, exist_ok=True)


class Rebuild:
    """Pickles as torch._utils._rebuild_tensor_v2 of a real storage with the given layout."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce_ex__(self, protocol):
        return (torch._utils._rebuild_tensor_v2, self.args)


def save(name, obj):
    torch.save(obj, os.path.join(OUT, f"{name}.pt"))


storage = torch.arange(4, dtype=torch.float32).storage()
save("size-past-storage", {"w": Rebuild(storage, 0, [1000], [1])})
save("offset-past-storage", {"w": Rebuild(storage, 3, [2], [1])})
save("negative-stride", {"w": Rebuild(storage, 3, [2], [-1])})
save("negative-size", {"w": Rebuild(storage, 0, [-2], [1])})
save("huge-size", {"w": Rebuild(storage, 0, [2**62], [0])})

laughs = [1.5]
for _ in range(9):
    laughs = [laughs] * 10
save("billion-laughs", {"x": laughs})

sys.setrecursionlimit(100000)
deep = []
for _ in range(5000):
    deep = [deep]
save("deep", {"x": deep})

loop = []
loop.append(loop)
save("self-containing", {"x": loop})


def zip_of(entries, central):
    """A stored ZIP: `entries` (name, data) written in order; `central` lists (name, index of the entry whose bytes it claims)."""
    out = io.BytesIO()
    offsets = []
    for name, data in entries:
        offsets.append(out.tell())
        n = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, zipfile.crc32(data), len(data), len(data), len(n), 0) + n + data)
    cd = out.tell()
    for name, k in central:
        n = name.encode()
        data = entries[k][1]
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, zipfile.crc32(data), len(data), len(data), len(n), 0, 0, 0, 0, 0, offsets[k]) + n)
    size = out.tell() - cd
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, cd, 0))
    return out.getvalue()


# the data.pkl of 20 tensors of 256 floats, each its own storage; the archive stores one
# storage's bytes and 20 directory entries all pointing at them
buf = io.BytesIO()
torch.save({f"t{k}": torch.zeros(256) for k in range(20)}, buf)
pkl = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("archive/data.pkl")
data = bytes(256 * 4)
with open(os.path.join(OUT, "overlapping-entries.pt"), "wb") as f:
    f.write(zip_of([("archive/data.pkl", pkl), ("archive/data/0", data)], [("archive/data.pkl", 0)] + [(f"archive/data/{k}", 1) for k in range(20)]))
good = zip_of([("archive/data.pkl", pkl)], [("archive/data.pkl", 0)])
# the directory's one entry claims to start beyond the end of the file
bad = bytearray(good)
cd = struct.unpack("<I", bad[-6:-2])[0]
struct.pack_into("<I", bad, cd + 42, len(bad) + 1000)
with open(os.path.join(OUT, "entry-outside-file.pt"), "wb") as f:
    f.write(bytes(bad))
print(f"wrote {len(os.listdir(OUT))} files to {OUT}")
