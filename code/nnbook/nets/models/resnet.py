"""Residual networks: ResNet-18/34/50 (He et al. 2016) and the pre-activation block (He et al. 2016b).

A residual block computes :math:`H(x) = F(x) + x`: its layers learn the residual
:math:`F = H - x`, and the identity shortcut carries both the signal forward and the gradient
back, :math:`\\partial H / \\partial x = \\partial F / \\partial x + I`.

* v1 ("original", He et al. 2016): ``x -> conv-BN-ReLU-conv-BN -> (+ shortcut(x)) -> ReLU``.
  The ReLU after the addition sits on the shortcut path, which is therefore not a pure identity.
* v2 ("pre-activation", He et al. 2016b, "Identity mappings in deep residual networks"):
  ``x -> BN-ReLU-conv-BN-ReLU-conv -> (+ x)``; nothing follows the addition, so
  :math:`x_L = x_l + \\sum_{i=l}^{L-1} F_i(x_i)` holds between any two blocks.

When a stage halves the resolution and changes the width, the shortcut is a strided 1x1
convolution with BatchNorm (the paper's "option B", and torchvision's). ResNet-50 uses the
bottleneck block 1x1 (reduce) - 3x3 - 1x1 (expand 4x); like torchvision ("ResNet v1.5") the
stride sits on the 3x3 convolution unless ``stride_in_1x1=True`` (the 2016 paper): same
parameters, different cost.

:func:`block_mlp` builds the fully connected plain/residual networks of the degradation
experiment.

Book sections: ``book/ch5-cnn/04-architectures.ipynb`` and ``book/ch5-cnn/07-resnet.ipynb``.
"""
from __future__ import annotations

import torch
from torch import nn

from nnbook._validation import check_bool, check_int, check_option, check_tensor

__all__ = ["BasicBlock", "Bottleneck", "PreActBlock", "ResNet", "resnet18", "resnet34", "resnet50",
           "preact_resnet18", "MLPBlock", "block_mlp"]


def _check_block(in_channels, channels, stride) -> None:
    check_int("in_channels", in_channels, low=1)
    check_int("channels", channels, low=1)
    check_int("stride", stride, low=1)


def _check_images(X, channels: int, name: str = "X") -> None:
    check_tensor(name, X, ndim=4, finite=False)
    if X.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channels (in_channels), got shape {tuple(X.shape)}")


def _conv_bn(in_channels: int, out_channels: int, kernel: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, out_channels, kernel, stride, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(out_channels)]


def _projection(in_channels: int, out_channels: int, stride: int, bn: bool = True) -> nn.Module:
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    layers = _conv_bn(in_channels, out_channels, 1, stride)
    return nn.Sequential(*(layers if bn else layers[:1]))


class BasicBlock(nn.Module):
    """v1 basic block: two 3x3 convolutions, identity (or projection) shortcut, ReLU after the sum."""

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1):
        super().__init__()
        _check_block(in_channels, channels, stride)
        self.in_channels = in_channels
        self.residual = nn.Sequential(*_conv_bn(in_channels, channels, 3, stride), nn.ReLU(inplace=True),
                                      *_conv_bn(channels, channels, 3))
        self.shortcut = _projection(in_channels, channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, self.in_channels, "x")
        return torch.relu(self.residual(x) + self.shortcut(x))


class Bottleneck(nn.Module):
    """v1 bottleneck block: 1x1 reduce, 3x3, 1x1 expand to ``4 * channels``."""

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1, stride_in_1x1: bool = False):
        super().__init__()
        _check_block(in_channels, channels, stride)
        self.in_channels = in_channels
        stride_in_1x1 = check_bool("stride_in_1x1", stride_in_1x1)
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        out = channels * self.expansion
        self.residual = nn.Sequential(
            *_conv_bn(in_channels, channels, 1, s1), nn.ReLU(inplace=True),
            *_conv_bn(channels, channels, 3, s3), nn.ReLU(inplace=True),
            *_conv_bn(channels, out, 1))
        self.shortcut = _projection(in_channels, out, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, self.in_channels, "x")
        return torch.relu(self.residual(x) + self.shortcut(x))


class PreActBlock(nn.Module):
    """v2 (pre-activation) basic block: BN-ReLU-conv-BN-ReLU-conv, then ``+ x``; nothing after the sum.

    A projection shortcut (when the shape changes) is applied to the pre-activated input, as in
    the authors' code.
    """

    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1):
        super().__init__()
        _check_block(in_channels, channels, stride)
        self.in_channels = in_channels
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.shortcut = _projection(in_channels, channels, stride, bn=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, self.in_channels, "x")
        a = torch.relu(self.bn1(x))
        shortcut = x if isinstance(self.shortcut, nn.Identity) else self.shortcut(a)
        return self.conv2(torch.relu(self.bn2(self.conv1(a)))) + shortcut


_BLOCKS = {"basic": BasicBlock, "bottleneck": Bottleneck, "preact": PreActBlock}


