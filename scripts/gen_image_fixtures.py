"""PNG files made by Pillow, and what torchvision 0.14 decodes from them, for test/png.test.ts:
every colour type the decoder reads (grey, grey + alpha, RGB, RGBA, palette, palette with
transparency), in sizes and contents that make Pillow use every row filter; and the pixels of
torchvision.utils.save_image's file for a batch of images.

Run with Debian's python3-torchvision: /usr/bin/python3 scripts/gen_image_fixtures.py
"""
import io
import json
import os
import struct
import zlib

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision.io import decode_png, ImageReadMode

DIR = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "images")
os.makedirs(DIR, exist_ok=True)
rng = np.random.RandomState(0)


def smooth(h, w, c):
    """Gradients plus noise: rows that the Sub, Up, Average and Paeth filters each suit."""
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 9 + y * 3 + k * 40) % 256 for k in range(c)], -1)
    return ((base + rng.randint(0, 6, base.shape)) % 256).astype(np.uint8)


images = {
    "gray": Image.fromarray(smooth(13, 11, 1)[..., 0], "L"),
    "gray_alpha": Image.fromarray(smooth(7, 9, 2), "LA"),
    "rgb": Image.fromarray(smooth(17, 23, 3), "RGB"),
    "rgba": Image.fromarray(smooth(9, 6, 4), "RGBA"),
    "palette": Image.fromarray(smooth(10, 12, 3), "RGB").convert("P", palette=Image.ADAPTIVE, colors=16),
}
pal_t = images["palette"].copy()
pal_t.info["transparency"] = bytes([0, 128] + [255] * 14)
images["palette_alpha"] = pal_t



def png_with_every_filter(pixels):
    """An RGB PNG whose rows use filters 0–4 in turn (Pillow picks only some), written by hand."""
    h, w, c = pixels.shape
    rows = pixels.reshape(h, w * c).astype(np.int32)
    raw = bytearray()
    for y in range(h):
        f = y % 5
        cur = rows[y]
        up = rows[y - 1] if y > 0 else np.zeros_like(cur)
        left = np.concatenate([np.zeros(c, np.int32), cur[:-c]])
        upleft = np.concatenate([np.zeros(c, np.int32), up[:-c]])
        if f == 0:
            pred = np.zeros_like(cur)
        elif f == 1:
            pred = left
        elif f == 2:
            pred = up
        elif f == 3:
            pred = (left + up) // 2
        else:
            p = left + up - upleft
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upleft))
        raw.append(f)
        raw.extend(((cur - pred) % 256).astype(np.uint8).tobytes())

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")


encoded = {"filters": png_with_every_filter(smooth(10, 7, 3))}
out = {}
for name, im in images.items():
    buf = io.BytesIO()
    im.save(buf, format="PNG", **({"transparency": im.info["transparency"]} if "transparency" in im.info else {}))
    encoded[name] = buf.getvalue()
for name, data in encoded.items():
    with open(os.path.join(DIR, f"{name}.png"), "wb") as f:
        f.write(data)
    out[name] = {}
    # torchvision 0.14 reads a palette image without transparency as RGB_ALPHA into a buffer laid
    # out for 4 channels but filled with 3 (its alpha plane holds colour bytes): not a reference
    for mode in ["UNCHANGED", "RGB"] + ([] if name == "palette" else ["RGB_ALPHA"]):
        t = decode_png(torch.frombuffer(bytearray(data), dtype=torch.uint8), getattr(ImageReadMode, mode))
        out[name][mode.lower()] = {"shape": list(t.shape), "data": t.flatten().tolist()}

# torchvision.utils.save_image: the grid, scaled to bytes, as Pillow writes and reads it back
torch.manual_seed(0)
batch = torch.rand(5, 3, 4, 6)
buf = io.BytesIO()
torchvision.utils.save_image(batch, buf, format="png", nrow=3, padding=1)
saved = torch.from_numpy(np.array(Image.open(io.BytesIO(buf.getvalue())))).permute(2, 0, 1)
out["save_image"] = {"input": {"shape": list(batch.shape), "data": batch.flatten().tolist()}, "output": {"shape": list(saved.shape), "data": saved.flatten().tolist()}}

with open(os.path.join(DIR, "decoded.json"), "w") as f:
    json.dump(out, f)
print("wrote", DIR)
