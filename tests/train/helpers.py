"""Small datasets and models shared by the trainer tests and the DDP worker."""

import numpy as np
import torch
from torch import nn

from ecgkit.data import ArrayDataset


def separable_dataset(n=256, length=64, seed=0):
    """Class 0: a positive bump, class 1: a negative bump, class 2: two bumps; plus noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    t = np.arange(length)
    bump = np.exp(-0.5 * ((t - length / 2) / 3) ** 2)
    second = np.exp(-0.5 * ((t - length / 4) / 3) ** 2)
    shapes = np.stack([bump, -bump, bump + second])
    x = shapes[labels] + rng.normal(0, 0.3, (n, length))
    patients = (np.arange(n) // 16).astype(str)
    return ArrayDataset(x[:, None, :], labels, patients)


class TinyNet(nn.Module):
    """No batch norm or dropout, so single- and multi-process runs compare to rounding."""

    num_classes = 3

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 8, 7, padding=3)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(torch.relu(self.conv(x)).mean(dim=-1))
