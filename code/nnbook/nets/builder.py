r"""Torch networks built from the book's vocabulary: one layer assembly, one activation lookup, one initialiser table.

* :data:`TORCH_ACTIVATIONS` -- ``torch.nn`` modules keyed by the names of
  :data:`nnbook.nn.activations.ACTIVATIONS` (every elementwise entry; ``maxout`` changes the width of
  a layer and has no module here); :func:`torch_activation` looks one up, aliases included;
* :data:`TORCH_INITIALISERS` -- weight initialisers keyed by the names of :data:`nnbook.nn.init.INITIALISERS`,
  plus ``"normal"`` and ``"zeros"``; :data:`INIT_ALIASES` maps the short names the notebooks use
  (``"default"``, ``"lecun"``, ``"xavier"``, ``"he"``) to them;
* :func:`build_mlp` -- the one assembly ``[Linear, norm?, activation, dropout?] * (L-1) + [Linear, output?]``;
* :func:`deep_mlp` (chapters 2 and 4) and :func:`norm_mlp` (chapter 4, batch and layer norm) --
  one-line conveniences over :func:`build_mlp`;
* :func:`to_torch` -- a torch copy of a NumPy :class:`nnbook.nn.mlp.MLP` with its weights (chapter 3);
* :class:`NoisyBatchNorm1d` -- batch norm plus a random time-varying scale and shift (Santurkar et al., 2018).

Every network is built layer by layer in the same order, so under the same ``torch.manual_seed``
the same call draws the same parameters.

Book sections: ``book/ch2-activations/``, ``book/ch3-backprop/06-whole-loop.ipynb`` and ``book/ch4-training/``.
"""
from __future__ import annotations

import math
from types import MappingProxyType

import torch
from torch import nn

from nnbook._validation import check_int, check_number, check_option, check_tensor
from nnbook.base import NotFittedError
from nnbook.nn import activations as np_activations
from nnbook.nn import init as np_init
from nnbook.nn import mlp as np_mlp

__all__ = ["TORCH_ACTIVATIONS", "TORCH_INITIALISERS", "INIT_ALIASES", "NORMS", "torch_activation", "build_mlp",
           "deep_mlp", "norm_mlp", "to_torch", "NoisyBatchNorm1d"]

#: ``torch.nn`` module factories keyed by names of :data:`nnbook.nn.activations.ACTIVATIONS`; with
#: the default hyperparameters of the NumPy functions (leaky slope 0.01, PReLU slope 0.25 before
#: learning, RReLU slopes U(1/8, 1/3) in training mode and their mean in evaluation mode).
TORCH_ACTIVATIONS = MappingProxyType({
    "identity": nn.Identity,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "prelu": nn.PReLU,  # one learned slope per layer, initialised to 0.25
    "rrelu": nn.RReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "softplus": nn.Softplus,  # returns x itself for x > 20 (|error| < e^-20 against log(1 + e^x))
    "gelu": nn.GELU,
    "swish": nn.SiLU,  # x * sigmoid(x), torch's name "silu" is accepted as an alias
})

#: The module classes of :data:`TORCH_ACTIVATIONS` (what :mod:`nnbook.nets.diagnostics` measures).
TORCH_ACTIVATION_TYPES = tuple(dict.fromkeys(type(factory()) for factory in TORCH_ACTIVATIONS.values()))

#: Weight initialisers of :func:`build_mlp`. The first six are the keys of
#: :data:`nnbook.nn.init.INITIALISERS` and draw weights of the variance that
#: :func:`nnbook.nn.init.init_variance` gives (``"uniform_fan_in"`` is torch's own ``nn.Linear`` initialisation,
#: which draws the biases from the same uniform law); ``"normal"`` draws :math:`\mathcal N(0, \mathrm{std}^2)`,
#: ``"zeros"`` sets the weights to 0. Biases are zero for every initialiser except ``"uniform_fan_in"``.
TORCH_INITIALISERS = ("uniform_fan_in", "lecun_normal", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                      "normal", "zeros")

#: Short names accepted for :data:`TORCH_INITIALISERS` (the names of the chapter 2 and 4 notebooks).
INIT_ALIASES = MappingProxyType({"default": "uniform_fan_in", "lecun": "lecun_normal", "xavier": "xavier_normal",
                                 "he": "he_normal"})

#: Normalisation layers of :func:`build_mlp`: ``nn.Identity`` (a placeholder that keeps layer indices),
#: ``nn.BatchNorm1d``, ``nn.LayerNorm`` and :class:`NoisyBatchNorm1d`.
NORMS = ("identity", "batch", "layer", "noisy_batch")


