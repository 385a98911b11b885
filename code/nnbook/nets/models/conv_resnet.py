"""Small plain and residual convolutional networks, for the degradation experiment on 8x8 digits.

A *unit* holds two 3x3 convolutions of ``channels`` channels (stride 1, padding 1, no bias) and
two batch normalisations; with the shortcut it computes

* v1 (He et al. 2016, "Deep residual learning"):
  :math:`x_{l+1} = \\mathrm{ReLU}\\big(x_l + \\mathrm{BN}(W_2 * \\mathrm{ReLU}(\\mathrm{BN}(W_1 * x_l)))\\big)`,
  i.e. ``conv-BN-ReLU-conv-BN``, add, ReLU;
* v2 (He et al. 2016b, "Identity mappings in deep residual networks"):
  :math:`x_{l+1} = x_l + W_2 * \\mathrm{ReLU}(\\mathrm{BN}(W_1 * \\mathrm{ReLU}(\\mathrm{BN}(x_l))))`,
  i.e. ``BN-ReLU-conv-BN-ReLU-conv``, add, nothing after the sum.

Without the shortcut (``shortcut=False``) the same layers are applied in the same order and the
addition is skipped, so a plain network and its residual twin have exactly the same
parameters. :func:`conv_resnet` stacks ``n_units`` units between a 3x3 stem convolution and a
global-average-pool + linear classifier; it has :math:`1 + 2 n` convolution layers and

.. math:: 9 C w + 2 w + n (18 w^2 + 4 w) + (w + 1) K

parameters (``C`` input channels, width ``w``, ``K`` classes), for either version: v1 puts a
BN after the stem, v2 one before the pooling.

The ImageNet-sized blocks with projection shortcuts are in :mod:`nnbook.nets.models.resnet`.

Book section: ``book/ch5-cnn/09-conv-resnet.ipynb``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_bool, check_images, check_int, check_option

__all__ = ["VERSIONS", "ConvUnit", "conv_resnet", "conv_resnet_parameters"]

#: The two orders of the layers in a unit.
VERSIONS = ("v1", "v2")


def _conv(channels: int) -> nn.Conv2d:
    return nn.Conv2d(channels, channels, 3, padding=1, bias=False)


class ConvUnit(nn.Module):
    """Two 3x3 convolutions with batch normalisation, with or without the identity shortcut.

    Parameters
    ----------
    channels : int
        Input and output channels (>= 1); the shortcut is the identity.
    version : {"v1", "v2"}, default "v1"
        Order of the layers (see the module docstring).
    shortcut : bool, default True
        Add the unit's input to its branch; ``False`` gives the plain unit with the same layers.

    Attributes
    ----------
    branch : nn.Sequential
        The layers before the addition, in order.
    after : nn.Sequential
        The layers after the addition (``ReLU`` for v1, empty for v2).

    Input and output (N, channels, H, W).
    """

    def __init__(self, channels: int, version: str = "v1", shortcut: bool = True):
        super().__init__()
        self.channels = check_int("channels", channels, low=1)
        self.version = check_option("version", version, VERSIONS)
        self.shortcut = check_bool("shortcut", shortcut)
        bn = lambda: nn.BatchNorm2d(channels)  # noqa: E731
        if version == "v1":
            self.branch = nn.Sequential(_conv(channels), bn(), nn.ReLU(), _conv(channels), bn())
            self.after = nn.Sequential(nn.ReLU())
        else:
            self.branch = nn.Sequential(bn(), nn.ReLU(), _conv(channels), bn(), nn.ReLU(), _conv(channels))
            self.after = nn.Sequential()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images("x", x, self.channels)
        h = self.branch(x)
        return self.after(h + x if self.shortcut else h)


def conv_resnet(n_units: int, width: int = 8, in_channels: int = 1, n_classes: int = 10,
                shortcut: bool = True, version: str = "v1") -> nn.Sequential:
    """A stem convolution, ``n_units`` :class:`ConvUnit`, global average pooling and a linear layer.

    v1: ``conv-BN-ReLU``, units, pool, linear. v2: ``conv``, units, ``BN-ReLU`` (the activation
    the last unit did not apply), pool, linear. The network has ``1 + 2 * n_units`` convolution
    layers and :func:`conv_resnet_parameters` parameters; input (N, in_channels, H, W), output
    logits (N, n_classes).
    """
    n_units = check_int("n_units", n_units, low=0)
    for name, value in (("width", width), ("in_channels", in_channels), ("n_classes", n_classes)):
        check_int(name, value, low=1)
    version = check_option("version", version, VERSIONS)
    shortcut = check_bool("shortcut", shortcut)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, padding=1, bias=False)]
    if version == "v1":
        layers += [nn.BatchNorm2d(width), nn.ReLU()]
    layers += [ConvUnit(width, version, shortcut) for _ in range(n_units)]
    if version == "v2":
        layers += [nn.BatchNorm2d(width), nn.ReLU()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, n_classes)]
    return nn.Sequential(*layers)


def conv_resnet_parameters(n_units: int, width: int = 8, in_channels: int = 1, n_classes: int = 10) -> int:
    """Closed-form parameter count of :func:`conv_resnet`: :math:`9Cw + 2w + n(18w^2 + 4w) + (w + 1)K`.

    The same for v1 and v2, with or without shortcuts (the shortcut has no parameters).
    """
    n, w = check_int("n_units", n_units, low=0), check_int("width", width, low=1)
    C, K = check_int("in_channels", in_channels, low=1), check_int("n_classes", n_classes, low=1)
    return 9 * C * w + 2 * w + n * (18 * w * w + 4 * w) + (w + 1) * K
