"""The digits demo (examples/digits/train.ts) written in PyTorch, line for line: same split
(sklearn, random_state=seed), same seed, same model, loader, optimizer and epochs. Since
taimatsu draws PyTorch's random streams, its run starts from the same weights and sees the
same batches; this prints the per-epoch losses to compare with `npm run demo`, and writes
them to test/fixtures/digits-run.json (test/data.test.ts retraces them).

Run with Debian's python3-torch and python3-sklearn:
  /usr/bin/python3 scripts/digits_pytorch.py [epochs]
"""
import json
import os
import sys

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
SEED, BATCH, LR = 0, 32, 0.01

torch.manual_seed(SEED)
digits = load_digits()
x = torch.tensor(digits.data, dtype=torch.float32) / 16
y = torch.tensor(digits.target, dtype=torch.int64)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(SEED))
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=LR)
history = []
for epoch in range(1, EPOCHS + 1):
    model.train()
    loss_sum, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        seen += len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        test_loss = loss_fn(logits, y_test).item()
        test_acc = (logits.argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch:3d}: train loss {loss_sum / seen:.4f} acc {correct / seen:.4f} | test loss {test_loss:.4f} acc {test_acc:.4f}")
    history.append({"trainLoss": loss_sum / seen, "trainAccuracy": correct / seen, "testLoss": test_loss, "testAccuracy": test_acc})

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "digits-run.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "seed": SEED, "batch_size": BATCH, "lr": LR, "history": history}, f, indent=1)
