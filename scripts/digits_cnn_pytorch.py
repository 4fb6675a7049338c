"""The digits CNN (examples/cnn/train.ts) written in PyTorch, line for line: same seed, split,
model, loader and optimizer. taimatsu draws PyTorch's random streams, so both start from the
same weights and see the same batches; this prints the epochs and writes them to
test/fixtures/digits-cnn-run.json, which test/conv.test.ts holds taimatsu's run to.

Run with Debian's python3-torch and python3-sklearn: /usr/bin/python3 scripts/digits_cnn_pytorch.py
"""
import json
import os

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

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
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
history = []
for epoch in range(1, EPOCHS + 1):
    model.train()
    loss_sum, seen = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(yb)
        seen += len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        test_loss = loss_fn(logits, y_test).item()
        test_acc = (logits.argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch:2d}: train loss {loss_sum / seen:.4f} | test loss {test_loss:.4f} acc {test_acc:.4f}")
    history.append({"trainLoss": loss_sum / seen, "testLoss": test_loss, "testAccuracy": test_acc})

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "digits-cnn-run.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "history": history}, f, indent=1)
