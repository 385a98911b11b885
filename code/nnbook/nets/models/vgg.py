"""VGG networks (Simonyan & Zisserman 2015): stacks of 3x3 convolutions between 2x2 max pools.

Configurations follow Table 1 of the paper: ``"A"`` (VGG-11), ``"B"`` (VGG-13), ``"C"`` (16
weight layers, three of them 1x1), ``"D"`` (VGG-16, all 3x3), ``"E"`` (VGG-19). Numbers are
output channels of a 3x3 convolution, ``"1x1:n"`` a 1x1 convolution, ``"M"`` a max pool. The
head is torchvision's: a 7x7 adaptive average pool and three dense layers with dropout, so
``VGG("D")`` has 138,357,544 parameters for 1000 classes.

The idea: two stacked 3x3 convolutions see a 5x5 window, three see 7x7, with fewer weights
(:math:`2 \\cdot 9 C^2 < 25 C^2`, :math:`3 \\cdot 9 C^2 < 49 C^2`) and more nonlinearities.

Book section: ``book/ch5-cnn/04-architectures.ipynb``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_bool, check_images, check_int, check_number, check_option

__all__ = ["CONFIGS", "VGG", "vgg16"]

CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [64, 64, "M", 128, 128, "M", 256, 256, "1x1:256", "M", 512, 512, "1x1:512", "M",
          512, 512, "1x1:512", "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """A VGG network for 3-channel images.

    Parameters
    ----------
    config : {"A", "B", "C", "D", "E"}
    n_classes : int, default 1000
    batch_norm : bool, default False
        BatchNorm after every convolution (the later "vgg16_bn"; not in the paper).
    dropout : float, default 0.5

    Input (N, 3, H, W) with H, W >= 32; output logits (N, n_classes).
    """

    def __init__(self, config: str = "D", n_classes: int = 1000, batch_norm: bool = False, dropout: float = 0.5):
        super().__init__()
        check_option("config", config, sorted(CONFIGS))
        n_classes = check_int("n_classes", n_classes, low=1)
        batch_norm = check_bool("batch_norm", batch_norm)
        dropout = check_number("dropout", dropout, low=0.0, high=1.0)
        layers, channels = [], 3
        for item in CONFIGS[config]:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
                continue
            kernel, out = (1, int(item[4:])) if isinstance(item, str) else (3, item)
            layers.append(nn.Conv2d(channels, out, kernel, padding=kernel // 2))
            if batch_norm:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.ReLU(inplace=True))
            channels = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(4096, n_classes),
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        check_images("X", X, channels=3)
        return self.classifier(torch.flatten(self.pool(self.features(X)), 1))


def vgg16(n_classes: int = 1000, batch_norm: bool = False) -> VGG:
    """VGG-16 (configuration D)."""
    return VGG("D", n_classes=n_classes, batch_norm=batch_norm)