def _activation_name(name, argname: str = "activation") -> str:
    """The key of :data:`TORCH_ACTIVATIONS` for ``name`` (aliases resolved as in ``nn.activations.get_activation``)."""
    allowed = sorted(TORCH_ACTIVATIONS)
    if not isinstance(name, str):
        raise TypeError(f"{argname} must be one of {allowed}; got {type(name).__name__} ({name!r})")
    try:
        key = np_activations.get_activation(name).name
    except ValueError:
        key = None
    if key not in TORCH_ACTIVATIONS:
        raise ValueError(f"{argname} must be one of {allowed} (or an alias such as 'silu'); got {name!r}")
    return key


def _check_dtype(dtype, name: str = "dtype"):
    if dtype is None:
        return None
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point or dtype.is_complex:
        raise TypeError(f"{name} must be None or a real floating torch dtype (torch.float32, torch.float64), got {dtype!r}")
    return dtype


def torch_activation(name: str, *, dtype=None) -> nn.Module:
    """A fresh ``torch.nn`` module computing the activation ``name`` (a key of :data:`TORCH_ACTIVATIONS` or an alias).

    ``dtype`` converts the module's parameters (PReLU's slope), so that a float64 network gets a
    float64 slope. No random numbers are drawn.
    """
    module = TORCH_ACTIVATIONS[_activation_name(name, "name")]()
    dtype = _check_dtype(dtype)
    return module if dtype is None else module.to(dtype)


def _init_name(init, argname: str = "init") -> str:
    if isinstance(init, str) and init in INIT_ALIASES:
        return INIT_ALIASES[init]
    allowed = TORCH_INITIALISERS + tuple(INIT_ALIASES)
    return check_option(argname, init, allowed)


def _init_linear(layer: nn.Linear, init: str, std: float) -> None:
    """Re-draw the weights of a freshly built ``layer`` with the initialiser ``init`` (a key of TORCH_INITIALISERS)."""
    if init == "uniform_fan_in":
        return  # torch's own: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and bias, drawn at construction
    fan_in, fan_out = layer.in_features, layer.out_features
    with torch.no_grad():
        if init == "zeros":
            layer.weight.zero_()
        elif init == "normal":
            layer.weight.normal_(0.0, std)
        elif init.endswith("_normal"):  # lecun: 1/fan_in, xavier: 2/(fan_in+fan_out), he: 2/fan_in
            layer.weight.normal_(0.0, math.sqrt(np_init.init_variance(init, (fan_out, fan_in))))
        else:  # U(-a, a) has variance a^2 / 3
            bound = math.sqrt(3.0 * np_init.init_variance(init, (fan_out, fan_in)))
            layer.weight.uniform_(-bound, bound)
        if layer.bias is not None:
            layer.bias.zero_()


class NoisyBatchNorm1d(nn.BatchNorm1d):
    r"""Batch norm followed by a random, time-varying scale and shift of every unit.

    In training mode each forward pass draws, per unit, a scale :math:`s \sim U(1-\nu/2,
    1+\nu)` and a shift :math:`t \sim \mathcal N(0, \nu^2)` and returns :math:`s\,y + t`: the
    distribution of the next layer's input changes at every step, more than it would
    without batch norm. This is the experiment of Santurkar et al. (2018) that separates batch
    norm's benefit from "internal covariate shift". Evaluation mode adds no noise.

    Parameters
    ----------
    num_features : int
        Units of the layer (>= 1).
    noise : float, default 1.0
        :math:`\nu \ge 0`; 0 is plain batch norm.

    Input (N, num_features); book section ``book/ch4-training/05-why-batch-norm-works.ipynb``.
    """

    def __init__(self, num_features: int, noise: float = 1.0):
        num_features = check_int("num_features", num_features, low=1)
        noise = check_number("noise", noise, low=0.0)
        super().__init__(num_features)
        self.noise = noise

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor("x", x, ndim=2, finite=False)
        if x.shape[1] != self.num_features:
            raise ValueError(f"x must have shape (N, {self.num_features}) (num_features), got {tuple(x.shape)}")
        y = super().forward(x)
        if not self.training or self.noise == 0:
            return y
        nu = self.noise
        scale = 1.0 + nu * (1.5 * torch.rand(y.shape[1]) - 0.5)
        shift = nu * torch.randn(y.shape[1])
        return y * scale + shift


def _norm_layer(norm: str, width: int, noise: float) -> nn.Module:
    if norm == "identity":
        return nn.Identity()
    if norm == "batch":
        return nn.BatchNorm1d(width)
    if norm == "layer":
        return nn.LayerNorm(width)
    return NoisyBatchNorm1d(width, noise=noise)


def _check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a sequence of ints (n_in, hidden..., n_out), got {type(sizes).__name__} ({sizes!r})")
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least 2 ints (n_in, n_out), got {list(sizes)!r}")
    return [check_int(f"sizes[{i}]", s, low=1) for i, s in enumerate(sizes)]


