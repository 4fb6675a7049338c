"""The digits CNN (examples/cnn/train.ts) written in PyTorch, line for line: same seed, split,
model, loader and optimizer. taimatsu draws PyTorch's random streams, so both start from the
same weights and see the same batches; this prints the epochs and writes them to
test/fixtures/digits-cnn-run.json, which test/conv.test.ts holds taimatsu's run to.

Run with Debian's python3-torch and python3-sklearn: /usr/bin/python3 scripts/digits_cnn_pytorch.py
"""
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from twin_fit import fit

EPOCHS, SEED = 10, 0

torch.manual_seed(SEED)
digits = load_digits()
images = (torch.tensor(digits.data, dtype=torch.float32) / 16).reshape(-1, 1, 8, 8)
target = torch.tensor(digits.target, dtype=torch.int64)
x_train, x_test, y_train, y_test = train_test_split(images, target, test_size=0.25, random_state=SEED)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(SEED))
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
)
fit(model, loader, x_test, y_test, EPOCHS, 0.005, "digits-cnn-run.json")
