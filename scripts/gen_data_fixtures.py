#!/usr/bin/python3
"""Golden values from real PyTorch and scikit-learn for taimatsu's data tests
(test/fixtures/data.json): DataLoader batch counts and sequential batches, default_collate
of nested samples, and train_test_split's shuffled indices. Run with /usr/bin/python3."""
import json
import pathlib

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data._utils.collate import default_collate

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "data.json"


def describe(x):
    """A JSON picture of a collated batch: tensors as {dtype, shape, data}."""
    if torch.is_tensor(x):
        return {"dtype": str(x.dtype).replace("torch.", ""), "shape": list(x.shape), "data": x.flatten().tolist()}
    if isinstance(x, dict):
        return {k: describe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [describe(v) for v in x]
    return x


def main():
    lengths = []
    for n in [1, 7, 10, 64, 100, 1347]:
        for b in [1, 3, 10, 32, 64]:
            for drop in [False, True]:
                lengths.append({"n": n, "batch": b, "drop_last": drop, "batches": len(DataLoader(range(n), batch_size=b, drop_last=drop))})
    ds = TensorDataset(torch.arange(10.0).reshape(10, 1), torch.arange(10))
    sequential = [describe(list(b)) for b in DataLoader(ds, batch_size=4)]
    samples = [
        {"image": torch.full((2, 2), float(i)), "label": i, "weight": 0.5 * i, "meta": {"name": f"s{i}", "flags": [True, i % 2 == 0]}}
        for i in range(3)
    ]
    splits = {}
    for n, seed, test_size in [(20, 0, 0.25), (20, 42, 0.25), (1797, 0, 0.25), (10, 3, 0.3)]:
        tr, te = train_test_split(np.arange(n), test_size=test_size, random_state=seed)
        splits[f"{n}_{seed}_{test_size}"] = {"n": n, "seed": seed, "test_size": test_size, "train": tr.tolist(), "test": te.tolist()}
    fixtures = {
        "generator": "scripts/gen_data_fixtures.py",
        "lengths": lengths,
        "sequential": sequential,
        "collate": describe(default_collate(samples)),
        "splits": splits,
    }
    OUT.write_text(json.dumps(fixtures, separators=(",", ":")))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