def build_mlp(sizes, activation: str = "relu", *, init: str = "default", std: float = 0.01,
              head_init: str | None = None, norm: str | None = None, noise: float = 1.0,
              dropout: float | None = None, output: str | None = None, dtype=None) -> nn.Sequential:
    r"""The one torch MLP assembly of the book: ``[Linear, norm, activation, dropout] * (L-1) + [Linear, output]``.

    With :math:`h^{(0)} = x` and :math:`L = ` ``len(sizes) - 1`` Linear layers,

    .. math::
        h^{(l)} = \mathrm{drop}\big(f(\mathrm{norm}(W^{(l)} h^{(l-1)} + b^{(l)}))\big),\ l < L, \qquad
        \hat y = g(W^{(L)} h^{(L-1)} + b^{(L)}),

    where the bracketed modules are present only when asked for. Layers are built (and their
    parameters drawn from torch's global generator) in this order, input to output.

    Parameters
    ----------
    sizes : sequence of int, length >= 2
        ``(n_in, n_hidden_1, ..., n_out)``; every size >= 1.
    activation : str, default "relu"
        A key of :data:`TORCH_ACTIVATIONS` (or an alias such as ``"silu"``); a new module per layer.
    init : str, default "default"
        Initialiser of the hidden Linear layers' weights, a key of :data:`TORCH_INITIALISERS` or of
        :data:`INIT_ALIASES`; ``"default"`` keeps torch's own.
    std : float, default 0.01
        Standard deviation for ``init="normal"`` (> 0).
    head_init : str, optional
        Initialiser of the last Linear layer; ``None`` uses ``init``.
    norm : {None, "identity", "batch", "layer", "noisy_batch"}, default None
        Normalisation after each hidden Linear layer (:data:`NORMS`); ``None`` adds no module.
    noise : float, default 1.0
        :math:`\nu` of :class:`NoisyBatchNorm1d` (``norm="noisy_batch"``).
    dropout : float in [0, 1), optional
        ``nn.Dropout(dropout)`` after each hidden activation; ``None`` adds no module (0.0 adds one that does nothing).
    output : str, optional
        Output module: ``"softmax"`` (``nn.Softmax(dim=1)``) or a key of :data:`TORCH_ACTIVATIONS`;
        ``None`` ends with the logits.
    dtype : torch.dtype, optional
        Parameter dtype of every layer (default: torch's, float32).

    Returns
    -------
    nn.Sequential
        Its Linear layers are ``[m for m in model if isinstance(m, nn.Linear)]``.
    """
    sizes = _check_sizes(sizes)
    activation = _activation_name(activation)
    init = _init_name(init)
    head_init = init if head_init is None else _init_name(head_init, "head_init")
    std = check_number("std", std, low=0.0, low_open=True)
    if norm is not None:
        check_option("norm", norm, NORMS)
    noise = check_number("noise", noise, low=0.0)
    if dropout is not None:
        dropout = check_number("dropout", dropout, low=0.0, high=1.0, high_open=True)
    if output is not None and output != "softmax":
        output = _activation_name(output, "output")
    dtype = _check_dtype(dtype)

    def convert(module: nn.Module) -> nn.Module:
        return module if dtype is None else module.to(dtype)

    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        linear = nn.Linear(fan_in, fan_out, dtype=dtype)
        _init_linear(linear, init, std)
        layers.append(linear)
        if norm is not None:
            layers.append(convert(_norm_layer(norm, fan_out, noise)))
        layers.append(convert(TORCH_ACTIVATIONS[activation]()))
        if dropout is not None:
            layers.append(nn.Dropout(dropout))
    head = nn.Linear(sizes[-2], sizes[-1], dtype=dtype)
    _init_linear(head, head_init, std)
    layers.append(head)
    if output is not None:
        layers.append(nn.Softmax(dim=1) if output == "softmax" else convert(TORCH_ACTIVATIONS[output]()))
    return nn.Sequential(*layers)


def _hidden_sizes(depth, width, in_features, out_features) -> list[int]:
    depth = check_int("depth", depth, low=1)
    width = check_int("width", width, low=1)
    in_features = check_int("in_features", in_features, low=1)
    out_features = check_int("out_features", out_features, low=1)
    return [in_features] + [width] * depth + [out_features]


