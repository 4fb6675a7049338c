#!/usr/bin/python3
"""Golden values from real PyTorch (Debian's python3-torch) for taimatsu's tests.

For every case: the inputs, the forward output, and the gradient of sum(out * w) for a
random w with respect to every float input; for the cases marked double, the gradient of
sum(grad * w2) again (double backward, create_graph=True). Also PyTorch's exact error
messages for the bad-input cases. Run with /usr/bin/python3 (npm run fixtures); the
output test/fixtures/ops.json is committed so the tests need no Python.
"""
import json
import pathlib

import torch

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "ops.json"


def r(*shape, positive=False):
    x = torch.randn(*shape)
    return x.abs() + 0.2 if positive else x


def t(shape):
    """A non-contiguous input: the transpose of a tensor stored with the reversed shape."""
    return ("T", torch.randn(*reversed(shape)))


def idx(high, *shape):
    return torch.randint(0, high, shape)


# key -> (inputs, fn, double_backward?)
CASES = {
    # unary
    "neg": ([r(3, 5)], lambda x: -x, True),
    "abs": ([r(3, 5)], torch.abs, False),
    "exp": ([r(4, 7)], torch.exp, True),
    "log": ([r(4, 7, positive=True)], torch.log, True),
    "sqrt": ([r(9, positive=True)], torch.sqrt, True),
    "rsqrt": ([r(9, positive=True)], torch.rsqrt, False),
    "sin": ([r(2, 3, 5)], torch.sin, True),
    "cos": ([r(2, 3, 5)], torch.cos, True),
    "tanh": ([r(5, 11) * 3], torch.tanh, True),
    "sigmoid": ([r(5, 11) * 4], torch.sigmoid, True),
    "relu": ([r(6, 7)], torch.relu, True),
    "gelu": ([r(6, 7) * 2], torch.nn.functional.gelu, True),
    "silu": ([r(6, 7) * 2], torch.nn.functional.silu, True),
    "softplus": ([r(6, 7) * 8], torch.nn.functional.softplus, True),
    "erf": ([r(13)], torch.erf, False),
    "reciprocal": ([r(5, positive=True)], torch.reciprocal, True),
    "square": ([r(5, 3)], torch.square, True),
    "clamp": ([r(4, 6)], lambda x: torch.clamp(x, -0.5, 0.7), False),
    "leaky_relu": ([r(4, 6)], lambda x: torch.nn.functional.leaky_relu(x, 0.1), False),
    "exp_noncontig": ([t((5, 6))], torch.exp, False),
    # binary with broadcasting and scalars
    "add": ([r(3, 1, 4), r(2, 4)], torch.add, True),
    "add_alpha": ([r(3, 4), r(4)], lambda a, b: torch.add(a, b, alpha=2.5), False),
    "sub": ([r(2, 3), r(3)], torch.sub, True),
    "mul": ([r(4, 5), r(4, 1)], torch.mul, True),
    "div": ([r(3, 5), r(5, positive=True)], torch.div, True),
    "pow": ([r(3, 4, positive=True), r(3, 4)], torch.pow, True),
    "pow_scalar": ([r(3, 4)], lambda x: x ** 3, True),
    "maximum": ([r(5, 6), r(6)], torch.maximum, False),
    "minimum": ([r(5, 6), r(5, 1)], torch.minimum, False),
    "add_scalar": ([r(3, 4)], lambda x: x + 1.5, False),
    "rsub_scalar": ([r(3, 4)], lambda x: 2 - x, False),
    "mul_noncontig": ([t((4, 6)), r(4, 6)], torch.mul, False),
    "div_scalar": ([r(3, 4)], lambda x: x / 4, False),
    "where": ([r(3, 4), r(3, 4), r(4)], lambda c, a, b: torch.where(c > 0, a, b), False),
    "masked_fill": ([r(3, 4)], lambda x: x.masked_fill(x < 0, -1.0), False),
    "eq": ([r(3, 4), r(3, 4)], lambda a, b: (a.round() == b.round()), False),
    "lt": ([r(3, 4), r(4)], torch.lt, False),
    "ge": ([r(3, 4)], lambda a: a >= 0.1, False),
    # reductions
    "sum": ([r(3, 4, 5)], torch.sum, True),
    "sum_dim": ([r(3, 4, 5)], lambda x: x.sum(1), True),
    "sum_dims_keepdim": ([r(3, 4, 5)], lambda x: x.sum((0, 2), keepdim=True), False),
    "sum_neg_dim": ([r(3, 4, 5)], lambda x: x.sum(-1), False),
    "sum_noncontig": ([t((6, 5))], lambda x: x.sum(0), False),
    "mean": ([r(4, 6)], torch.mean, True),
    "mean_dim": ([r(4, 6)], lambda x: x.mean(-1, keepdim=True), True),
    "max_all": ([r(4, 6)], torch.max, False),
    "max_dim_values": ([r(4, 6)], lambda x: x.max(1).values, False),
    "max_dim_indices": ([r(4, 6)], lambda x: x.max(1).indices, False),
    "min_dim_values": ([r(4, 6)], lambda x: x.min(0).values, False),
    "amax": ([r(3, 5, 2)], lambda x: x.amax((0, 2)), False),
    "argmax": ([r(4, 6)], lambda x: x.argmax(1), False),
    "argmin_all": ([r(4, 6)], lambda x: x.argmin(), False),
    "prod": ([r(3, 4)], lambda x: x.prod(1), False),
    "var": ([r(5, 7)], lambda x: x.var(1), True),
    "std": ([r(5, 7)], torch.std, False),
    "var_unbiased0": ([r(5, 7)], lambda x: x.var(0, unbiased=False), False),
    "logsumexp": ([r(4, 9) * 5], lambda x: torch.logsumexp(x, 1), True),
    "sort_values": ([r(4, 6)], lambda x: x.sort(1).values, False),
    "sort_indices": ([r(4, 6)], lambda x: x.sort(1).indices, False),
    "sort_descending_dim0": ([r(5, 3)], lambda x: torch.sort(x, 0, True).values, False),
    "argsort": ([r(3, 7)], lambda x: x.argsort(1, True), False),
    "topk_values": ([r(4, 8)], lambda x: x.topk(3).values, False),
    "topk_indices_smallest_dim0": ([r(6, 3)], lambda x: x.topk(2, 0, False).indices, False),
    "norm": ([r(4, 5)], lambda x: x.norm(), True),
    "norm_p1_dim": ([r(4, 5)], lambda x: x.norm(1, 1), False),
    "norm_p3_keepdim": ([r(4, 5)], lambda x: x.norm(3, 0, True), True),
    "vector_norm_inf": ([r(4, 5)], lambda x: torch.linalg.vector_norm(x, float("inf"), 1), False),
    "vector_norm_dims": ([r(2, 3, 4)], lambda x: torch.linalg.vector_norm(x, 2, (0, 2)), False),
    "softmax": ([r(4, 10) * 3], lambda x: torch.softmax(x, 1), True),
    "softmax_dim0_3d": ([r(3, 4, 5)], lambda x: torch.softmax(x, 1), False),
    "log_softmax": ([r(4, 10) * 3], lambda x: torch.log_softmax(x, -1), True),
    # matmul
    "matmul_2d": ([r(7, 13), r(13, 9)], torch.matmul, True),
    "matmul_vec_mat": ([r(5), r(5, 3)], torch.matmul, False),
    "matmul_mat_vec": ([r(4, 5), r(5)], torch.matmul, False),
    "matmul_dot": ([r(6), r(6)], torch.matmul, False),
    "matmul_batched": ([r(2, 3, 4), r(4, 5)], torch.matmul, False),
    "matmul_broadcast_batch": ([r(2, 1, 3, 4), r(5, 4, 6)], torch.matmul, False),
    "matmul_transposed_a": ([t((6, 10)), r(10, 7)], torch.matmul, True),
    "matmul_transposed_b": ([r(6, 10), t((10, 7))], torch.matmul, False),
    "matmul_large": ([r(37, 70), r(70, 21)], torch.matmul, False),
    # movement and indexing
    "view": ([r(4, 6)], lambda x: x.view(3, -1, 2), False),
    "reshape_noncontig": ([t((4, 6))], lambda x: x.reshape(-1), False),
    "permute": ([r(2, 3, 4)], lambda x: x.permute(2, 0, 1), False),
    "transpose": ([r(2, 3, 4)], lambda x: x.transpose(0, 2), False),
    "expand": ([r(3, 1)], lambda x: x.expand(2, 3, 4), False),
    "narrow": ([r(5, 6)], lambda x: x.narrow(1, 2, 3), False),
    "select": ([r(5, 6)], lambda x: x[:, -1], False),
    "slice_step": ([r(9, 4)], lambda x: x[1:8:3], False),
    "squeeze": ([r(3, 1, 4, 1)], lambda x: x.squeeze(), False),
    "unsqueeze": ([r(3, 4)], lambda x: x.unsqueeze(1), False),
    "flatten": ([r(2, 3, 4)], lambda x: x.flatten(1), False),
    "cat": ([r(2, 3), r(4, 3)], lambda a, b: torch.cat([a, b], 0), False),
    "cat_dim1": ([r(2, 3), r(2, 2)], lambda a, b: torch.cat([a, b], -1), False),
    "stack": ([r(2, 3), r(2, 3)], lambda a, b: torch.stack([a, b], 1), False),
    "split": ([r(5, 4)], lambda x: torch.split(x, 2, 0)[2], False),
    "chunk": ([r(4, 7)], lambda x: torch.chunk(x, 3, 1)[1], False),
    "index_select": ([r(5, 3), torch.tensor([4, 0, 0, 2])], lambda x, i: x.index_select(0, i), False),
    "gather": ([r(3, 5), idx(5, 3, 2)], lambda x, i: x.gather(1, i), False),
    "contiguous": ([t((3, 5))], lambda x: x.contiguous(), False),
}


