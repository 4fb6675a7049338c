#!/usr/bin/python3
"""Golden values from real PyTorch for taimatsu's nn / optim tests (test/fixtures/nn.json):
every loss's forward and input gradient, 12 steps of every optimizer configuration from
one start point, every scheduler's LR sequence, and the lecture-2 model's repr.
Run with /usr/bin/python3 (npm run fixtures)."""
import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)
OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "nn.json"


def enc(t):
    return {"data": t.detach().flatten().tolist(), "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}


def loss_case(fn, inputs):
    ins = [x.clone().requires_grad_(x.is_floating_point() and i == 0) for i, x in enumerate(inputs)]
    out = fn(*ins)
    rec = {"inputs": [enc(x) for x in inputs], "out": enc(out)}
    if out.requires_grad:
        w = torch.randn(out.shape)
        (g,) = torch.autograd.grad((out * w).sum(), [ins[0]])
        rec["w"] = enc(w)
        rec["grad"] = enc(g)
    return rec


N, C = 6, 5
logits = torch.randn(N, C)
labels = torch.tensor([0, 4, 2, 2, 1, 3])
labels_ignore = torch.tensor([0, -100, 2, 2, -100, 3])
probs_t = torch.softmax(torch.randn(N, C), 1)
logits_3d = torch.randn(3, C, 4)
labels_3d = torch.randint(0, C, (3, 4))
cw = torch.rand(C) + 0.5
x_reg, y_reg = torch.randn(4, 3), torch.randn(4, 3)
p_bin, t_bin = torch.rand(4, 3) * 0.9 + 0.05, torch.randint(0, 2, (4, 3)).float()
logit_bin = torch.randn(4, 3) * 3

LOSSES = {
    "cross_entropy": (lambda x, t: F.cross_entropy(x, t), [logits, labels]),
    "cross_entropy_sum": (lambda x, t: F.cross_entropy(x, t, reduction="sum"), [logits, labels]),
    "cross_entropy_none": (lambda x, t: F.cross_entropy(x, t, reduction="none"), [logits, labels]),
    "cross_entropy_weight": (lambda x, t: F.cross_entropy(x, t, weight=cw), [logits, labels]),
    "cross_entropy_ignore": (lambda x, t: F.cross_entropy(x, t, ignore_index=-100), [logits, labels_ignore]),
    "cross_entropy_smoothing": (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), [logits, labels]),
    "cross_entropy_weight_smoothing_ignore": (lambda x, t: F.cross_entropy(x, t, weight=cw, label_smoothing=0.2), [logits, labels_ignore]),
    "cross_entropy_probs": (lambda x, t: F.cross_entropy(x, t), [logits, probs_t]),
    "cross_entropy_probs_smoothing": (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.3, weight=cw), [logits, probs_t]),
    "cross_entropy_3d": (lambda x, t: F.cross_entropy(x, t), [logits_3d, labels_3d]),
    "nll": (lambda x, t: F.nll_loss(torch.log_softmax(x, 1), t), [logits, labels]),
    "nll_weight_none": (lambda x, t: F.nll_loss(torch.log_softmax(x, 1), t, weight=cw, reduction="none"), [logits, labels]),
    "mse": (F.mse_loss, [x_reg, y_reg]),
    "mse_sum": (lambda a, b: F.mse_loss(a, b, reduction="sum"), [x_reg, y_reg]),
    "l1": (F.l1_loss, [x_reg, y_reg]),
    "smooth_l1": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), [x_reg, y_reg]),
    "huber": (lambda a, b: F.huber_loss(a, b, delta=0.7), [x_reg, y_reg]),
    "bce": (F.binary_cross_entropy, [p_bin, t_bin]),
    "bce_with_logits": (F.binary_cross_entropy_with_logits, [logit_bin, t_bin]),
    "bce_with_logits_pos_weight": (lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=torch.tensor([1.0, 2.0, 0.5])), [logit_bin, t_bin]),
    "kl_div": (lambda a, b: F.kl_div(torch.log_softmax(a, 1), b, reduction="batchmean"), [logits, probs_t]),
    "kl_div_mean": (lambda a, b: F.kl_div(torch.log_softmax(a, 1), b), [logits, probs_t]),
}

OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "sgd_dampening_wd": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    "sgd_nesterov_maximize": (torch.optim.SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True, "maximize": True}),
    "adam": (torch.optim.Adam, {"lr": 0.01}),
    "adam_amsgrad_wd": (torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    "adamw": (torch.optim.AdamW, {"lr": 0.01}),
    "adamw_amsgrad": (torch.optim.AdamW, {"lr": 0.02, "weight_decay": 0.05, "amsgrad": True}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.01}),
    "rmsprop_momentum_centered": (torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.1}),
    "adagrad_decay": (torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.1}),
}


