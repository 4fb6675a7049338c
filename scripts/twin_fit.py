"""The epoch loop of the demos' PyTorch twins (digits_pytorch.py, digits_cnn_pytorch.py,
digits_rnn_pytorch.py; examples/digits/train.ts and examples/fit.ts are the taimatsu side):
Adam over the loader's batches, then loss and accuracy on the test split; prints each epoch
and writes the history as the test fixture the demo is held to."""
import json
import os

import torch
from torch import nn


def fit(model, loader, x_test, y_test, epochs, lr, fixture, extra=None):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(1, epochs + 1):
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
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", fixture)
    with open(path, "w") as f:
        json.dump({"torch_version": torch.__version__, "history": history, **(extra or {})}, f, indent=1)
    return history
