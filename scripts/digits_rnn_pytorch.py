"""The digits RNN (examples/rnn/train.ts) written in PyTorch, line for line: each image read
row by row by an LSTM, the last hidden state classified; same seed, split, loader and
optimizer. taimatsu draws PyTorch's random streams, so both start from the same weights and
see the same batches; this prints the epochs and writes them to
test/fixtures/digits-rnn-run.json, which test/rnn.test.ts holds taimatsu's run to.

Run with Debian's python3-torch and python3-sklearn: /usr/bin/python3 scripts/digits_rnn_pytorch.py
"""
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from twin_fit import fit

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
fit(model, loader, x_test, y_test, EPOCHS, 0.01, "digits-rnn-run.json")
