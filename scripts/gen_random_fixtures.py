"""Golden random streams from PyTorch 1.13's CPU generator (test/random-streams.test.ts):
the same seed must give the same rand/randn/randint/randperm values, the same nn.Linear
initialisation and the same DataLoader shuffling as PyTorch.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_random_fixtures.py
"""
import json
import os

import torch
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

out = {"torch_version": torch.__version__}


def vals(t):
    return t.detach().reshape(-1).tolist()


torch.manual_seed(0)
out["rand"] = {"seed": 0, "first": vals(torch.rand(5)), "second": vals(torch.rand(3, 4)),
               "float64": vals(torch.rand(3, dtype=torch.float64))}
torch.manual_seed(0)
out["uniform_"] = {"seed": 0, "low": -2.0, "high": 3.0, "values": vals(torch.empty(7).uniform_(-2.0, 3.0))}

torch.manual_seed(1)
out["randn"] = {"seed": 1, "small": vals(torch.randn(5)), "small_again": vals(torch.randn(3)),
                "fill16": vals(torch.randn(16)), "fill_tail": vals(torch.randn(21)), "matrix": vals(torch.randn(2, 16)),
                "float64": vals(torch.randn(18, dtype=torch.float64))}
torch.manual_seed(1)
out["normal_"] = {"seed": 1, "mean": 2.0, "std": 0.5, "values": vals(torch.empty(40).normal_(2.0, 0.5))}

torch.manual_seed(2)
out["randint"] = {"seed": 2, "a": vals(torch.randint(0, 10, (12,))), "b": vals(torch.randint(-5, 5, (3,)))}

torch.manual_seed(3)
out["randperm"] = {"seed": 3, "ten": vals(torch.randperm(10)), "one": vals(torch.randperm(1)), "hundred": vals(torch.randperm(100))}

g = torch.Generator().manual_seed(7)
out["generator"] = {"seed": 7, "rand": vals(torch.rand(4, generator=g)), "randperm": vals(torch.randperm(6, generator=g))}

torch.manual_seed(0)
lin = torch.nn.Linear(4, 3)
lin2 = torch.nn.Linear(3, 2)
out["linear_init"] = {"seed": 0, "weight": vals(lin.weight), "bias": vals(lin.bias), "weight2": vals(lin2.weight), "bias2": vals(lin2.bias)}

torch.manual_seed(4)
x = torch.linspace(-1, 1, 40)
out["dropout"] = {"seed": 4, "x": vals(x), "p": 0.3, "y": vals(torch.nn.functional.dropout(x, 0.3, True)),
                  "bernoulli": vals(torch.empty(20).bernoulli_(0.25))}

parts = torch.utils.data.random_split(range(10), [0.7, 0.3], generator=torch.Generator().manual_seed(42))
out["random_split"] = {"seed": 42, "indices": [list(p.indices) for p in parts]}

torch.manual_seed(0)
sampler = RandomSampler(range(10))
out["random_sampler"] = {"seed": 0, "epoch1": list(sampler), "epoch2": list(sampler)}

torch.manual_seed(0)
loader = DataLoader(TensorDataset(torch.arange(10)), batch_size=4, shuffle=True)
out["dataloader"] = {"seed": 0, "epochs": [[vals(b[0]) for b in loader] for _ in range(2)]}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "random.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(f"wrote {path}")