def deep_mlp(depth: int, width: int, in_features: int, out_features: int,
             activation: str = "relu", init: str = "default", std: float = 0.01) -> nn.Sequential:
    """A multilayer perceptron with ``depth`` hidden layers of ``width`` units, every Linear layer initialised by ``init``.

    Layout: ``[Linear(in, width), act] + (depth - 1) * [Linear(width, width), act] +
    [Linear(width, out)]``, i.e. ``build_mlp([in] + [width] * depth + [out], activation, init=init, std=std)``.

    Parameters
    ----------
    depth : int
        Number of hidden layers (>= 1).
    width, in_features, out_features : int
        Layer sizes (>= 1).
    activation : str
        A key of :data:`TORCH_ACTIVATIONS`.
    init : str
        A key of :data:`TORCH_INITIALISERS` or :data:`INIT_ALIASES`: ``"default"`` keeps torch's;
        ``"normal"`` draws N(0, std^2); ``"xavier"`` N(0, 2/(fan_in+fan_out)); ``"he"`` N(0, 2/fan_in);
        ``"lecun"`` N(0, 1/fan_in); ``"zeros"`` sets them to 0. Biases are zero for every initialiser
        except ``"default"``.
    std : float
        Standard deviation for ``init="normal"`` (> 0).

    Book sections: ``book/ch2-activations/04-vanishing-gradients.ipynb``, ``book/ch4-training/02-initialisation.ipynb``.
    """
    return build_mlp(_hidden_sizes(depth, width, in_features, out_features), activation, init=init, std=std)


def norm_mlp(depth: int, width: int, in_features: int, out_features: int, norm: str | None = None,
             activation: str = "relu", noise: float = 1.0) -> nn.Sequential:
    """A torch MLP ``[Linear, norm, activation] * depth + [Linear]``, hidden weights He-initialised.

    ``norm`` is None (an ``nn.Identity`` in the norm slot, so that layer indices are the same for
    every ``norm``), ``"batch"`` (``nn.BatchNorm1d``), ``"layer"`` (``nn.LayerNorm``) or
    ``"noisy_batch"`` (:class:`NoisyBatchNorm1d` with ``noise``). The hidden weights are drawn
    :math:`\\mathcal N(0, 2/n_{in})` with zero biases (``init="he_normal"``, the float32 draws of
    ``nn.init.kaiming_normal_``); the last layer keeps torch's initialisation.

    Book sections: ``book/ch4-training/04-batch-norm.ipynb`` to ``06-layer-norm.ipynb``.
    """
    if norm is not None:
        check_option("norm", norm, ("batch", "layer", "noisy_batch"))
    return build_mlp(_hidden_sizes(depth, width, in_features, out_features), activation, init="he_normal",
                     head_init="default", norm="identity" if norm is None else norm, noise=noise)


def to_torch(model, dtype=None) -> nn.Sequential:
    """A ``torch.nn.Sequential`` computing the same function as the NumPy ``model`` with a copy of its weights.

    Cross-entropy models end with the last Linear layer (torch's losses take logits); squared
    error models end with their output activation. Every layer, the activation modules included,
    has dtype ``dtype`` (default ``torch.float64``).

    Parameters
    ----------
    model : nnbook.nn.mlp.MLP
        Initialised or fitted (it has ``weights_`` and ``biases_``).
    dtype : torch.dtype, optional
        A real floating dtype.

    Book section: ``book/ch3-backprop/06-whole-loop.ipynb``.
    """
    if not isinstance(model, np_mlp.MLP):
        raise TypeError(f"model must be an nnbook.nn.mlp.MLP, got {type(model).__name__}")
    weights, biases = getattr(model, "weights_", None), getattr(model, "biases_", None)
    if weights is None or biases is None:
        raise NotFittedError(f"model (this {type(model).__name__}) has no weights_ yet; call initialize() or fit(...) first")
    activation = _activation_name(model.activation, "model.activation")
    loss = check_option("model.loss", model.loss, np_mlp.LOSSES)
    output = None
    if loss == "squared_error":
        out = "identity" if model.output_activation is None else model.output_activation
        output = None if check_option("model.output_activation", out, np_mlp.OUTPUTS) == "identity" else out
    elif model.output_activation is not None:
        raise ValueError(f"model.output_activation is fixed by model.loss={loss!r}; got {model.output_activation!r}")
    dtype = torch.float64 if dtype is None else _check_dtype(dtype)
    shapes = [(tuple(getattr(W, "shape", ())), tuple(getattr(b, "shape", ()))) for W, b in zip(weights, biases)]
    sizes = [shapes[0][0][1]] + [W[0] for W, _ in shapes] if shapes and len(shapes[0][0]) == 2 else []
    expected = [((o, i), (o,)) for o, i in zip(sizes[1:], sizes[:-1])]
    if not sizes or len(weights) != len(biases) or shapes != expected or sizes != list(model.layer_sizes):
        raise ValueError(f"model.weights_/biases_ have shapes {shapes}, which do not chain into "
                         f"model.layer_sizes = {model.layer_sizes!r}")
    net = build_mlp(sizes, activation, output=output, dtype=dtype)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for linear, W, b in zip(linears, weights, biases):
            linear.weight.copy_(torch.as_tensor(W))
            linear.bias.copy_(torch.as_tensor(b))
    return net
