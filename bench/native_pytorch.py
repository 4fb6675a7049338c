"""Native PyTorch's side of `npm run bench -- native` (bench/native.ts): the same workloads,
one thread (and, with --threads N, N threads), timed as bench/harness.ts times taimatsu:
calibrated to ~0.25 s per repetition, best of 5. Prints {workload: seconds per iteration} as JSON.

Run with Debian's python3-torch: /usr/bin/python3 bench/native_pytorch.py [--threads N] [workload ...]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def measure(run, budget=0.25, reps=5):
    run(1)
    n = 1
    while True:
        t0 = time.perf_counter()
        run(n)
        dt = time.perf_counter() - t0
        if dt > budget / 4 or n > 1e7:
            n = max(1, round(n * budget / max(dt, 1e-9)))
            break
        n *= 4
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        run(n)
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def train_step(model, x, y, opt):
    def run(n):
        for _ in range(n):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    return run


def mlp():
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return train_step(model, torch.rand(64, 784), torch.randint(0, 10, (64,)), torch.optim.SGD(model.parameters(), lr=0.01))


class CifarNet(nn.Module):
    """The CNN of PyTorch's CIFAR-10 tutorial (the course's lecture 4)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def cnn():
    model = CifarNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    return train_step(model, torch.rand(64, 3, 32, 32), torch.randint(0, 10, (64,)), opt)


def fwd_bwd(f, *shape):
    x = torch.rand(*shape, requires_grad=True)

    def run(n):
        for _ in range(n):
            f(x).sum().backward()
            x.grad = None
    return run


def maxpool():
    return fwd_bwd(lambda x: F.max_pool2d(x, 2), 64, 16, 32, 32)


def conv():
    w = torch.rand(16, 6, 5, 5, requires_grad=True)
    return fwd_bwd(lambda x: F.conv2d(x, w), 64, 6, 14, 14)


def lstm(inp, hidden, steps, batch):
    def make():
        model = nn.LSTM(inp, hidden)
        head = nn.Linear(hidden, 1)
        x = torch.rand(steps, batch, inp)
        y = torch.rand(batch, 1)
        opt = torch.optim.SGD([*model.parameters(), *head.parameters()], lr=0.01)

        def run(n):
            for _ in range(n):
                opt.zero_grad()
                out, _ = model(x)
                F.mse_loss(head(out[-1]), y).backward()
                opt.step()
        return run
    return make


def matmul(n):
    def make():
        a, b = torch.rand(n, n), torch.rand(n, n)

        def run(reps):
            for _ in range(reps):
                a @ b
        return run
    return make


WORKLOADS = {
    "matmul512": matmul(512),
    "matmul1024": matmul(1024),
    "mlp": mlp,
    "cnn": cnn,
    "maxpool": maxpool,
    "conv": conv,
    "lstm-small": lstm(1, 64, 40, 32),
    "lstm-large": lstm(28, 256, 14, 128),
}

if __name__ == "__main__":
    args = sys.argv[1:]
    threads = 1
    if args[:1] == ["--threads"]:
        threads, args = int(args[1]), args[2:]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(json.dumps({name: measure(WORKLOADS[name]()) for name in (args or WORKLOADS)}))
