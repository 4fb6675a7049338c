"""Golden values for constructor arguments (test/signatures.test.ts): layers, losses, optimizers,
schedulers and the DataLoader built from PyTorch's positional order and/or keyword arguments,
with what PyTorch 1.13 makes of them: a module's repr and output shape, a loss's value, an
optimizer's param-group options, a scheduler's learning rates, a loader's batch sizes, or the
TypeError a bad call raises.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_signature_fixtures.py

Arguments are JSON; {"tensor": values, "dtype": d} stands for a tensor and {"tuple": [...]} for
a tuple. Keyword names are PyTorch's (snake_case); the test turns them into camelCase.
"""
import json
import os
import warnings

import torch
import torch.nn as nn
import torch.optim as optim
import torch.optim.lr_scheduler as sched

warnings.filterwarnings("ignore")


def T(values, dtype="float32"):
    return {"tensor": values, "dtype": dtype}


def tup(*v):
    return {"tuple": list(v)}


def arg(v):
    if isinstance(v, dict) and "tensor" in v:
        return torch.tensor(v["tensor"], dtype=getattr(torch, v["dtype"]))
    if isinstance(v, dict) and "tuple" in v:
        return tuple(arg(x) for x in v["tuple"])
    if isinstance(v, list):
        return [arg(x) for x in v]
    return v


def build(cls, args, kwargs):
    return cls(*[arg(a) for a in args], **{k: arg(v) for k, v in kwargs.items()})


def case(name, args=(), kwargs=None, **extra):
    return {"cls": name, "args": list(args), "kwargs": kwargs or {}, **extra}


LAYERS = [
    case("Conv2d", [1, 16, 3, 2, 1], input=[1, 1, 28, 28]),
    case("Conv2d", [1, 16, 3], {"stride": 2, "padding": 1}, input=[1, 1, 28, 28]),
    case("Conv2d", [3, 8, tup(3, 5), 1, tup(1, 2), 1, 1, False], input=[2, 3, 9, 9]),
    case("Conv2d", [4, 8, 3, 1, 0, 2, 2], input=[1, 4, 12, 12]),
    case("Conv2d", [2, 4, 3], {"padding": "same"}, input=[1, 2, 7, 7]),
    case("Conv1d", [2, 4, 3, 2, 1], input=[1, 2, 11]),
    case("MaxPool2d", [2, 2], input=[1, 3, 9, 9]),
    case("MaxPool2d", [3, 2, 1], input=[1, 3, 9, 9]),
    case("MaxPool2d", [2], {"ceil_mode": True}, input=[1, 3, 9, 9]),
    case("MaxPool2d", [3, 1, 0, 2], input=[1, 1, 9, 9]),
    case("MaxPool1d", [3, 2], input=[1, 2, 11]),
    case("AvgPool2d", [2, 2], input=[1, 3, 8, 8]),
    case("AvgPool2d", [3, 1, 1, False, False], input=[1, 3, 8, 8]),
    case("AvgPool1d", [2], input=[1, 2, 8]),
    case("AdaptiveAvgPool2d", [tup(2, 3)], input=[1, 3, 8, 9]),
    case("Linear", [4, 3, False], input=[2, 4]),
    case("Linear", [4, 3], {"bias": False}, input=[2, 4]),
    case("Dropout", [0.5], input=[2, 4]),
    case("Dropout", [0.2, True], input=[2, 4]),
    case("Dropout", [], {"p": 0.3}, input=[2, 4]),
    case("ReLU", [True], input=[2, 4]),
    case("ReLU", [], input=[2, 4]),
    case("LeakyReLU", [0.2, True], input=[2, 4]),
    case("ELU", [0.5], input=[2, 4]),
    case("SiLU", [True], input=[2, 4]),
    case("GELU", ["tanh"], input=[2, 4]),
    case("Softmax", [1], input=[2, 4]),
    case("LogSoftmax", [], {"dim": 0}, input=[2, 4]),
    case("Flatten", [0], input=[2, 3, 4]),
    case("Flatten", [1, 2], input=[2, 3, 4, 5]),
    case("Unflatten", [1, tup(2, 3)], input=[4, 6]),
    case("LayerNorm", [4, 1e-3, False], input=[2, 4]),
    case("LayerNorm", [[2, 4]], input=[3, 2, 4]),
    case("Embedding", [10, 3, 0], input_index=[[1, 0, 9]]),
    case("BatchNorm1d", [4, 1e-3, 0.2], input=[5, 4]),
    case("BatchNorm2d", [3], {"affine": False}, input=[2, 3, 4, 4]),
    case("BatchNorm2d", [3, 1e-5, None], input=[2, 3, 4, 4]),
    case("RNN", [4, 8, 2], {"nonlinearity": "relu"}, input=[5, 3, 4]),
    case("LSTM", [4, 8, 2, True, True], input=[3, 5, 4]),
    case("GRU", [4, 8], {"batch_first": True, "bidirectional": True}, input=[3, 5, 4]),
]

