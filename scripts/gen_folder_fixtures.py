"""An image folder (test/fixtures/image-folder: two classes of PNG and JPEG files, and a file
that is not an image) and what torchvision 0.14 makes of it, for test/image-folder.test.ts:
ImageFolder's classes, class_to_idx and samples, and each file as read_image decodes it (RGB).
JPEGs are saved without chroma subsampling and at high quality, where decoders agree closely.

Run with Debian's python3-torchvision: /usr/bin/python3 scripts/gen_folder_fixtures.py
"""
import json
import os
import shutil

import numpy as np
import torchvision
from PIL import Image
from torchvision.io import ImageReadMode, read_image

ROOT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "image-folder")
shutil.rmtree(ROOT, ignore_errors=True)
rng = np.random.RandomState(1)


def picture(h, w):
    """Smooth colour ramps (JPEG keeps them well) with a little noise."""
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x + y) * 255 // (h + w - 2)], -1)
    return np.clip(rgb + rng.randint(-3, 4, rgb.shape), 0, 255).astype(np.uint8)


files = {
    "cat/b.png": ("png", picture(6, 9)),
    "cat/a.jpg": ("jpeg", picture(16, 16)),
    "dog/c.jpeg": ("jpeg", picture(8, 24)),
    "dog/d.png": ("png", picture(5, 5)),
    "dog/gray.jpg": ("gray-jpeg", picture(16, 8)[..., 0]),
}
for rel, (kind, pixels) in files.items():
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if kind == "png":
        Image.fromarray(pixels).save(path)
    else:
        Image.fromarray(pixels, "L" if kind == "gray-jpeg" else "RGB").save(path, quality=95, subsampling=0)
with open(os.path.join(ROOT, "dog", "notes.txt"), "w") as f:
    f.write("not an image: ImageFolder skips it\n")

folder = torchvision.datasets.ImageFolder(ROOT)
out = {
    "classes": folder.classes,
    "class_to_idx": folder.class_to_idx,
    "samples": [[os.path.relpath(p, ROOT), c] for p, c in folder.samples],
    "decoded": {},
}
for rel in files:
    t = read_image(os.path.join(ROOT, rel), ImageReadMode.RGB)
    out["decoded"][rel] = {"shape": list(t.shape), "data": t.flatten().tolist()}
with open(os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "image-folder.json"), "w") as f:
    json.dump(out, f)
print("wrote", ROOT)
