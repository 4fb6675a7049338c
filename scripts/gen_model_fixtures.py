"""Golden values for test/models.test.ts: torchvision 0.14's resnet18 and alexnet, and the
PyTorch CIFAR tutorial's LeNet, each built right after torch.manual_seed(0): every state-dict
key with its shape and checksums of its values (taimatsu's seeded init must equal
torchvision's), and the eval-mode outputs for a fixed input.

Run with Debian's python3-torchvision: /usr/bin/python3 scripts/gen_model_fixtures.py
"""
import json
import os

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "models.json")


class LeNet(nn.Module):
    """The network of PyTorch's "Training a classifier" (CIFAR-10) tutorial."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def describe(model, input_shape, kwargs):
    torch.manual_seed(1)
    x = torch.rand(*input_shape)
    model.eval()
    with torch.no_grad():
        y = model(x)
    params = {}
    for k, v in model.state_dict().items():
        d = v.double().flatten()
        params[k] = {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""), "sum": d.sum().item(), "sumsq": (d * d).sum().item(), "head": d[:4].tolist()}
    return {"kwargs": kwargs, "input_shape": list(input_shape), "state": params, "output": {"shape": list(y.shape), "data": y.flatten().tolist()}}


out = {"torchvision": torchvision.__version__, "models": {}}
for name, make, kwargs, shape in [
    ("lenet", lambda: LeNet(), {}, (2, 3, 32, 32)),
    ("resnet18", lambda: torchvision.models.resnet18(), {}, (2, 3, 64, 64)),
    ("resnet18_10", lambda: torchvision.models.resnet18(num_classes=10), {"numClasses": 10}, (2, 3, 32, 32)),
    ("alexnet", lambda: torchvision.models.alexnet(num_classes=10), {"numClasses": 10}, (1, 3, 64, 64)),
]:
    torch.manual_seed(0)
    model = make()
    out["models"][name] = describe(model, shape, kwargs)
    print(name, sum(p.numel() for p in model.parameters()), "parameters")

with open(OUT, "w") as f:
    json.dump(out, f)
print("wrote", OUT)
