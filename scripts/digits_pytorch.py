"""The digits demo (examples/digits/train.ts) written in PyTorch, line for line: same split
(sklearn, random_state=seed), same seed, same model, loader, optimizer and epochs. Since
taimatsu draws PyTorch's random streams, its run starts from the same weights and sees the
same batches; this prints the per-epoch losses to compare with `npm run demo`, and writes
them to test/fixtures/digits-run.json (test/data.test.ts retraces them).

Run with Debian's python3-torch and python3-sklearn:
  /usr/bin/python3 scripts/digits_pytorch.py [epochs]
"""
import sys

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from twin_fit import fit

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
SEED, BATCH, LR = 0, 32, 0.01

torch.manual_seed(SEED)
digits = load_digits()
x = torch.tensor(digits.data, dtype=torch.float32) / 16
y = torch.tensor(digits.target, dtype=torch.int64)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(SEED))
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10))
fit(model, loader, x_test, y_test, EPOCHS, LR, "digits-run.json")
