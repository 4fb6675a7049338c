"""Files written by torch.save (PyTorch 1.13) for test/torch-load.test.ts: state dicts of an
MLP, a CNN with BatchNorm (int64 num_batches_tracked), an LSTM, a dict of tensors of several
dtypes incl. float16/bfloat16, a non-contiguous (transposed) tensor and two tensors sharing
one storage; each also in the format before PyTorch 1.6 (NAME-legacy.pt); with the expected
values as JSON beside them. And the other direction: checks
that from-taimatsu.pt (taimatsu's torch.save, scripts/write_pt_sample.ts) loads here and equals
PyTorch's own state dict for the same seed.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_pt_fixtures.py
"""
import json
import os

import torch

here = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pt")
os.makedirs(here, exist_ok=True)
expected = {}


def record(name, obj):
    torch.save(obj, os.path.join(here, f"{name}.pt"))
    # and as PyTorch before 1.6 wrote it (a course's old model.pth): pickles, then the storages
    torch.save(obj, os.path.join(here, f"{name}-legacy.pt"), _use_new_zipfile_serialization=False)
    expected[name] = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "values": v.detach().float().reshape(-1).tolist() if v.is_floating_point() else v.reshape(-1).tolist()}
                      for k, v in obj.items()}


torch.manual_seed(0)
record("mlp", torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)).state_dict())
cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU())
cnn(torch.randn(2, 1, 5, 5))  # running statistics and num_batches_tracked move
record("cnn", cnn.state_dict())
record("lstm", torch.nn.LSTM(2, 3).state_dict())
base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
record("mixed", {
    "f64": torch.tensor([1.5, -2.25], dtype=torch.float64),
    "i64": torch.tensor([3, -4, 5]),
    "i32": torch.tensor([7, 8], dtype=torch.int32),
    "b": torch.tensor([True, False, True]),
    "f16": torch.tensor([0.5, -1.25, 3.0], dtype=torch.float16),
    "bf16": torch.tensor([0.5, -2.0], dtype=torch.bfloat16),
    "scalar": torch.tensor(2.5),
    "transposed": base.t(),
    "row": base[1],
    "whole": base,
})
# taimatsu's torch.save, read by PyTorch: the same CNN from the same seed, run once
theirs = torch.load(os.path.join(here, "from-taimatsu.pt"))
torch.manual_seed(0)
cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(18, 3))
cnn(torch.randn(2, 1, 5, 5))
for k, v in cnn.state_dict().items():
    assert theirs[k].dtype == v.dtype and torch.allclose(theirs[k].double(), v.double(), atol=1e-6), k
assert cnn.load_state_dict({k: theirs[k] for k in cnn.state_dict()}).missing_keys == []
assert theirs["f64"].tolist() == [1.5, -2.25] and theirs["i32"].dtype == torch.int32 and theirs["b"].tolist() == [True, False, True]
assert theirs["transposed"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
print("from-taimatsu.pt: PyTorch loads it and it equals PyTorch's state dict")

# taimatsu's checkpoint: the same MLP and Adam step here, then compare and load both parts
ckpt = torch.load(os.path.join(here, "checkpoint-from-taimatsu.pt"))
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
adam = torch.optim.Adam(mlp.parameters(), lr=0.005)
torch.nn.functional.cross_entropy(mlp(torch.randn(5, 3)), torch.tensor([0, 1, 1, 0, 1])).backward()
adam.step()
assert ckpt["epoch"] == 3 and ckpt["note"] == "after one step"
for k, v in mlp.state_dict().items():
    assert torch.allclose(ckpt["model"][k], v, atol=1e-6), k
ours = adam.state_dict()
assert sorted(ckpt["optimizer"]["state"]) == sorted(ours["state"]) == [0, 1, 2, 3]
for i, s in ours["state"].items():
    for name in ("exp_avg", "exp_avg_sq"):
        assert torch.allclose(ckpt["optimizer"]["state"][i][name], s[name], atol=1e-6), (i, name)
    assert float(ckpt["optimizer"]["state"][i]["step"]) == float(s["step"])
assert ckpt["optimizer"]["param_groups"][0]["lr"] == 0.005 and ckpt["optimizer"]["param_groups"][0]["params"] == [0, 1, 2, 3]
mlp.load_state_dict(ckpt["model"])
adam.load_state_dict(ckpt["optimizer"])
adam.step()  # continues from the loaded state
print("checkpoint-from-taimatsu.pt: model and Adam state equal PyTorch's; both load and training continues")

# a checkpoint made here: model and Adam state after one step, loaded by the test into taimatsu
torch.save({"model": mlp.state_dict(), "optimizer": adam.state_dict(), "epoch": 4}, os.path.join(here, "checkpoint.pt"))
# ... and where one more step from it on a fixed batch takes the weights
xb, yb = torch.linspace(-1, 1, 15).reshape(5, 3), torch.tensor([1, 0, 0, 1, 1])
adam.zero_grad()
torch.nn.functional.cross_entropy(mlp(xb), yb).backward()
adam.step()
expected["checkpoint_next_step"] = {k: v.reshape(-1).tolist() for k, v in mlp.state_dict().items()}

# a whole module pickled (not a state dict): taimatsu refuses it with an explanation
torch.save(torch.nn.Linear(2, 2), os.path.join(here, "module_object.pt"))
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f)
print(f"wrote {len(expected)} files to {here}")
