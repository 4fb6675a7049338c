"""Golden values for test/vision.test.ts: torchvision 0.14's tensor transforms on small uint8
and float images, each random one after torch.manual_seed(seed), so that taimatsu (whose
generator gives PyTorch's streams) must make the same random choices.

Run with Debian's python3-torch and python3-torchvision: /usr/bin/python3 scripts/gen_vision_fixtures.py
"""
import json
import os

import torch
import torchvision
import torchvision.transforms as T
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "vision.json")


def enc(t):
    return {"data": t.flatten().tolist(), "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}


torch.manual_seed(0)
u8 = torch.randint(0, 256, (3, 7, 9), dtype=torch.uint8)
u8_batch = torch.randint(0, 256, (2, 3, 5, 6), dtype=torch.uint8)
f32 = torch.rand(3, 7, 9)
hwc = torch.randint(0, 256, (5, 4, 3), dtype=torch.uint8)

# name: (transform, its arguments as taimatsu takes them, input name, seeds)
CASES = {
    "to_tensor": (T.ToTensor(), "ToTensor", [], "hwc", [None]),
    "pil_to_tensor": (T.PILToTensor(), "PILToTensor", [], "hwc", [None]),
    "convert_u8_float": (T.ConvertImageDtype(torch.float32), "ConvertImageDtype", ["float32"], "u8", [None]),
    "convert_float_u8": (T.ConvertImageDtype(torch.uint8), "ConvertImageDtype", ["uint8"], "f32", [None]),
    "normalize": (T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), "Normalize", [[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]], "f32", [None]),
    "center_crop_odd": (T.CenterCrop(4), "CenterCrop", [4], "u8", [None]),
    "center_crop_rect": (T.CenterCrop([3, 6]), "CenterCrop", [[3, 6]], "u8_batch", [None]),
    "center_crop_larger": (T.CenterCrop([10, 8]), "CenterCrop", [[10, 8]], "u8", [None]),
    "pad_1": (T.Pad(1), "Pad", [1], "u8", [None]),
    "pad_ltrb_fill": (T.Pad([1, 2, 3, 0], fill=7), "Pad", [[1, 2, 3, 0], 7], "u8", [None]),
    "random_crop": (T.RandomCrop(4), "RandomCrop", [4], "u8", [0, 1, 2, 3]),
    "random_crop_padding": (T.RandomCrop([6, 6], padding=2), "RandomCrop", [[6, 6], {"padding": 2}], "f32", [0, 5]),
    "random_crop_pad_if_needed": (T.RandomCrop([9, 12], pad_if_needed=True, fill=3), "RandomCrop", [[9, 12], {"padIfNeeded": True, "fill": 3}], "u8", [4]),
    "hflip": (T.RandomHorizontalFlip(), "RandomHorizontalFlip", [], "u8_batch", [0, 1, 2, 3, 4, 5]),
    "vflip_p07": (T.RandomVerticalFlip(0.7), "RandomVerticalFlip", [0.7], "f32", [0, 1, 2, 3]),
    "grayscale_u8": (T.Grayscale(), "Grayscale", [], "u8", [None]),
    # uint8 resizing rounds the float result; where it lands within an ulp of .5, PyTorch's
    # float32 weights and taimatsu's can round apart, so uint8 is checked on an exact upscale
    "resize_short_edge": (T.Resize(4), "Resize", [4], "f32", [None]),
    "resize_up_u8": (T.Resize([14, 18]), "Resize", [[14, 18]], "u8", [None]),
    "resize_up_f32": (T.Resize([14, 18]), "Resize", [[14, 18]], "f32", [None]),
    "resize_nearest_batch": (T.Resize([3, 4], interpolation=T.InterpolationMode.NEAREST), "Resize", [[3, 4], "nearest"], "u8_batch", [None]),
    "resize_max_size": (T.Resize(5, max_size=6), "Resize", [5, "bilinear", 6], "f32", [None]),
    "grayscale_f32_3": (T.Grayscale(3), "Grayscale", [3], "f32", [None]),
    # resized crops resample in float; uint8 would round like Resize (see above), so float
    "random_resized_crop": (T.RandomResizedCrop(5), "RandomResizedCrop", [5], "f32", [0, 1, 2, 3, 4]),
    "random_resized_crop_scale_ratio": (T.RandomResizedCrop([4, 6], scale=(0.5, 1.0), ratio=(0.5, 2.0)), "RandomResizedCrop", [[4, 6], {"scale": [0.5, 1.0], "ratio": [0.5, 2.0]}], "f32", [0, 1, 2]),
    "random_resized_crop_nearest_u8": (T.RandomResizedCrop(6, interpolation=T.InterpolationMode.NEAREST), "RandomResizedCrop", [6, {"interpolation": "nearest"}], "u8", [0, 1]),
    "random_rotation_u8": (T.RandomRotation(30), "RandomRotation", [30], "u8", [0, 1, 2, 3]),
    "random_rotation_bilinear_fill": (T.RandomRotation([-45, 45], interpolation=T.InterpolationMode.BILINEAR, fill=0.5), "RandomRotation", [[-45, 45], {"interpolation": "bilinear", "fill": 0.5}], "f32", [0, 1, 2]),
    "random_rotation_expand": (T.RandomRotation(90, expand=True, fill=[10, 20, 30]), "RandomRotation", [90, {"expand": True, "fill": [10, 20, 30]}], "u8", [0, 1, 2]),
    "random_rotation_center": (T.RandomRotation(60, center=[1, 2]), "RandomRotation", [60, {"center": [1, 2]}], "u8_batch", [0, 1]),
    "random_affine_u8": (T.RandomAffine(20, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=10), "RandomAffine", [20, {"translate": [0.1, 0.2], "scale": [0.8, 1.2], "shear": 10}], "u8", [0, 1, 2, 3, 4]),
    "random_affine_bilinear": (T.RandomAffine(0, translate=(0.2, 0.2), shear=[-5, 5, -5, 5], interpolation=T.InterpolationMode.BILINEAR), "RandomAffine", [0, {"translate": [0.2, 0.2], "shear": [-5, 5, -5, 5], "interpolation": "bilinear"}], "f32", [0, 1, 2]),
    "random_affine_degrees_only": (T.RandomAffine([-10, 40], fill=7), "RandomAffine", [[-10, 40], {"fill": 7}], "u8_batch", [0, 1]),
    "color_jitter_u8": (T.ColorJitter(0.4, 0.4, 0.4, 0.1), "ColorJitter", [{"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1}], "u8", [0, 1, 2, 3]),
    "color_jitter_f32": (T.ColorJitter(brightness=(0.5, 1.5), hue=0.3), "ColorJitter", [{"brightness": [0.5, 1.5], "hue": 0.3}], "f32", [0, 1, 2]),
    "color_jitter_batch": (T.ColorJitter(contrast=0.8, saturation=(0.0, 2.0)), "ColorJitter", [{"contrast": 0.8, "saturation": [0.0, 2.0]}], "u8_batch", [0, 1]),
    "random_erasing": (T.RandomErasing(p=1.0), "RandomErasing", [{"p": 1.0}], "f32", [0, 1, 2, 3]),
    "random_erasing_default_p": (T.RandomErasing(), "RandomErasing", [], "f32", [0, 1, 2, 3, 4, 5]),
    "random_erasing_random_value": (T.RandomErasing(p=1.0, scale=(0.1, 0.4), ratio=(0.5, 2.0), value="random"), "RandomErasing", [{"p": 1.0, "scale": [0.1, 0.4], "ratio": [0.5, 2.0], "value": "random"}], "f32", [0, 1, 2]),
    "random_erasing_u8_value": (T.RandomErasing(p=1.0, value=[1, 2, 3]), "RandomErasing", [{"p": 1.0, "value": [1, 2, 3]}], "u8", [0, 1, 2]),
}
INPUTS = {"u8": u8, "u8_batch": u8_batch, "f32": f32, "hwc": hwc}

out = {"torchvision": torchvision.__version__, "inputs": {k: enc(v) for k, v in INPUTS.items()}, "cases": {}}
for name, (transform, cls, args, inp, seeds) in CASES.items():
    runs = []
    for seed in seeds:
        if seed is not None:
            torch.manual_seed(seed)
        x = INPUTS[inp]
        # ToTensor and PILToTensor take decoded images: a PIL image of the H×W×C bytes
        y = transform(Image.fromarray(x.numpy()) if cls in ("ToTensor", "PILToTensor") else x)
        runs.append({"seed": seed, "output": enc(y)})
    out["cases"][name] = {"transform": cls, "args": args, "input": inp, "runs": runs}

# a composed pipeline: crop with padding, flip, to float, normalize
pipeline = T.Compose([T.RandomCrop(6, padding=1), T.RandomHorizontalFlip(), T.ConvertImageDtype(torch.float32), T.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])])
runs = []
for seed in [0, 1, 2]:
    torch.manual_seed(seed)
    runs.append({"seed": seed, "output": enc(pipeline(u8))})
out["compose"] = {"runs": runs}

# F.interpolate with its gradient, on float64 (exact comparisons of the resampling weights)
interp = {}
for name, kwargs in {
    "bilinear_size": dict(size=(5, 11), mode="bilinear", align_corners=False),
    "bilinear_scale": dict(scale_factor=1.5, mode="bilinear", align_corners=False),
    "bilinear_align": dict(size=(4, 4), mode="bilinear", align_corners=True),
    "nearest_size": dict(size=(10, 4), mode="nearest"),
    "linear_1d": dict(size=6, mode="linear", align_corners=False),
}.items():
    x = (f32.double().reshape(1, 3, 7, 9) if name != "linear_1d" else f32.double()[0].reshape(1, 7, 9)).clone().requires_grad_()
    y = torch.nn.functional.interpolate(x, **kwargs)
    gy = torch.linspace(-1, 1, y.numel(), dtype=torch.float64).reshape(y.shape)
    y.backward(gy)
    interp[name] = {"kwargs": kwargs, "x": enc(x.detach()), "y": enc(y.detach()), "gy": enc(gy), "gx": enc(x.grad)}
out["interpolate"] = interp

# F.grid_sample with its gradients, on float64 (exact comparisons), and its float32 forward
grid_cases = {}
torch.manual_seed(3)
gimg = torch.rand(2, 3, 5, 6, dtype=torch.float64)
ggrid = torch.rand(2, 4, 7, 2, dtype=torch.float64) * 2.4 - 1.2
for name, kwargs in {
    "bilinear": dict(mode="bilinear", align_corners=False),
    "bilinear_align": dict(mode="bilinear", align_corners=True),
    "nearest": dict(mode="nearest", align_corners=False),
}.items():
    x = gimg.clone().requires_grad_()
    g = ggrid.clone().requires_grad_()
    y = torch.nn.functional.grid_sample(x, g, padding_mode="zeros", **kwargs)
    gy = torch.linspace(-1, 1, y.numel(), dtype=torch.float64).reshape(y.shape)
    y.backward(gy)
    y32 = torch.nn.functional.grid_sample(gimg.float(), ggrid.float(), padding_mode="zeros", **kwargs)
    grid_cases[name] = {"kwargs": kwargs, "y": enc(y.detach()), "gy": enc(gy), "gx": enc(x.grad), "ggrid": enc(g.grad), "y32": enc(y32)}
out["grid_sample"] = {"input": enc(gimg), "grid": enc(ggrid), "cases": grid_cases}

# torchvision.utils.make_grid
batch = torch.rand(5, 3, 4, 3) * 4 - 1
gray = torch.rand(3, 1, 2, 2)
grids = {}
for name, (inp, kwargs) in {
    "default": (batch, {}),
    "nrow2_pad1_value": (batch, dict(nrow=2, padding=1, pad_value=0.5)),
    "normalize": (batch, dict(nrow=3, normalize=True)),
    "normalize_range_each": (batch, dict(nrow=4, normalize=True, value_range=(-0.5, 2.0), scale_each=True)),
    "gray": (gray, dict(nrow=2)),
}.items():
    grids[name] = {"kwargs": kwargs, "input": enc(inp), "output": enc(torchvision.utils.make_grid(inp, **kwargs))}
out["make_grid"] = grids


def error_of(f):
    try:
        f()
    except Exception as e:  # the text is what the test compares
        return str(e)
    raise AssertionError("expected an error")


F = torch.nn.functional
img = torch.ones(1, 1, 2, 2)
out["errors"] = {
    "flip_repeated_dim": error_of(lambda: torch.flip(torch.ones(2, 3), [1, 1])),
    "interpolate_size_and_scale": error_of(lambda: F.interpolate(img, size=3, scale_factor=2)),
    "interpolate_nearest_align": error_of(lambda: F.interpolate(img, size=3, mode="nearest", align_corners=True)),
    "interpolate_bilinear_3d": error_of(lambda: F.interpolate(torch.ones(1, 1, 2), size=3, mode="bilinear")),
    "grid_sample_grid_shape": error_of(lambda: F.grid_sample(img, torch.zeros(1, 2, 2, 3), align_corners=False)),
    "grid_sample_batch": error_of(lambda: F.grid_sample(img, torch.zeros(2, 2, 2, 2), align_corners=False)),
    "rotation_degrees_negative": error_of(lambda: T.RandomRotation(-3)),
    "affine_translate_range": error_of(lambda: T.RandomAffine(0, translate=(0.5, 1.5))),
    "color_jitter_hue_range": error_of(lambda: T.ColorJitter(hue=[-0.7, 0.2])),
    "erasing_scale_range": error_of(lambda: T.RandomErasing(scale=(0.1, 1.5))),
}

with open(OUT, "w") as f:
    json.dump(out, f)
print(f"wrote {OUT}")
