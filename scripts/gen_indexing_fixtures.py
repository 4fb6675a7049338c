"""Golden values for advanced indexing (test/indexing.test.ts): x[...] and x[...] = v with
integer and boolean index tensors paired and broadcast as NumPy does, mixed with ints,
slices, None and Ellipsis (advanced indices adjacent or separated), with the gradients of
x (and v) for loss = (result * w).sum(); written by PyTorch 1.13.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_indexing_fixtures.py

An index spec is a list of items: {"int": k}, {"slice": [start, stop, step]} (null for an
omitted bound), {"none": true}, {"ellipsis": true}, {"tensor": nested list, "dtype": "int64" | "bool"}.
"""
import json
import os

import torch


def item(spec):
    if "int" in spec:
        return spec["int"]
    if "slice" in spec:
        return slice(*spec["slice"])
    if "none" in spec:
        return None
    if "ellipsis" in spec:
        return Ellipsis
    return torch.tensor(spec["tensor"], dtype=torch.bool if spec["dtype"] == "bool" else torch.int64)


def vals(t):
    return t.detach().reshape(-1).tolist()


T = lambda v, dtype="int64": {"tensor": v, "dtype": dtype}
I = lambda k: {"int": k}
S = lambda a=None, b=None, c=None: {"slice": [a, b, c]}
NONE = {"none": True}
ELL = {"ellipsis": True}

GET = {
    "paired lists x[[0,2],[3,1]]": ([3, 4], [T([0, 2]), T([3, 1])]),
    "nll pick input[range(n), target]": ([5, 3], [T([0, 1, 2, 3, 4]), T([2, 0, 1, 1, 2])]),
    "broadcast index tensors x[[[0],[1]],[0,2]]": ([3, 4], [T([[0], [1]]), T([0, 2])]),
    "negative indices": ([3, 4], [T([-1, 0]), T([-4, 3])]),
    "one index tensor with repeats": ([4, 3], [T([3, 3, 0])]),
    "2-d index tensor on dim 0": ([4, 3], [T([[0, 1], [3, 2]])]),
    "slice then tensor x[:, [2,0]]": ([3, 4], [S(), T([2, 0])]),
    "adjacent tensors after a slice x[:, [0,1], [2,0]]": ([2, 3, 4], [S(), T([0, 1]), T([2, 0])]),
    "separated by a slice x[[0,1], :, [2,0]]": ([2, 3, 4], [T([0, 1]), S(), T([2, 0])]),
    "int and tensor separated x[0, :, [1,2]]": ([2, 3, 4], [I(0), S(), T([1, 2])]),
    "int and tensor adjacent x[:, 1, [0,3]]": ([2, 3, 4], [S(), I(1), T([0, 3])]),
    "ellipsis and tensor x[..., [0,2]]": ([2, 3, 4], [ELL, T([0, 2])]),
    "None and tensors x[None, [1,0], 1:3]": ([2, 3, 4], [NONE, T([1, 0]), S(1, 3)]),
    "strided slice and tensor x[::2, [1,2]]": ([4, 3], [S(None, None, 2), T([1, 2])]),
    "bool mask, whole tensor": ([3, 4], [T([[True, False, True, False], [False, False, True, True], [True, True, False, False]], "bool")]),
    "bool mask on dim 0": ([3, 4], [T([True, False, True], "bool")]),
    "bool mask after a slice x[:, mask]": ([2, 4], [S(), T([True, False, False, True], "bool")]),
    "bool mask and index tensor x[mask, [0, 2]]": ([3, 4], [T([True, False, True], "bool"), T([0, 2])]),
    "bool mask over two of three dims": ([2, 3, 4], [T([[True, False, True], [False, True, False]], "bool")]),
    "index tensor on a transposed view": ("t", [T([1, 0, 1]), T([2, 2, 0])]),
}

PUT = {
    "paired x[[0,2],[3,1]] = v": ([3, 4], [T([0, 2]), T([3, 1])], [2], False),
    "paired, scalar broadcast": ([3, 4], [T([0, 2]), T([3, 1])], [], False),
    "rows x[[2,0]] = v (v broadcast over columns)": ([3, 4], [T([2, 0])], [4], False),
    "mixed slice x[:, [1,3]] = v": ([3, 4], [S(), T([1, 3])], [3, 2], False),
    "separated x[[0,1], :, [2,0]] = v": ([2, 3, 4], [T([0, 1]), S(), T([2, 0])], [2, 3], False),
    "bool mask x[mask] = v": ([3, 4], [T([[True, False, True, False], [False, False, True, True], [True, True, False, False]], "bool")], [6], False),
    "bool mask on rows x[mask] = row": ([3, 4], [T([True, False, True], "bool")], [4], False),
    "accumulate with repeats": ([4, 3], [T([3, 3, 0])], [3, 3], True),
    "paired accumulate with repeats": ([3, 4], [T([0, 0, 2]), T([1, 1, 3])], [3], True),
}


def spec_items(spec):
    return tuple(item(s) for s in spec)


def make_x(shape):
    if shape == "t":
        base = torch.arange(12, dtype=torch.float32).reshape(4, 3)
        return base.t().detach().clone().requires_grad_(False), base
    return torch.arange(torch.Size(shape).numel(), dtype=torch.float32).reshape(shape), None


out = {"get": {}, "put": {}}
for name, (shape, spec) in GET.items():
    x, base = make_x(shape)
    leaf = (base if base is not None else x).clone().requires_grad_(True)
    src = leaf.t() if base is not None else leaf
    r = src[spec_items(spec)]
    w = torch.arange(1, r.numel() + 1, dtype=torch.float32).reshape(r.shape)
    (r * w).sum().backward()
    out["get"][name] = {"shape": shape, "spec": spec, "out_shape": list(r.shape), "out": vals(r), "grad": vals(leaf.grad)}

for name, (shape, spec, vshape, accumulate) in PUT.items():
    x = torch.arange(torch.Size(shape).numel(), dtype=torch.float32).reshape(shape).requires_grad_(True)
    v = (torch.arange(torch.Size(vshape).numel(), dtype=torch.float32).reshape(vshape) + 100).requires_grad_(True)
    y = x.clone()
    if accumulate:
        y.index_put_(spec_items(spec), v, accumulate=True)
    else:
        y[spec_items(spec)] = v
    w = torch.arange(1, y.numel() + 1, dtype=torch.float32).reshape(y.shape)
    (y * w).sum().backward()
    out["put"][name] = {"shape": shape, "spec": spec, "v_shape": vshape, "accumulate": accumulate, "out": vals(y),
                        "grad_x": vals(x.grad), "grad_v": vals(v.grad), "grad_fn": type(y.grad_fn).__name__}

errors = {}
x = torch.zeros(3, 4)
for name, fn in {
    "out of bounds": lambda: x[torch.tensor([0, 3])],
    "shape mismatch": lambda: x[torch.tensor([0, 1]), torch.tensor([0, 1, 2])],
    "float index": lambda: x[torch.tensor([0.0])],
    "mask shape": lambda: x[torch.tensor([True, False])],
    "put shape": lambda: x.index_put_((torch.tensor([0, 1]),), torch.ones(3)),
}.items():
    try:
        fn()
        errors[name] = None
    except Exception as e:  # noqa: BLE001 - recording PyTorch's own text
        errors[name] = str(e)
out["errors"] = errors

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "indexing.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(f"wrote {len(out['get'])} get and {len(out['put'])} put cases to {path}")
