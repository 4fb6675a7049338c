"""The digits RNN (examples/rnn/train.ts) written in PyTorch, line for line: each image read
row by row by an LSTM, the last hidden state classified; same seed, split, loader and
optimizer. taimatsu draws PyTorch's random streams, so both start from the same weights and
see the same batches; this prints the epochs and writes them to
test/fixtures/digits-rnn-run.json, which test/rnn.test.ts holds taimatsu's run to.

Run with Debian's python3-torch and python3-sklearn: /usr/bin/python3 scripts/digits_rnn_pytorch.py
"""
import json
import os

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPOCHS, SEED = 15, 0


class RowLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 32, batch_first=True)
        self.head = nn.Linear(32, 10)

    def forward(self, images):
        _, (h, _) = self.lstm(images.reshape(-1, 8, 8))
        return self.head(h[0])


torch.manual_seed(SEED)
digits = load_digits()
x = torch.tensor(digits.data, dtype=torch.float32) / 16
y = torch.tensor(digits.target, dtype=torch.int64)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(SEED))
model = RowLSTM()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
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

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "digits-rnn-run.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "history": history}, f, indent=1)