def encode(x):
    if isinstance(x, tuple):
        base = x[1]
        return {"data": base.flatten().tolist(), "shape": list(base.shape), "dtype": dtype_name(base), "view": "t"}
    return {"data": x.flatten().tolist(), "shape": list(x.shape), "dtype": dtype_name(x)}


def dtype_name(x):
    return {torch.float32: "float32", torch.int64: "int64", torch.bool: "bool", torch.float64: "float64"}[x.dtype]


def materialize(x):
    return x[1].t() if isinstance(x, tuple) else x.clone()


def case(name, inputs, fn, double):
    ins = [materialize(x) for x in inputs]
    for x in ins:
        if x.is_floating_point():
            x.requires_grad_(True)
    out = fn(*ins)
    rec = {"inputs": [encode(x) for x in inputs], "out": encode(out.detach())}
    diff = [x for x in ins if x.requires_grad]
    if out.is_floating_point() and diff:
        w = torch.randn(out.shape)
        grads = torch.autograd.grad((out * w).sum(), diff, create_graph=double, allow_unused=True)
        rec["w"] = encode(w)
        rec["grads"] = [encode(torch.zeros_like(x) if g is None else g.detach()) for x, g in zip(diff, grads)]
        if double:
            w2 = [torch.randn(x.shape) for x in diff]
            total = sum((g * v).sum() for g, v in zip(grads, w2) if g is not None and g.requires_grad)
            g2 = torch.autograd.grad(total, diff, allow_unused=True) if torch.is_tensor(total) else [None] * len(diff)
            rec["w2"] = [encode(v) for v in w2]
            rec["grads2"] = [encode(torch.zeros_like(x) if g is None else g) for x, g in zip(diff, g2)]
    return rec


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we record whatever PyTorch raises
        return str(e).split("\n")[0]
    raise AssertionError("expected an error")


