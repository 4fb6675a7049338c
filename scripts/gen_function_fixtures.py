"""Golden values for torch.autograd.Function and the printed graph (test/autograd-function.test.ts):
custom Functions from the tutorials (LegendreP3 of "Learning PyTorch with Examples"), one with
two outputs, one marking its input dirty, one with a non-differentiable output, their gradients
and double backward; PyTorch's error texts for bad backward results; and the node names and
next_functions of the "Neural Networks" tutorial's graph walk. Written by PyTorch 1.13.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_function_fixtures.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 1.5 * (5 * x ** 2 - 1)


class ScaleShift(torch.autograd.Function):
    """Two outputs (x·a, x + b) of two tensor inputs and a Python number."""

    @staticmethod
    def forward(ctx, x, a, b):
        ctx.save_for_backward(a)
        ctx.b = b
        return x * a, x + b

    @staticmethod
    def backward(ctx, g1, g2):
        (a,) = ctx.saved_tensors
        return g1 * a + g2, None, None


class AddOneInPlace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g


class SortWithIndices(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        (idx,) = ctx.saved_tensors
        out = torch.zeros_like(g)
        out[idx] = g
        return out


def vals(t):
    return t.detach().reshape(-1).tolist()


def error(f):
    try:
        f()
    except RuntimeError as e:
        return str(e)
    raise AssertionError("expected an error")


def main():
    out = {}
    x = torch.tensor([-0.9, -0.3, 0.2, 0.7, 1.1], dtype=torch.float64, requires_grad=True)
    y = LegendreP3.apply(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    out["legendre"] = {"x": vals(x), "y": vals(y), "grad": vals(g), "grad2": vals(gg), "grad_fn": type(y.grad_fn).__name__}

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    p, q = ScaleShift.apply(x, a, 4.0)
    (p * torch.tensor([1.0, 2.0, 3.0]) + q * 10).sum().backward()
    out["two_outputs"] = {"p": vals(p), "q": vals(q), "x_grad": vals(x.grad), "a_grad": None if a.grad is None else vals(a.grad)}

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    z = AddOneInPlace.apply(h)
    (z * z).sum().backward()
    out["dirty"] = {"same": z is h, "z": vals(z), "x_grad": vals(x.grad)}

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i = SortWithIndices.apply(x)
    (v * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
    out["non_differentiable"] = {"values": vals(v), "indices": vals(i), "indices_requires_grad": i.requires_grad, "x_grad": vals(x.grad)}

    class WrongCount(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    class WrongShape(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(7)

    t = torch.ones(3, requires_grad=True)
    out["errors"] = {
        "count": error(lambda: WrongCount.apply(t, t).sum().backward()),
        "shape": error(lambda: WrongShape.apply(t).sum().backward()),
    }

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)
            self.fc2 = nn.Linear(3, 2)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    torch.manual_seed(0)
    net = Net()
    loss = nn.MSELoss()(net(torch.randn(5, 4)), torch.randn(5, 2))

    def walk(fn, depth):
        if fn is None:
            return None
        entry = {"name": type(fn).__name__}
        if depth > 0:
            entry["next"] = [walk(f, depth - 1) for f, _ in fn.next_functions]
        return entry

    out["graph"] = walk(loss.grad_fn, 4)
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "autograd-function.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


main()