def optimizer_case(cls, opts, w0, b0, x, y):
    w = w0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    opt = cls([w, b], **opts)
    traj = []
    for _ in range(12):
        opt.zero_grad()
        loss = ((x @ w.t() + b).tanh() - y).pow(2).mean()
        loss.backward()
        opt.step()
        traj.append({"w": w.detach().flatten().tolist(), "b": b.detach().flatten().tolist()})
    return {"opts": {k: list(v) if isinstance(v, tuple) else v for k, v in opts.items()}, "trajectory": traj}


def sched_seq(make, steps=14, opt_cls=torch.optim.SGD, opt_kw=None):
    p = torch.zeros(1, requires_grad=True)
    opt = opt_cls([p], **(opt_kw or {"lr": 0.1, "momentum": 0.9}))
    s = make(opt)
    seq = [s.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        s.step()
        seq.append(s.get_last_lr()[0])
    return seq


def plateau_seq():
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1)
    metrics = [5, 4, 4.5, 4.2, 4.1, 4.3, 4.0, 3.99999, 4.1, 4.2, 4.3, 3.0, 3.5, 3.6, 3.7]
    seq = []
    for m in metrics:
        s.step(m)
        seq.append(opt.param_groups[0]["lr"])
    return {"metrics": metrics, "lrs": seq}


sched = torch.optim.lr_scheduler
SCHEDULERS = {
    "step": lambda: sched_seq(lambda o: sched.StepLR(o, step_size=3, gamma=0.5)),
    "multistep": lambda: sched_seq(lambda o: sched.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    "exponential": lambda: sched_seq(lambda o: sched.ExponentialLR(o, gamma=0.9)),
    "cosine": lambda: sched_seq(lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.01), steps=22),
    "linear": lambda: sched_seq(lambda o: sched.LinearLR(o, start_factor=0.25, total_iters=6)),
    "lambda": lambda: sched_seq(lambda o: sched.LambdaLR(o, lambda e: 0.95 ** e + 0.01 * e)),
    "onecycle": lambda: sched_seq(lambda o: sched.OneCycleLR(o, max_lr=0.5, total_steps=20), steps=19),
    "onecycle_adam_linear": lambda: sched_seq(lambda o: sched.OneCycleLR(o, max_lr=0.3, total_steps=16, anneal_strategy="linear", three_phase=True), steps=15, opt_cls=torch.optim.Adam, opt_kw={"lr": 0.1}),
    "sequential": lambda: sched_seq(lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.1, total_iters=3), sched.ExponentialLR(o, gamma=0.8)], milestones=[4])),
}


def main():
    fixtures = {"generator": "scripts/gen_nn_fixtures.py", "torch": torch.__version__}
    fixtures["losses"] = {k: loss_case(fn, ins) for k, (fn, ins) in LOSSES.items()}
    fixtures["class_weights"] = enc(cw)
    w0, b0 = torch.randn(3, 4) * 0.5, torch.randn(3) * 0.1
    x, y = torch.randn(8, 4), torch.randn(8, 3) * 0.5
    fixtures["optim_problem"] = {"w0": enc(w0), "b0": enc(b0), "x": enc(x), "y": enc(y)}
    fixtures["optimizers"] = {k: optimizer_case(cls, o, w0, b0, x, y) for k, (cls, o) in OPTIMIZERS.items()}
    fixtures["schedulers"] = {k: f() for k, f in SCHEDULERS.items()}
    fixtures["plateau"] = plateau_seq()
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10))
    fixtures["lecture2_repr"] = repr(model)
    fixtures["lecture2_params"] = sum(p.numel() for p in model.parameters())
    fixtures["reprs"] = {
        "activations": repr(nn.Sequential(nn.LeakyReLU(), nn.ELU(), nn.GELU(), nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(dim=-1))),
        "misc": repr(nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 3)), nn.Dropout(0.25), nn.LayerNorm(64), nn.Embedding(10, 3, padding_idx=0), nn.Identity(), nn.Linear(3, 2, bias=False))),
    }
    big = nn.Linear(400, 300)
    fixtures["linear_init"] = {"weight_bound": 1 / math.sqrt(400), "weight_std": float(big.weight.std()), "bias_bound": 1 / math.sqrt(400)}
    fixtures["errors"] = {
        "linear_shape": err(lambda: nn.Linear(6, 3)(torch.randn(8, 5))),
        "ce_target_range": err(lambda: F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 3]))),
        "load_missing": err(lambda: nn.Linear(2, 2).load_state_dict({"weight": torch.zeros(2, 2)})),
        "load_shape": err(lambda: nn.Linear(2, 2).load_state_dict({"weight": torch.zeros(3, 2), "bias": torch.zeros(2)})),
        "empty_params": err(lambda: torch.optim.SGD([], lr=0.1)),
    }
    OUT.write_text(json.dumps(fixtures, separators=(",", ":")))
    print(f"wrote {OUT}")


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return str(e)
    raise AssertionError("expected an error")


if __name__ == "__main__":
    main()
