"""Golden values for in-place writes under autograd (test/inplace-autograd.test.ts):
writes through views (CopySlices), copy_/fill_ over graph tensors, indexed assignment,
and the hand-written RNN loop `outputs[:, t] = h` from the course, recorded from PyTorch.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_inplace_fixtures.py
"""
import json
import os

import torch

torch.manual_seed(0)
out = {}


def vals(t):
    return t.detach().reshape(-1).tolist()


def case(name, inputs, grads, **extra):
    out[name] = {"inputs": {k: {"shape": list(v.shape), "values": vals(v)} for k, v in inputs.items()},
                 "grads": {k: vals(v) if v is not None else None for k, v in grads.items()}, **extra}


# RNN by hand: preallocated outputs written one time step at a time
B, T, I, H = 3, 5, 4, 6
x = torch.randn(B, T, I, requires_grad=True)
w_ih = torch.randn(I, H, requires_grad=True)
w_hh = torch.randn(H, H, requires_grad=True)
wout = torch.randn(B, T, H)
h = torch.zeros(B, H)
outputs = torch.zeros(B, T, H)
for t in range(T):
    h = torch.tanh(x[:, t, :] @ w_ih + h @ w_hh)
    outputs[:, t, :] = h
loss = (outputs * wout).sum()
loss.backward()
case("rnn_loop", {"x": x, "w_ih": w_ih, "w_hh": w_hh, "wout": wout},
     {"x": x.grad, "w_ih": w_ih.grad, "w_hh": w_hh.grad}, loss=loss.item(), grad_fn=type(outputs.grad_fn).__name__)

# an in-place op through a view of a non-leaf: y[1:3].mul_(3)
hh = torch.randn(4, requires_grad=True)
w = torch.randn(4)
y = hh * 2
y[1:3].mul_(3)
(y * w).sum().backward()
case("view_mul_", {"h": hh, "w": w}, {"h": hh.grad}, y=vals(y), grad_fn=type(y.grad_fn).__name__)

# copy_ of a constant over a graph tensor: the old values get a zero gradient
hh = torch.randn(3, requires_grad=True)
y = hh * 2
y.copy_(torch.ones(3))
(y * 3).sum().backward()
case("copy_constant", {"h": hh}, {"h": hh.grad}, grad_fn=type(y.grad_fn).__name__)

# copy_ of a broadcast source that requires grad, into a row of a plain tensor
src = torch.randn(1, 3, requires_grad=True)
w = torch.randn(2, 3)
base = torch.zeros(2, 3)
base[1].copy_(src[0] * 2)
base2 = torch.zeros(2, 3)
base2.copy_(src)
((base + base2) * w).sum().backward()
case("copy_broadcast", {"src": src, "w": w}, {"src": src.grad})

# a view made before another view's write sees the new history
hh = torch.randn(3, requires_grad=True)
b = torch.zeros(2, 3)
v = b[0]
b[1] = hh * hh
stale = (v.requires_grad, type(v.grad_fn).__name__)
(b[1] * 2 + v).sum().backward()
case("stale_view", {"h": hh}, {"h": hh.grad}, requires_grad=stale[0], grad_fn=stale[1])

# masked and tensor-indexed assignment into a non-leaf
hh = torch.randn(5, requires_grad=True)
val = torch.randn(2, requires_grad=True)
w = torch.randn(5)
y = hh * 1.5
mask = torch.tensor([True, False, True, False, False])
y[mask] = val
z = hh * 1.0
z[torch.tensor([4, 1])] = val * 3
((y + z) * w).sum().backward()
case("index_put", {"h": hh, "val": val, "w": w}, {"h": hh.grad, "val": val.grad}, mask=mask.tolist())

# fill_ and zero_ on a non-leaf
hh = torch.randn(4, requires_grad=True)
y = hh * 3
y[2:].fill_(7.0)
(y * y).sum().backward()
case("fill_slice", {"h": hh}, {"h": hh.grad}, y=vals(y))

# second order through CopySlices
hh = torch.randn(3, requires_grad=True)
o = torch.zeros(2, 3)
o[1] = hh ** 3
(g,) = torch.autograd.grad(o.sum(), hh, create_graph=True)
g.sum().backward()
case("double_backward", {"h": hh}, {"g": g, "h": hh.grad})

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "inplace.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, **out}, f, indent=1)
print(f"wrote {path}: {len(out)} cases")