LOGITS = [[1.5, -0.2, 0.3], [0.1, 2.0, -1.0], [0.3, 0.2, 0.9], [-0.5, 0.0, 1.2]]
LABELS = T([0, 1, 1, 2], "int64")
PRED = [[0.2, 0.7], [0.9, 0.4], [0.5, 0.1]]
GOLD = [[0.0, 1.0], [1.0, 1.0], [0.3, 0.0]]
LOSSES = [
    case("CrossEntropyLoss", [None, None, 1], inputs=[T(LOGITS), LABELS]),
    case("CrossEntropyLoss", [T([1.0, 2.0, 0.5])], {"label_smoothing": 0.1}, inputs=[T(LOGITS), LABELS]),
    case("CrossEntropyLoss", [None, None, -100, None, "sum"], inputs=[T(LOGITS), LABELS]),
    case("NLLLoss", [None, None, -100, None, "sum"], inputs=[T(LOGITS), LABELS]),
    case("MSELoss", [None, None, "sum"], inputs=[T(PRED), T(GOLD)]),
    case("MSELoss", [], {"size_average": False}, inputs=[T(PRED), T(GOLD)]),
    case("L1Loss", [True, False], inputs=[T(PRED), T(GOLD)]),
    case("SmoothL1Loss", [None, None, "mean", 0.5], inputs=[T(PRED), T(GOLD)]),
    case("HuberLoss", ["sum", 0.3], inputs=[T(PRED), T(GOLD)]),
    case("BCELoss", [T([1.0, 2.0])], inputs=[T(PRED), T(GOLD)]),
    case("BCEWithLogitsLoss", [None, None, None, "sum", T([2.0, 0.5])], inputs=[T(PRED), T(GOLD)]),
    case("KLDivLoss", [None, None, "batchmean", True], inputs=[T(PRED), T(GOLD)]),
]