class ResNet(nn.Module):
    """A ResNet for 224x224 ImageNet-style inputs (or small images with ``small_input=True``).

    Parameters
    ----------
    block : {"basic", "bottleneck", "preact"}
    layers : sequence of 4 ints
        Blocks per stage; stages have 64, 128, 256, 512 (times ``width / 64``) channels.
    n_classes : int, default 1000
    in_channels : int, default 3
    width : int, default 64
    small_input : bool, default False
        3x3 stem without max pool (for 32x32 images) instead of the 7x7/2 convolution and 3x3/2 pool.
    stride_in_1x1 : bool, default False
        Bottleneck only: put the stride on the first 1x1 convolution (the 2016 paper).

    Input (N, in_channels, H, W); output logits (N, n_classes).
    """

    def __init__(self, block: str, layers, n_classes: int = 1000, in_channels: int = 3, width: int = 64,
                 small_input: bool = False, stride_in_1x1: bool = False):
        super().__init__()
        check_option("block", block, sorted(_BLOCKS))
        if isinstance(layers, (str, bytes)) or not hasattr(layers, "__len__") or len(layers) != 4:
            raise ValueError(f"layers must be four positive ints, got {layers!r}")
        layers = tuple(check_int(f"layers[{i}]", n, low=1) for i, n in enumerate(layers))
        n_classes = check_int("n_classes", n_classes, low=1)
        self.in_channels = check_int("in_channels", in_channels, low=1)
        width = check_int("width", width, low=1)
        small_input = check_bool("small_input", small_input)
        stride_in_1x1 = check_bool("stride_in_1x1", stride_in_1x1)
        Block = _BLOCKS[block]
        preact = block == "preact"
        if small_input:
            stem = [nn.Conv2d(in_channels, width, 3, padding=1, bias=False)]
        else:
            stem = [nn.Conv2d(in_channels, width, 7, 2, padding=3, bias=False)]
        if not preact:
            stem += [nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        if not small_input:
            stem.append(nn.MaxPool2d(3, 2, padding=1))
        modules, channels = stem, width
        for stage, n_blocks in enumerate(layers):
            for i in range(n_blocks):
                stride = 2 if stage > 0 and i == 0 else 1
                extra = {"stride_in_1x1": stride_in_1x1} if block == "bottleneck" else {}
                modules.append(Block(channels, width * 2 ** stage, stride, **extra))
                channels = width * 2 ** stage * Block.expansion
        if preact:  # v2 ends with the BN-ReLU that the last block did not apply
            modules += [nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*modules)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, n_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        _check_images(X, self.in_channels)
        return self.fc(torch.flatten(self.pool(self.features(X)), 1))


def resnet18(n_classes: int = 1000) -> ResNet:
    """ResNet-18: basic blocks (2, 2, 2, 2); 11,689,512 parameters for 1000 classes."""
    return ResNet("basic", (2, 2, 2, 2), n_classes)


def resnet34(n_classes: int = 1000) -> ResNet:
    """ResNet-34: basic blocks (3, 4, 6, 3); 21,797,672 parameters for 1000 classes."""
    return ResNet("basic", (3, 4, 6, 3), n_classes)


def resnet50(n_classes: int = 1000, stride_in_1x1: bool = False) -> ResNet:
    """ResNet-50: bottleneck blocks (3, 4, 6, 3); 25,557,032 parameters for 1000 classes."""
    return ResNet("bottleneck", (3, 4, 6, 3), n_classes, stride_in_1x1=stride_in_1x1)


def preact_resnet18(n_classes: int = 1000) -> ResNet:
    """ResNet-18 with pre-activation (v2) blocks."""
    return ResNet("preact", (2, 2, 2, 2), n_classes)


class MLPBlock(nn.Module):
    """Two Linear layers with BatchNorm, fully connected, in the three arrangements we compare.

    * ``shortcut=False``: plain, ``x -> Linear-BN-ReLU-Linear-BN-ReLU``;
    * ``shortcut=True, preactivation=False``: v1, ``x -> ReLU(BN(Linear(ReLU(BN(Linear x)))) + x)``;
    * ``shortcut=True, preactivation=True``: v2, ``x -> x + Linear(ReLU(BN(Linear(ReLU(BN x)))))``.

    ``zero_init=True`` starts the last BN scale of a v1 residual branch at 0, so that the
    block starts as the identity (Goyal et al. 2017).
    """

    def __init__(self, width: int, shortcut: bool = True, preactivation: bool = False, zero_init: bool = False):
        super().__init__()
        check_int("width", width, low=1)
        for name, value in (("shortcut", shortcut), ("preactivation", preactivation), ("zero_init", zero_init)):
            check_bool(name, value)
        self.shortcut, self.preactivation = shortcut, preactivation
        self.linear1 = nn.Linear(width, width, bias=False)
        self.linear2 = nn.Linear(width, width, bias=False)
        self.bn1, self.bn2 = nn.BatchNorm1d(width), nn.BatchNorm1d(width)
        if zero_init and shortcut and not preactivation:
            nn.init.zeros_(self.bn2.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.preactivation:
            h = self.linear2(torch.relu(self.bn2(self.linear1(torch.relu(self.bn1(x))))))
            return x + h if self.shortcut else h
        h = self.bn2(self.linear2(torch.relu(self.bn1(self.linear1(x)))))
        return torch.relu(h + x if self.shortcut else h)


def block_mlp(n_blocks: int, width: int, in_features: int, n_classes: int, shortcut: bool = True,
              preactivation: bool = False, zero_init: bool = False) -> nn.Sequential:
    """``Linear-BN-ReLU``, then ``n_blocks`` :class:`MLPBlock`, then a Linear classifier.

    The network has ``2 * n_blocks + 2`` Linear layers; plain and residual versions of the
    same ``n_blocks`` have exactly the same parameters. Pre-activation networks get a final
    BN-ReLU before the classifier.
    """
    n_blocks = check_int("n_blocks", n_blocks, low=0)
    for name, value in (("width", width), ("in_features", in_features), ("n_classes", n_classes)):
        check_int(name, value, low=1)
    for name, value in (("shortcut", shortcut), ("preactivation", preactivation), ("zero_init", zero_init)):
        check_bool(name, value)
    layers: list[nn.Module] = [nn.Linear(in_features, width, bias=False), nn.BatchNorm1d(width), nn.ReLU()]
    layers += [MLPBlock(width, shortcut, preactivation, zero_init) for _ in range(n_blocks)]
    if preactivation:
        layers += [nn.BatchNorm1d(width), nn.ReLU()]
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)
