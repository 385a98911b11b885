r"""Weight initialisers, in NumPy: uniform :math:`\pm 1/\sqrt{d}`, LeCun, Xavier/Glorot, He/Kaiming.

Every initialiser draws a weight array of a given ``shape`` whose entries have mean zero and
a variance chosen so that a signal keeps its scale from layer to layer. For a unit
:math:`z = \sum_{i=1}^{n_{in}} w_i x_i` with independent zero-mean weights,

.. math::

    \operatorname{Var}(z) = n_{in}\,\operatorname{Var}(w)\,\mathbb{E}[x^2],

so :math:`\operatorname{Var}(w) = 1/n_{in}` keeps the scale of a linear (or tanh near zero)
layer (LeCun et al., 1998), :math:`2/n_{in}` keeps it after a ReLU, which zeroes half the
signal (He et al., 2015), and :math:`2/(n_{in} + n_{out})` compromises between the forward
and the backward pass (Glorot & Bengio, 2010).

Shapes follow PyTorch: ``(fan_out, fan_in)`` for a dense layer, ``(out_channels,
in_channels, *kernel)`` for a convolution, so ``fan_in = in_channels * prod(kernel)``.

Book section: "Initialisation" (``book/ch4-training/02-initialisation.ipynb``).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from nnbook._validation import check_int, check_number, check_option, check_random_state


def as_generator(random_state=None) -> np.random.Generator:
    """Alias of :func:`nnbook._validation.check_random_state` (None, a non-negative int or a Generator).

    Kept because the source of :func:`he_normal` and of ``dropout_forward``, printed in the
    book, calls it by this name; new code calls ``check_random_state``.
    """
    return check_random_state(random_state)


def fan_in_and_fan_out(shape) -> tuple[int, int]:
    r"""Fan-in and fan-out of a weight array of ``shape`` (PyTorch layout).

    ``(fan_out, fan_in)`` for a dense layer; ``(out_channels, in_channels, *kernel)`` for a
    convolution, giving :math:`n_{in} = c_{in} \prod k`, :math:`n_{out} = c_{out} \prod k`.
    """
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of ints (fan_out, fan_in, ...), got {type(shape).__name__} ({shape!r})")
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"shape must have at least 2 dimensions (fan_out, fan_in, ...), got {shape}")
    shape = tuple(check_int(f"shape[{i}]", s, low=1) for i, s in enumerate(shape))
    receptive_field = math.prod(shape[2:])
    return int(shape[1] * receptive_field), int(shape[0] * receptive_field)


_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}


def calculate_gain(nonlinearity: str, negative_slope: float = 0.01) -> float:
    r"""Recommended gain for a nonlinearity, as in ``torch.nn.init.calculate_gain``.

    The standard deviation of the weights is multiplied by the gain: :math:`\sqrt 2` for ReLU
    (it halves :math:`\mathbb{E}[x^2]`), :math:`\sqrt{2/(1+a^2)}` for leaky ReLU of slope
    :math:`a`, 5/3 for tanh, 1 for linear and sigmoid layers.
    """
    check_option("nonlinearity", nonlinearity, sorted(_GAINS) + ["leaky_relu"])
    negative_slope = check_number("negative_slope", negative_slope)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + negative_slope**2))
    return _GAINS[nonlinearity]


def _check_gain(gain: float) -> float:
    # the name is printed in ch4/02 (the source of he_normal); the check is the floor's
    return check_number("gain", gain, low=0.0, low_open=True)


def uniform_fan_in(shape, random_state=None) -> np.ndarray:
    r""":math:`W \sim U(-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}})`, so :math:`\operatorname{Var}(W) = 1/(3 n_{in})`.

    The classic recipe (and PyTorch's default for ``nn.Linear`` weights and biases). Its
    variance is a third of LeCun's, so a deep linear or tanh stack shrinks the signal.
    """
    fan_in, _ = fan_in_and_fan_out(shape)
    bound = 1.0 / math.sqrt(fan_in)
    return check_random_state(random_state).uniform(-bound, bound, size=shape)


def lecun_normal(shape, random_state=None) -> np.ndarray:
    r""":math:`W \sim \mathcal N(0, 1/n_{in})` (LeCun et al., 1998; the SELU initialiser)."""
    fan_in, _ = fan_in_and_fan_out(shape)
    return check_random_state(random_state).normal(0.0, math.sqrt(1.0 / fan_in), size=shape)


def xavier_uniform(shape, gain: float = 1.0, random_state=None) -> np.ndarray:
    r""":math:`W \sim U(-a, a)`, :math:`a = g\sqrt{6/(n_{in}+n_{out})}`, so :math:`\operatorname{Var}(W) = 2g^2/(n_{in}+n_{out})`.

    Glorot & Bengio (2010); matches ``torch.nn.init.xavier_uniform_``.
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    bound = _check_gain(gain) * math.sqrt(6.0 / (fan_in + fan_out))
    return check_random_state(random_state).uniform(-bound, bound, size=shape)


def xavier_normal(shape, gain: float = 1.0, random_state=None) -> np.ndarray:
    r""":math:`W \sim \mathcal N(0, 2g^2/(n_{in}+n_{out}))` (Glorot & Bengio, 2010)."""
    fan_in, fan_out = fan_in_and_fan_out(shape)
    std = _check_gain(gain) * math.sqrt(2.0 / (fan_in + fan_out))
    return check_random_state(random_state).normal(0.0, std, size=shape)


def he_uniform(shape, gain: float = math.sqrt(2.0), random_state=None) -> np.ndarray:
    r""":math:`W \sim U(-a, a)`, :math:`a = g\sqrt{3/n_{in}}`, so :math:`\operatorname{Var}(W) = g^2/n_{in}` (:math:`2/n_{in}` for ReLU).

    He et al. (2015); matches ``torch.nn.init.kaiming_uniform_(nonlinearity="relu")``.
    """
    fan_in, _ = fan_in_and_fan_out(shape)
    bound = _check_gain(gain) * math.sqrt(3.0 / fan_in)
    return check_random_state(random_state).uniform(-bound, bound, size=shape)


def he_normal(shape, gain: float = math.sqrt(2.0), random_state=None) -> np.ndarray:
    r"""He normal: :math:`W \sim \mathcal N(0, g^2/n_{in})`.

    The default gain :math:`g = \sqrt 2` gives :math:`\mathrm{Var}(W) = 2/n_{in}`,
    for ReLU units (He et al., 2015).
    """
    fan_in, _ = fan_in_and_fan_out(shape)
    std = _check_gain(gain) / math.sqrt(fan_in)
    return as_generator(random_state).normal(0.0, std, size=shape)


INITIALISERS: dict[str, Callable] = {
    "uniform_fan_in": uniform_fan_in,
    "lecun_normal": lecun_normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}


def init_variance(name: str, shape) -> float:
    r"""The variance :math:`\operatorname{Var}(W)` that initialiser ``name`` targets (default gains).

    :func:`nnbook.nn.mlp.init_params` draws its weights with :math:`\sqrt{}` of this variance.
    """
    check_option("name", name, sorted(INITIALISERS))
    fan_in, fan_out = fan_in_and_fan_out(shape)
    variances = {
        "uniform_fan_in": 1.0 / (3.0 * fan_in),
        "lecun_normal": 1.0 / fan_in,
        "xavier_uniform": 2.0 / (fan_in + fan_out),
        "xavier_normal": 2.0 / (fan_in + fan_out),
        "he_uniform": 2.0 / fan_in,
        "he_normal": 2.0 / fan_in,
    }
    return variances[check_option("name", name, sorted(variances))]


def initialise(name: str, shape, random_state=None) -> np.ndarray:
    """Draw weights of ``shape`` with the initialiser called ``name`` (a key of ``INITIALISERS``)."""
    return INITIALISERS[check_option("name", name, sorted(INITIALISERS))](shape, random_state=random_state)


def forward_variances(init, depth: int, width: int, activation: str = "tanh", n_samples: int = 1000,
                      random_state=None) -> np.ndarray:
    r"""Variance of the pre-activations :math:`z^{(l)}` of each layer of a deep NumPy MLP.

    Builds ``depth`` dense layers of ``width`` units (zero biases), feeds ``n_samples``
    standard normal inputs, applies ``activation`` (``"tanh"``, ``"relu"``, ``"sigmoid"`` or
    ``"linear"``) and returns :math:`\operatorname{Var}(z^{(l)})` for :math:`l = 1, \dots,
    depth` (shape ``(depth,)``). ``init`` is a key of ``INITIALISERS`` or a callable
    ``init(shape, random_state)`` returning weights.
    """
    from nnbook.nn import activations

    functions = {"tanh": activations.tanh, "relu": activations.relu, "sigmoid": activations.sigmoid, "linear": lambda z: z}
    check_option("activation", activation, sorted(functions))
    if not callable(init):
        check_option("init", init, sorted(INITIALISERS))
    depth, width = check_int("depth", depth, low=1), check_int("width", width, low=1)
    n_samples = check_int("n_samples", n_samples, low=2)
    draw = init if callable(init) else (lambda shape, random_state: initialise(init, shape, random_state))
    rng = check_random_state(random_state)
    h = rng.standard_normal((n_samples, width))
    variances = []
    for _ in range(depth):
        z = h @ draw((width, width), random_state=rng).T
        variances.append(z.var())
        h = functions[activation](z)
    return np.array(variances)
