"""Golden values for 2-D convolution and pooling (test/conv.test.ts), from PyTorch 1.13:
conv2d over strides, padding, dilation, groups and unbatched input; max/avg pooling
(ceil_mode, count_include_pad, divisor_override, ties); unfold/fold; nn.Conv2d's seeded
initialisation; and a small CNN's loss and gradients from the same seed.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_conv_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
out = {"torch_version": torch.__version__}


def enc(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def conv_case(name, x_shape, w_shape, bias=True, **kw):
    x = torch.randn(*x_shape, requires_grad=True)
    w = torch.randn(*w_shape, requires_grad=True)
    b = torch.randn(w_shape[0], requires_grad=True) if bias else None
    y = F.conv2d(x, w, b, **kw)
    gy = torch.randn(*y.shape)
    (y * gy).sum().backward()
    case = {"x": enc(x), "w": enc(w), "y": enc(y), "gy": enc(gy), "gx": enc(x.grad), "gw": enc(w.grad), "options": kw}
    if bias:
        case.update(b=enc(b), gb=enc(b.grad))
    out[name] = case


conv_case("conv_basic", (2, 3, 6, 7), (4, 3, 3, 3))
conv_case("conv_strided", (2, 2, 9, 8), (3, 2, 3, 2), bias=False, stride=2, padding=1, dilation=2)
conv_case("conv_groups", (1, 4, 5, 5), (6, 2, 3, 2), stride=(1, 2), padding=(1, 0), groups=2)
conv_case("conv_unbatched", (3, 5, 5), (2, 3, 3, 3))
conv_case("conv_same", (1, 2, 6, 5), (3, 2, 3, 3), padding="same")
conv_case("conv_same_even", (1, 2, 5, 6), (3, 2, 2, 4), padding="same", dilation=(2, 1))


def pad_case(name, shape, pads, value=0.0):
    x = torch.randn(*shape, requires_grad=True)
    y = F.pad(x, pads, value=value)
    gy = torch.randn(*y.shape)
    (y * gy).sum().backward()
    out[name] = {"x": enc(x), "y": enc(y), "gy": enc(gy), "gx": enc(x.grad), "pads": list(pads), "value": value}


pad_case("pad_last", (2, 3), (1, 2))
pad_case("pad_two_dims_value", (2, 3, 4), (1, 0, 0, 2), value=-1.5)
pad_case("pad_crop", (3, 5), (-1, 2, 1, -2))


def pool_case(name, fn, x, **kw):
    x = x.clone().requires_grad_(True)
    y = fn(x, **kw)
    gy = torch.randn(*y.shape)
    (y * gy).sum().backward()
    out[name] = {"x": enc(x), "y": enc(y), "gy": enc(gy), "gx": enc(x.grad), "options": kw}


pool_case("max_basic", F.max_pool2d, torch.randn(2, 3, 6, 7), kernel_size=2)
pool_case("max_padded", F.max_pool2d, torch.randn(1, 2, 7, 7), kernel_size=3, stride=2, padding=1)
pool_case("max_ceil_dilated", F.max_pool2d, torch.randn(1, 1, 8, 9), kernel_size=2, stride=3, dilation=2, ceil_mode=True)
pool_case("max_ties", F.max_pool2d, torch.randint(0, 3, (1, 2, 6, 6)).float(), kernel_size=3, stride=1)
pool_case("avg_basic", F.avg_pool2d, torch.randn(2, 3, 6, 7), kernel_size=2)
pool_case("avg_padded", F.avg_pool2d, torch.randn(1, 2, 7, 6), kernel_size=3, stride=2, padding=1)
pool_case("avg_exclude_pad", F.avg_pool2d, torch.randn(1, 2, 7, 6), kernel_size=3, stride=2, padding=1, count_include_pad=False)
pool_case("avg_divisor", F.avg_pool2d, torch.randn(1, 1, 6, 6), kernel_size=(2, 3), divisor_override=4)

x = torch.randn(2, 3, 5, 6, requires_grad=True)
cols = F.unfold(x, (2, 3), dilation=1, padding=1, stride=2)
gc = torch.randn(*cols.shape)
(cols * gc).sum().backward()
back = F.fold(gc, (5, 6), (2, 3), dilation=1, padding=1, stride=2)
out["unfold_fold"] = {"x": enc(x), "cols": enc(cols), "gc": enc(gc), "gx": enc(x.grad), "folded": enc(back)}

pool_case("adaptive_even", F.adaptive_avg_pool2d, torch.randn(2, 3, 6, 4), output_size=(3, 2))
pool_case("adaptive_uneven", F.adaptive_avg_pool2d, torch.randn(1, 2, 7, 5), output_size=(3, 4))
pool_case("adaptive_global", F.adaptive_avg_pool2d, torch.randn(2, 3, 5, 5), output_size=1)


def batchnorm_case(name, layer, shape):
    steps = []
    for _ in range(2):
        x = torch.randn(*shape, requires_grad=True)
        y = layer(x)
        gy = torch.randn(*y.shape)
        layer.zero_grad()
        (y * gy).sum().backward()
        steps.append({"x": enc(x), "y": enc(y), "gy": enc(gy), "gx": enc(x.grad),
                      "gw": enc(layer.weight.grad) if layer.affine else None, "gb": enc(layer.bias.grad) if layer.affine else None,
                      "running_mean": enc(layer.running_mean), "running_var": enc(layer.running_var)})
    layer.eval()
    x = torch.randn(*shape)
    out[name] = {"steps": steps, "eval_x": enc(x), "eval_y": enc(layer(x)), "num_batches_tracked": int(layer.num_batches_tracked)}


batchnorm_case("bn2d", torch.nn.BatchNorm2d(3), (4, 3, 5, 5))
batchnorm_case("bn1d", torch.nn.BatchNorm1d(5, momentum=None, affine=False), (6, 5))
batchnorm_case("bn1d_seq", torch.nn.BatchNorm1d(2, eps=1e-3, momentum=0.3), (3, 2, 4))

def conv1d_case(name, x_shape, w_shape, **kw):
    x = torch.randn(*x_shape, requires_grad=True)
    w = torch.randn(*w_shape, requires_grad=True)
    b = torch.randn(w_shape[0], requires_grad=True)
    y = F.conv1d(x, w, b, **kw)
    gy = torch.randn(*y.shape)
    (y * gy).sum().backward()
    out[name] = {"x": enc(x), "w": enc(w), "b": enc(b), "y": enc(y), "gy": enc(gy), "gx": enc(x.grad), "gw": enc(w.grad), "gb": enc(b.grad), "options": kw}


conv1d_case("conv1d", (2, 3, 11), (4, 3, 3), stride=2, padding=1, dilation=2)
conv1d_case("conv1d_same_groups", (1, 4, 9), (6, 2, 4), padding="same", groups=2)
pool_case("max1d", F.max_pool1d, torch.randn(2, 3, 9), kernel_size=3, stride=2, padding=1)
pool_case("avg1d", F.avg_pool1d, torch.randn(2, 3, 9), kernel_size=3, stride=2, padding=1, count_include_pad=False)

torch.manual_seed(0)
conv = torch.nn.Conv2d(3, 4, 3)
conv1 = torch.nn.Conv1d(2, 3, 5)
out["conv_init"] = {"seed": 0, "weight": enc(conv.weight), "bias": enc(conv.bias), "weight1d": enc(conv1.weight), "bias1d": enc(conv1.bias)}

torch.manual_seed(1)
net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                          torch.nn.Conv2d(4, 6, 3), torch.nn.ReLU(), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
                          torch.nn.Linear(6, 10))
xb = torch.randn(3, 1, 8, 8)
yb = torch.tensor([1, 7, 3])
loss = F.cross_entropy(net(xb), yb)
loss.backward()
out["cnn"] = {"seed": 1, "loss": loss.item(), "grads": {k: enc(p.grad) for k, p in net.named_parameters()}}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "conv.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}")
