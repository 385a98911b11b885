"""Inception modules and GoogLeNet (Szegedy et al. 2015), and the factorisations of v2/v3.

An Inception module runs four branches in parallel on the same input and concatenates their
channels: a 1x1 convolution; a 1x1 "reduction" then a 3x3; a 1x1 reduction then a 5x5; a 3x3
max pool then a 1x1 "pool projection". The 1x1 reductions are what make it cheap: a 5x5
convolution from 192 to 32 channels costs 25*192*32 weights, but reducing to 16 channels first
costs 192*16 + 25*16*32.

``factorise`` gives the modules of "Rethinking the Inception architecture" (Szegedy et al. 2016,
the paper of Inception v2 and v3):

* ``"3x3"``: the 5x5 convolution becomes two 3x3 ones (Figure 5): same receptive field,
  18/25 of the weights;
* ``"asymmetric"``: in addition every 3x3 becomes a 1x3 followed by a 3x1 (Figure 6 with
  n = 3): 6/9 of the weights.

:class:`GoogLeNet` follows Table 1 of the 2015 paper (without the two auxiliary classifiers
and without local response normalisation, which has no parameters): 22 layers with weights,
global average pooling and one dense layer at the end.

Book section: ``book/ch5-cnn/04-architectures.ipynb``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_images, check_int, check_number, check_option, check_tensor

__all__ = ["InceptionModule", "GoogLeNet", "GOOGLENET_MODULES"]


def _conv(in_channels: int, out_channels: int, kernel, padding) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel, padding=padding), nn.ReLU(inplace=True))


def _square(in_channels: int, out_channels: int, k: int, asymmetric: bool) -> nn.Sequential:
    """A k x k convolution, or a 1 x k followed by a k x 1 (both with ReLU)."""
    if not asymmetric:
        return _conv(in_channels, out_channels, k, k // 2)
    return nn.Sequential(_conv(in_channels, out_channels, (1, k), (0, k // 2)),
                         _conv(out_channels, out_channels, (k, 1), (k // 2, 0)))


class InceptionModule(nn.Module):
    """Four parallel branches, concatenated along the channels.

    Parameters
    ----------
    in_channels : int
    c1 : int
        Output channels of the 1x1 branch.
    c3_reduce, c3 : int
        1x1 reduction and 3x3 output channels of the second branch.
    c5_reduce, c5 : int
        1x1 reduction and 5x5 output channels of the third branch.
    pool_proj : int
        1x1 projection after the 3x3 max pool.
    factorise : {"none", "3x3", "asymmetric"}, default "none"

    Input (N, in_channels, H, W); output (N, c1 + c3 + c5 + pool_proj, H, W).
    """

    def __init__(self, in_channels: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int,
                 pool_proj: int, factorise: str = "none"):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("c1", c1), ("c3_reduce", c3_reduce), ("c3", c3),
                            ("c5_reduce", c5_reduce), ("c5", c5), ("pool_proj", pool_proj)):
            check_int(name, value, low=1)
        check_option("factorise", factorise, ("none", "3x3", "asymmetric"))
        self.in_channels = in_channels
        asym = factorise == "asymmetric"
        self.branch1 = _conv(in_channels, c1, 1, 0)
        self.branch3 = nn.Sequential(_conv(in_channels, c3_reduce, 1, 0), _square(c3_reduce, c3, 3, asym))
        if factorise == "none":
            wide = _conv(c5_reduce, c5, 5, 2)
        else:
            wide = nn.Sequential(_square(c5_reduce, c5, 3, asym), _square(c5, c5, 3, asym))
        self.branch5 = nn.Sequential(_conv(in_channels, c5_reduce, 1, 0), wide)
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), _conv(in_channels, pool_proj, 1, 0))
        self.out_channels = c1 + c3 + c5 + pool_proj

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        check_tensor("X", X, ndim=4, finite=False)
        if X.shape[1] != self.in_channels:
            raise ValueError(f"X must have {self.in_channels} channels (in_channels), got shape {tuple(X.shape)}")
        return torch.cat([self.branch1(X), self.branch3(X), self.branch5(X), self.branch_pool(X)], dim=1)


#: Table 1 of Szegedy et al. (2015): (name, c1, c3_reduce, c3, c5_reduce, c5, pool_proj).
GOOGLENET_MODULES = (
    ("3a", 64, 96, 128, 16, 32, 32), ("3b", 128, 128, 192, 32, 96, 64), "M",
    ("4a", 192, 96, 208, 16, 48, 64), ("4b", 160, 112, 224, 24, 64, 64), ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64), ("4e", 256, 160, 320, 32, 128, 128), "M",
    ("5a", 256, 160, 320, 32, 128, 128), ("5b", 384, 192, 384, 48, 128, 128),
)


class GoogLeNet(nn.Module):
    """GoogLeNet (Inception v1) for 3x224x224 images, without auxiliary classifiers.

    Parameters
    ----------
    n_classes : int, default 1000
    dropout : float, default 0.4
    factorise : {"none", "3x3", "asymmetric"}, default "none"
        Passed to every :class:`InceptionModule`.
    """

    def __init__(self, n_classes: int = 1000, dropout: float = 0.4, factorise: str = "none"):
        super().__init__()
        n_classes = check_int("n_classes", n_classes, low=1)
        dropout = check_number("dropout", dropout, low=0.0, high=1.0)
        check_option("factorise", factorise, ("none", "3x3", "asymmetric"))
        layers = [
            nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, padding=1),
            _conv(64, 64, 1, 0), _conv(64, 192, 3, 1), nn.MaxPool2d(3, 2, padding=1),
        ]
        channels = 192
        for spec in GOOGLENET_MODULES:
            if spec == "M":
                layers.append(nn.MaxPool2d(3, 2, padding=1))
                continue
            module = InceptionModule(channels, *spec[1:], factorise=factorise)
            layers.append(module)
            channels = module.out_channels
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)  # global average pooling replaces the big dense layers
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels, n_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        check_images("X", X, channels=3)
        return self.fc(self.dropout(torch.flatten(self.pool(self.features(X)), 1)))