def second_backward():
    x = torch.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


ERRORS = {
    "broadcast": lambda: torch.ones(2, 3) + torch.ones(2, 4),
    "matmul_inner": lambda: torch.ones(8, 5) @ torch.ones(6, 3),
    "dim_out_of_range": lambda: torch.ones(2, 3).sum(2),
    "item_many": lambda: torch.ones(2, 3).item(),
    "view_bad_size": lambda: torch.ones(2, 3).view(4, -1),
    "view_two_inferred": lambda: torch.ones(2, 3).view(-1, -1),
    "view_noncontig": lambda: torch.ones(2, 3).t().view(6),
    "backward_nonscalar": lambda: torch.ones(3, requires_grad=True).mul(2).backward(),
    "second_backward": second_backward,
    "int_requires_grad": lambda: torch.tensor([1, 2]).requires_grad_(),
    "leaf_inplace": lambda: torch.ones(3, requires_grad=True).add_(1),
    "expand_bad": lambda: torch.ones(2, 3).expand(2, 4),
    "cat_sizes": lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)], 0),
    "stack_sizes": lambda: torch.stack([torch.ones(3), torch.ones(4)]),
    "select_range": lambda: torch.ones(3, 4).select(0, 5),
    "ragged": lambda: torch.tensor([[1, 2], [3]]),
    "mean_int": lambda: torch.tensor([1, 2]).mean(),
}