OPTIMIZERS = [
    case("SGD", [0.1, 0.9, 0, 1e-4, True]),
    case("SGD", [], {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    case("Adam", [0.01, tup(0.8, 0.9)]),
    case("Adam", [0.01], {"amsgrad": True, "foreach": False}),
    case("AdamW", [1e-3]),
    case("AdamW", [1e-3, tup(0.9, 0.99), 1e-6, 0.05, True]),
    case("RMSprop", [0.01, 0.9, 1e-6, 0, 0.5, True]),
    case("Adagrad", [0.1, 0.01, 0.001, 0.2]),
]

SCHEDULERS = [
    case("StepLR", [2, 0.5]),
    case("StepLR", [], {"step_size": 3}),
    case("MultiStepLR", [[2, 4], 0.1]),
    case("ExponentialLR", [0.9]),
    case("CosineAnnealingLR", [4, 0.01]),
    case("LinearLR", [0.5, 1.0, 4]),
    case("OneCycleLR", [0.1, 10]),
    case("OneCycleLR", [0.1], {"epochs": 2, "steps_per_epoch": 5, "anneal_strategy": "linear"}),
    case("ReduceLROnPlateau", ["min", 0.5, 1], metrics=[1.0, 0.9, 0.95, 0.97, 0.99, 0.5, 0.6, 0.7]),
]

LOADERS = [
    case("DataLoader", [4, False, None, None, 0, None, False, True]),
    case("DataLoader", [3], {"drop_last": False}),
]

ERRORS = [
    case("Linear", [2, 3], {"foo": 1}),
    case("Linear", [2]),
    case("Linear", []),
    case("Linear", [2, 3, True, None, None, 5]),
    case("Linear", [2, 3], {"in_features": 2}),
    case("Conv2d", [1, 2, 3, 1, 0, 1, 1, True, "zeros", None, None, 7]),
    case("ReLU", [True, 3]),
    case("Softmax", [1, 2]),
    case("MSELoss", [], {"reduce_mean": True}),
    case("SGD", [0.1], {"batch_size": 3}),
    case("SGD", [0.1, 0.9], {"momentum": 0.5}),
    case("Adam", [], {"learning_rate": 0.1}),
    case("StepLR", []),
    case("StepLR", [2], {"gama": 0.5}),
    case("DataLoader", [], {"bs": 3}),
    case("CrossEntropyLoss", [], {"ignore_idx": 3}),
    case("RNN", [4]),
    case("BatchNorm2d", [3], {"momentun": 0.2}),
]


def error_of(f):
    try:
        f()
    except TypeError as e:
        return str(e)
    raise AssertionError("expected a TypeError")


def params():
    return [nn.Parameter(torch.ones(2))]


def main():
    torch.manual_seed(0)
    out = {"layers": [], "losses": [], "optimizers": [], "schedulers": [], "loaders": [], "errors": []}
    for c in LAYERS:
        m = build(getattr(nn, c["cls"]), c["args"], c["kwargs"])
        x = torch.tensor(c["input_index"]) if "input_index" in c else torch.randn(c["input"])
        y = m(x)
        if isinstance(y, tuple):
            y = y[0]
        out["layers"].append({**c, "repr": repr(m), "output": list(y.shape)})
    for c in LOSSES:
        loss = build(getattr(nn, c["cls"]), c["args"], c["kwargs"])
        inputs = [arg(v) for v in c["inputs"]]
        if c["cls"] == "NLLLoss":
            inputs[0] = inputs[0].log_softmax(1)
        if c["cls"] == "KLDivLoss":
            inputs = [inputs[0].log(), inputs[1].add(0.1).log()]
        out["losses"].append({**c, "value": loss(*inputs).reshape(-1).tolist()})
    for c in OPTIMIZERS:
        o = build(lambda *a, **k: getattr(optim, c["cls"])(params(), *a, **k), c["args"], c["kwargs"])
        group = {k: (list(v) if isinstance(v, tuple) else v) for k, v in o.param_groups[0].items() if k != "params"}
        out["optimizers"].append({**c, "group": group})
    for c in SCHEDULERS:
        opt = optim.SGD(params(), lr=0.1, momentum=0.9)
        s = build(lambda *a, **k: getattr(sched, c["cls"])(opt, *a, **k), c["args"], c["kwargs"])
        lrs = [opt.param_groups[0]["lr"]]
        for metric in c.get("metrics", [None] * 8):
            opt.step()
            s.step(metric) if metric is not None else s.step()
            lrs.append(opt.param_groups[0]["lr"])
        out["schedulers"].append({**c, "lrs": lrs})
    data = torch.utils.data.TensorDataset(torch.arange(10.0))
    for c in LOADERS:
        loader = build(lambda *a, **k: torch.utils.data.DataLoader(data, *a, **k), c["args"], c["kwargs"])
        out["loaders"].append({**c, "sizes": [len(b[0]) for b in loader]})
    factories = {
        **{n: getattr(nn, n) for n in ["Linear", "Conv2d", "ReLU", "Softmax", "MSELoss", "CrossEntropyLoss", "RNN", "BatchNorm2d"]},
        "SGD": lambda *a, **k: optim.SGD(params(), *a, **k),
        "Adam": lambda *a, **k: optim.Adam(params(), *a, **k),
        "StepLR": lambda *a, **k: sched.StepLR(optim.SGD(params(), lr=0.1), *a, **k),
        "DataLoader": lambda *a, **k: torch.utils.data.DataLoader(data, *a, **k),
    }
    for c in ERRORS:
        msg = error_of(lambda: build(factories[c["cls"]], c["args"], c["kwargs"]))
        out["errors"].append({**c, "message": msg})
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "signatures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


main()
