"""Torch networks built from the book's vocabulary: one registry of activations, one of initialisers.

* :data:`ACTIVATIONS` -- torch modules keyed by the names of :mod:`nnbook.nn.activations`;
* :func:`deep_mlp` -- ``depth`` Linear+activation layers with a chosen initialiser (chapters 2 and 4);
* :func:`norm_mlp` -- Linear, normalisation, activation blocks (chapter 4, batch and layer norm);
* :class:`NoisyBatchNorm1d` -- batch norm plus a random time-varying scale and shift (Santurkar et al., 2018).

Book sections: ``book/ch2-activations/`` and ``book/ch4-training/``.
"""
from __future__ import annotations

import math

import torch
from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "prelu": nn.PReLU,  # one learned slope per layer, initialised to 0.25
    "rrelu": nn.RReLU,  # slopes U(1/8, 1/3) in training mode, their mean in evaluation mode
    "softplus": nn.Softplus,
    "silu": nn.SiLU,
}

INITIALISERS = ("default", "normal", "xavier", "he", "lecun", "zeros")


def _init_linear(layer: nn.Linear, init: str, std: float) -> None:
    fan_in, fan_out = layer.in_features, layer.out_features
    with torch.no_grad():
        if init == "default":
            return  # torch's own: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and bias
        if init == "zeros":
            layer.weight.zero_()
        elif init == "normal":
            layer.weight.normal_(0.0, std)
        elif init == "xavier":  # Glorot & Bengio (2010): Var = 2 / (fan_in + fan_out)
            layer.weight.normal_(0.0, math.sqrt(2.0 / (fan_in + fan_out)))
        elif init == "he":  # He et al. (2015): Var = 2 / fan_in
            layer.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
        elif init == "lecun":  # LeCun et al. (1998): Var = 1 / fan_in
            layer.weight.normal_(0.0, math.sqrt(1.0 / fan_in))
        layer.bias.zero_()


def deep_mlp(depth: int, width: int, in_features: int, out_features: int,
             activation: str = "relu", init: str = "default", std: float = 0.01) -> nn.Sequential:
    """A multilayer perceptron with ``depth`` hidden layers of ``width`` units.

    Layout: ``[Linear(in, width), act] + (depth - 1) * [Linear(width, width), act] +
    [Linear(width, out)]``. The hidden Linear layers can be found with
    ``[m for m in model if isinstance(m, nn.Linear)]``.

    Parameters
    ----------
    depth : int
        Number of hidden layers (>= 1).
    width, in_features, out_features : int
        Layer sizes.
    activation : str
        One of ``ACTIVATIONS``.
    init : str
        Weight initialiser of every Linear layer, one of ``INITIALISERS``: ``"default"`` keeps
        torch's; ``"normal"`` draws N(0, std^2); ``"xavier"`` N(0, 2/(fan_in+fan_out));
        ``"he"`` N(0, 2/fan_in); ``"lecun"`` N(0, 1/fan_in); ``"zeros"`` sets them to 0.
        Biases are zero for every initialiser except ``"default"``.
    std : float
        Standard deviation for ``init="normal"``.
    """
    for name, value in (("depth", depth), ("width", width), ("in_features", in_features), ("out_features", out_features)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if init not in INITIALISERS:
        raise ValueError(f"init must be one of {INITIALISERS}, got {init!r}")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}")
    layers: list[nn.Module] = []
    sizes = [in_features] + [width] * depth
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        linear = nn.Linear(fan_in, fan_out)
        _init_linear(linear, init, std)
        layers += [linear, ACTIVATIONS[activation]()]
    head = nn.Linear(width, out_features)
    _init_linear(head, init, std)
    layers.append(head)
    return nn.Sequential(*layers)


class NoisyBatchNorm1d(nn.BatchNorm1d):
    r"""Batch norm followed by a random, time-varying scale and shift of every unit.

    In training mode each forward pass draws, per unit, a scale :math:`s \sim U(1-\nu/2,
    1+\nu)` and a shift :math:`t \sim \mathcal N(0, \nu^2)` and returns :math:`s\,y + t`: the
    distribution of the next layer's input changes at every step, more than it would
    without batch norm. This is the experiment of Santurkar et al. (2018) that separates batch
    norm's benefit from "internal covariate shift". Evaluation mode adds no noise.
    """

    def __init__(self, num_features: int, noise: float = 1.0):
        super().__init__(num_features)
        self.noise = float(noise)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = super().forward(x)
        if not self.training or self.noise == 0:
            return y
        nu = self.noise
        scale = 1.0 + nu * (1.5 * torch.rand(y.shape[1]) - 0.5)
        shift = nu * torch.randn(y.shape[1])
        return y * scale + shift


def _norm_layer(norm: str | None, width: int, noise: float) -> nn.Module:
    layers = {None: nn.Identity, "batch": lambda: nn.BatchNorm1d(width), "layer": lambda: nn.LayerNorm(width),
              "noisy_batch": lambda: NoisyBatchNorm1d(width, noise=noise)}
    if norm not in layers:
        raise ValueError(f"norm must be None, 'batch', 'layer' or 'noisy_batch', got {norm!r}")
    return layers[norm]()


def norm_mlp(depth: int, width: int, in_features: int, out_features: int, norm: str | None = None,
             activation: str = "relu", noise: float = 1.0) -> nn.Sequential:
    """A torch MLP ``[Linear, norm, activation] * depth + [Linear]``, hidden weights He-initialised.

    ``norm`` is None (no normalisation), ``"batch"`` (``nn.BatchNorm1d``), ``"layer"``
    (``nn.LayerNorm``) or ``"noisy_batch"`` (:class:`NoisyBatchNorm1d` with ``noise``).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive int, got {depth!r}")
    layers: list[nn.Module] = []
    for fan_in in [in_features] + [width] * (depth - 1):
        linear = nn.Linear(fan_in, width)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, _norm_layer(norm, width, noise), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)
