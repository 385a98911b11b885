"""Parameters, multiply-accumulates and depth of a model, from one forward pass on the meta device.

A multiply-accumulate (MAC) is one :math:`a \\leftarrow a + w x`. For the layers that dominate,
per example (g: groups):

.. math::

    \\mathrm{MACs}_{\\mathrm{conv}} = H_o W_o \\cdot C_o \\cdot \\frac{C_i}{g} k_h k_w, \\qquad
    \\mathrm{MACs}_{\\mathrm{linear}} = n_{in}\\, n_{out}.

Biases, BatchNorm, activations and pooling are not counted. Papers often call MACs "FLOPs";
one MAC is two floating-point operations.

*Depth* is the number of weight layers (Conv2d, Linear, LocallyConnected2d) on the longest path from input to
output -- the number in "VGG-16", "ResNet-50" or GoogLeNet's "22 layers". It is traced through
every tensor operation (concatenations of Inception branches, residual additions), not by
counting modules: ResNet-18 has 21 Conv2d/Linear modules (three are projection shortcuts) but
depth 18.

Nothing is computed on real numbers: the model is copied to the ``meta`` device, which
records shapes only, so VGG-16 at 224x224 costs milliseconds.

Book section: ``book/ch5-cnn/04-architectures.ipynb``.
"""
from __future__ import annotations

import copy
from typing import NamedTuple

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from nnbook._validation import check_bool, check_int
from nnbook.nets.models.locally_connected import LocallyConnected2d

__all__ = ["count_parameters", "Profile", "profile"]

_WEIGHT_LAYERS = (nn.Conv2d, nn.Linear, LocallyConnected2d)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (works on meta-device models too)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    trainable_only = check_bool("trainable_only", trainable_only)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


class Profile(NamedTuple):
    """What :func:`profile` measures: parameters, MACs per example, depth in weight layers."""

    parameters: int
    macs: int
    depth: int


def _tensors(obj):
    """Every tensor inside nested tuples, lists and dicts."""
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from _tensors(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _tensors(item)


class _LongestPath(TorchFunctionMode):
    """Tags every tensor that an operation returns with the largest tag among its inputs."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        tags = [getattr(t, "_nnbook_depth", 0) for t in _tensors((args, kwargs or {}))]
        for t in _tensors(out):
            t._nnbook_depth = max(tags, default=0)
        return out


def profile(model: nn.Module, input_size) -> Profile:
    """Parameters, multiply-accumulates and depth for one example of shape ``input_size``.

    Parameters
    ----------
    model : nn.Module
        On any device; a meta-device copy is traced (the model itself is untouched).
    input_size : tuple of int
        Shape of one example without the batch axis, e.g. (3, 224, 224).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if isinstance(input_size, (str, bytes)) or not hasattr(input_size, "__len__") or len(input_size) == 0:
        raise ValueError(f"input_size must be a tuple of positive ints, got {input_size!r}")
    input_size = tuple(check_int(f"input_size[{i}]", n, low=1) for i, n in enumerate(input_size))
    on_meta = all(p.device.type == "meta" for p in model.parameters())
    meta = model if on_meta else copy.deepcopy(model).to("meta")
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            macs += output[0].numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, LocallyConnected2d):  # the same count as the convolution of its shape
            macs += output[0].numel() * module.in_channels * module.kernel_size ** 2
        else:
            macs += module.in_features * module.out_features
        output._nnbook_depth = max(getattr(t, "_nnbook_depth", 0) for t in inputs if isinstance(t, torch.Tensor)) + 1

    handles = [m.register_forward_hook(hook) for m in meta.modules() if isinstance(m, _WEIGHT_LAYERS)]
    was_training = meta.training
    meta.eval()
    try:
        X = torch.empty((1, *input_size), device="meta")
        X._nnbook_depth = 0
        with torch.no_grad(), _LongestPath():
            out = meta(X)
    finally:
        for h in handles:
            h.remove()
        meta.train(was_training)
    return Profile(count_parameters(model), macs, getattr(out, "_nnbook_depth", 0))