# repr(tensor) as PyTorch prints it; the TS test builds the same tensors by the same recipe.
REPRS = {
    "int_matrix": lambda: torch.tensor([[1, 2], [3, 4]]),
    "float_matrix": lambda: torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "fractions": lambda: torch.tensor([1.5, -2.25, 3.125]),
    "scientific": lambda: torch.tensor([1e-5, 1.0, 1e5]),
    "bools": lambda: torch.tensor([True, False, True]),
    "float64": lambda: torch.tensor([1.5, 2.0], dtype=torch.float64),
    "int32": lambda: torch.tensor([1, -2], dtype=torch.int32),
    "scalar": lambda: torch.tensor(3.5),
    "int_scalar": lambda: torch.tensor(7),
    "empty_2d": lambda: torch.zeros(0, 3),
    "empty_1d": lambda: torch.zeros(0),
    "three_d": lambda: torch.arange(12.0).reshape(2, 2, 3),
    "wrapped_row": lambda: torch.arange(30.0) / 7,
    "summarized": lambda: torch.arange(2000.0),
    "summarized_2d": lambda: torch.arange(3000.0).reshape(60, 50),
    "nan_inf": lambda: torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "large_integral": lambda: torch.tensor([1e9, 1.0]),
    "negative_small": lambda: torch.tensor([-0.001, 0.5]),
}


def inplace_modified():
    x = torch.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def main():
    fixtures = {
        "generator": "scripts/gen_fixtures.py",
        "torch": torch.__version__,
        "cases": {name: case(name, *spec) for name, spec in CASES.items()},
        "errors": {name: error(fn) for name, fn in ERRORS.items()},
    }
    fixtures["errors"]["inplace_modified"] = error(inplace_modified)
    fixtures["reprs"] = {name: repr(fn()) for name, fn in REPRS.items()}
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = 2 * x + 1
    y = torch.mean(z**2 / (z**2 + 2))
    y.backward()
    fixtures["course_example"] = {"grad": x.grad.tolist()}
    OUT.write_text(json.dumps(fixtures, indent=None, separators=(",", ":")))
    print(f"wrote {OUT} ({len(fixtures['cases'])} op cases, {len(fixtures['errors'])} error texts)")


if __name__ == "__main__":
    main()
