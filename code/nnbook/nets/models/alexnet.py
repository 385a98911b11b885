"""AlexNet (Krizhevsky, Sutskever & Hinton 2012): five convolutions, three dense layers.

Two variants:

* ``variant="torchvision"`` -- the single-tower network of torchvision's ``alexnet`` (64, 192,
  384, 256, 256 channels; Krizhevsky 2014, "One weird trick"), 61,100,840 parameters for 1000
  classes. An adaptive average pool makes it accept 224x224 inputs.
* ``variant="original"`` -- the 2012 two-GPU network (96, 256, 384, 384, 256 channels; conv2,
  conv4 and conv5 see only the maps on their own GPU, i.e. ``groups=2``), 60,965,224
  parameters. Its arithmetic needs 227x227 inputs: (227 - 11) / 4 + 1 = 55.

What AlexNet introduced: ReLU instead of tanh, dropout in the dense layers, data
augmentation (crops, flips, colour jitter), overlapping max pooling (3x3 windows, stride 2),
training on GPUs. Local response normalisation (``nn.LocalResponseNorm``) has no parameters.

Book section: ``book/ch5-cnn/04-architectures.ipynb``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_images, check_int, check_number, check_option

__all__ = ["AlexNet"]


class AlexNet(nn.Module):
    """AlexNet for 3-channel images.

    Parameters
    ----------
    n_classes : int, default 1000
    variant : {"torchvision", "original"}
    dropout : float, default 0.5

    Input (N, 3, 224, 224) for "torchvision" (any size >= 63 works), (N, 3, 227, 227) for
    "original"; output logits (N, n_classes).
    """

    def __init__(self, n_classes: int = 1000, variant: str = "torchvision", dropout: float = 0.5):
        super().__init__()
        n_classes = check_int("n_classes", n_classes, low=1)
        check_option("variant", variant, ("torchvision", "original"))
        dropout = check_number("dropout", dropout, low=0.0, high=1.0)
        if variant == "torchvision":
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
                nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
                nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            )
            self.pool = nn.AdaptiveAvgPool2d((6, 6))
        elif variant == "original":
            lrn = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)
            self.features = nn.Sequential(
                nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(inplace=True), nn.LocalResponseNorm(**lrn), nn.MaxPool2d(3, 2),
                nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(inplace=True), nn.LocalResponseNorm(**lrn),
                nn.MaxPool2d(3, 2),
                nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(inplace=True),
                nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            )
            self.pool = nn.Identity()
        else:
            raise ValueError(f"variant must be 'torchvision' or 'original', got {variant!r}")
        self.variant = variant
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, n_classes),
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        check_images("X", X, channels=3)
        return self.classifier(torch.flatten(self.pool(self.features(X)), 1))
