"""The digits CNN (examples/cnn/train.ts) written in PyTorch, line for line: same seed, split,
model, augmentations, loader (two persistent workers) and optimizer. taimatsu draws PyTorch's random
streams — the weights, the shuffling, each worker's seed and torchvision's random affine maps
and flips — so both see the same augmented batches; this prints the epochs and writes them to
test/fixtures/digits-cnn-run.json, which test/conv.test.ts holds taimatsu's run to.

Run with Debian's python3-torch, python3-torchvision and python3-sklearn:
/usr/bin/python3 scripts/digits_cnn_pytorch.py
"""
import torch
import torchvision.transforms as T
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, Dataset

from twin_fit import fit

EPOCHS, SEED = 10, 0
MEAN, STD = 0.3058, 0.3764


class ImageDataset(Dataset):
    """Images held as bytes, each served in [0, 1] through the transform: taimatsu's ImageDataset."""

    def __init__(self, pixels, labels, transform):
        self.pixels, self.labels, self.transform = pixels, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.transform(self.pixels[i].float() / 255), int(self.labels[i])


if __name__ == "__main__":
    torch.manual_seed(SEED)
    digits = load_digits()
    data = torch.tensor(digits.data, dtype=torch.float32)
    images = (data * 255 / 16).round().to(torch.uint8).reshape(-1, 1, 8, 8)
    target = torch.tensor(digits.target, dtype=torch.int64)
    x_train, x_test, y_train, y_test = train_test_split(images, target, test_size=0.25, random_state=SEED)
    augmentation = T.Compose([T.RandomAffine(10, translate=(0.1, 0.1)), T.RandomHorizontalFlip(), T.Normalize([MEAN], [STD])])
    train_set = ImageDataset(x_train, y_train, augmentation)

    def train_loader():
        return DataLoader(train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(SEED), num_workers=2, persistent_workers=True)

    # the augmented batches of the first epochs, from a loader of their own (the batches depend
    # only on the loader's generator and its workers' seeds, not on training)
    probe = train_loader()
    batch_sums = [[[float(x.double().sum()), int(y.sum())] for x, y in probe] for _ in range(3)]
    del probe
    loader = train_loader()
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )
    fit(model, loader, (x_test.float() / 255 - MEAN) / STD, y_test, EPOCHS, 0.005, "digits-cnn-run.json", {"batchSums": batch_sums})
