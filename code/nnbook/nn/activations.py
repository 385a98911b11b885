"""Activation functions and their derivatives, in NumPy.

Each function ``f(z)`` has its derivative ``f_prime(z)`` beside it (the derivative with
respect to the pre-activation ``z``, evaluated elementwise), so that backpropagation can
write ``delta = grad_out * f_prime(z)``. Every function is numerically stable for large
``|z|``: no exponential of a large positive number is ever taken, so ``z = +-1000`` gives no
overflow warning.

At a kink (``z = 0`` for the ReLU family, ELU with ``alpha != 1`` and SELU) the derivative
does not exist; we return the derivative of the left branch (``z <= 0``), the same choice
as PyTorch's autograd.

:func:`get_activation` looks an activation up by name in :data:`ACTIVATIONS`.

Book chapter: "Activation functions" (``book/ch2-activations/``); the catalogue with every
formula is ``book/ch2-activations/02-catalogue.ipynb``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable

import numpy as np
from scipy import special

from nnbook._validation import check_bool, check_float_array, check_int, check_number, check_option, check_random_state

#: SELU constants of Klambauer et al. (2017); derived in :mod:`nnbook.studies.selu`.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def _as_float_array(z, name: str = "z") -> np.ndarray:
    """``z`` through the floor: real, non-empty, no NaN; ``+-inf`` allowed; ints become float64."""
    return check_float_array(name, z, allow_inf=True, cast_ints=True)


def _times(a, z: np.ndarray) -> np.ndarray:
    """``a * z`` with :math:`0 \\cdot (\\pm\\infty) = 0` (the limit of a slope-0 branch at ``z = -inf``)."""
    if not np.isinf(z).any():
        return a * z
    with np.errstate(invalid="ignore"):
        out = a * z
    return np.where(np.isnan(out), 0.0, out)


def _at_infinity(f, z: np.ndarray, at_minus, at_plus):
    """``f(z)`` with the limits ``at_minus``/``at_plus`` at ``z = -inf``/``+inf``.

    ``f`` is evaluated with the infinite entries replaced by 0, so no ``inf * 0`` is formed;
    finite entries are computed exactly as ``f`` computes them.
    """
    inf = np.isinf(z)
    if not inf.any():
        return f(z)
    value = f(np.where(inf, 0.0, z).astype(z.dtype, copy=False))
    return np.where(z == -np.inf, at_minus, np.where(z == np.inf, at_plus, value)).astype(value.dtype, copy=False)


# --- the sigmoid family ------------------------------------------------------------------

def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`, range :math:`(0, 1)`.

    Evaluated without overflow: for :math:`z \ge 0` as :math:`1/(1+e^{-z})`, for
    :math:`z < 0` as :math:`e^{z}/(1+e^{z})`, so no exponential of a large positive
    number is ever taken (no warning at ``z = -1000``).

    Parameters
    ----------
    z : array_like of float
        Pre-activations, any shape.
    """
    z = _as_float_array(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    r"""Derivative :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, at most 1/4 (at z = 0)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    r"""Hyperbolic tangent :math:`\tanh z = (e^z - e^{-z})/(e^z + e^{-z}) = 2\sigma(2z) - 1`."""
    return np.tanh(_as_float_array(z))


def tanh_prime(z):
    r"""Derivative :math:`\tanh'(z) = 1 - \tanh^2 z`, at most 1 (at z = 0)."""
    t = tanh(z)
    return 1.0 - t * t


def softplus(z, beta: float = 1.0):
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta z})`, a smooth ReLU; computed as ``logaddexp``."""
    z, beta = _as_float_array(z), check_number("beta", beta, low=0.0, low_open=True)
    return np.logaddexp(0.0, beta * z) / beta


def softplus_prime(z, beta: float = 1.0):
    r"""Derivative of softplus: :math:`\sigma(\beta z)`."""
    z, beta = _as_float_array(z), check_number("beta", beta, low=0.0, low_open=True)
    return sigmoid(beta * z)


# --- the ReLU family ---------------------------------------------------------------------

def relu(z):
    r"""Rectified linear unit :math:`\max(0, z)` (Nair & Hinton, 2010)."""
    z = _as_float_array(z)
    return np.maximum(z, 0.0)


def relu_prime(z):
    r"""Derivative of ReLU: 1 for :math:`z > 0`, 0 for :math:`z \le 0`.

    At the kink :math:`z = 0` we use 0, the same subgradient as PyTorch's autograd.
    """
    z = _as_float_array(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, a: float = 0.01):
    r"""Leaky ReLU :math:`z` for :math:`z > 0`, :math:`a z` for :math:`z \le 0` (Maas et al., 2013)."""
    z, a = _as_float_array(z), check_number("a", a)
    return np.where(z > 0, z, _times(a, z))


def leaky_relu_prime(z, a: float = 0.01):
    r"""Derivative of Leaky ReLU: 1 for :math:`z > 0`, :math:`a` for :math:`z \le 0`."""
    z, a = _as_float_array(z), check_number("a", a)
    return np.where(z > 0, 1.0, a).astype(z.dtype)


def _prelu_slopes(a, z: np.ndarray) -> np.ndarray:
    """PReLU's slope ``a``: finite reals whose shape broadcasts *to* ``z.shape`` (never enlarges ``z``)."""
    a = check_float_array("a", a, cast_ints=True)
    try:
        shape = np.broadcast_shapes(a.shape, z.shape)
    except ValueError:
        shape = None
    if shape != z.shape:
        raise ValueError(f"a with shape {a.shape} does not broadcast against z with shape {z.shape}"
                         " (a must be a scalar or have the trailing shape of z, e.g. (n_channels,))")
    return a.astype(np.result_type(a.dtype, z.dtype, np.float32))


def prelu(z, a=0.25):
    r"""Parametric ReLU :math:`z` for :math:`z > 0`, :math:`a z` for :math:`z \le 0` (He et al., 2015).

    Parameters
    ----------
    z : array_like, shape (n_samples, n_channels) or any shape
    a : float or array_like broadcastable against ``z``
        The learned negative slope: one shared scalar, or one per channel (shape
        ``(n_channels,)`` for a 2-D ``z``). The paper initialises it to 0.25.
    """
    z = _as_float_array(z)
    a = _prelu_slopes(a, z)
    return np.where(z > 0, z, _times(a, z))


def prelu_prime(z, a=0.25):
    r"""Derivative of PReLU with respect to ``z``: 1 for :math:`z > 0`, :math:`a` for :math:`z \le 0`."""
    z = _as_float_array(z)
    a = _prelu_slopes(a, z)
    return np.where(z > 0, 1.0, a) * np.ones_like(z)


def prelu_slope_grad(z, a, grad_out):
    r"""Gradient of the loss with respect to PReLU's slope ``a``.

    :math:`\partial L/\partial a = \sum \text{grad\_out} \cdot \min(z, 0)`, summed over every
    axis along which ``a`` was broadcast; the result has the shape of ``a``.
    """
    z = _as_float_array(z)
    a = _prelu_slopes(a, z)
    grad_out = check_float_array("grad_out", grad_out, cast_ints=True)
    if grad_out.shape != z.shape:
        raise ValueError(f"grad_out must have the shape of z {z.shape}, got {grad_out.shape}")
    g = grad_out * np.minimum(z, 0.0)
    extra = g.ndim - a.ndim
    g = g.sum(axis=tuple(range(extra))) if extra else g
    axes = tuple(i for i, n in enumerate(a.shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(a.shape) if axes else g.reshape(a.shape)


def _rrelu_slopes(shape, lower, upper, training, random_state) -> np.ndarray | float:
    lower = check_number("lower", lower, low=0.0)
    upper = check_number("upper", upper, low=lower)
    training = check_bool("training", training)
    if not training:
        return (lower + upper) / 2
    return check_random_state(random_state).uniform(lower, upper, size=shape)


def rrelu(z, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, random_state=None):
    r"""Randomised leaky ReLU (Xu et al., 2015).

    In training mode every element with :math:`z \le 0` gets its own slope
    :math:`a \sim U(\text{lower}, \text{upper})`; in evaluation mode the slope is the mean
    :math:`(\text{lower} + \text{upper})/2`, as in ``torch.nn.RReLU``. With the same integer
    ``random_state``, :func:`rrelu` and :func:`rrelu_prime` draw the same slopes.
    """
    z = _as_float_array(z)
    a = _rrelu_slopes(z.shape, lower, upper, training, random_state)
    return np.where(z > 0, z, _times(a, z))


def rrelu_prime(z, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, random_state=None):
    r"""Derivative of RReLU: 1 for :math:`z > 0`, the element's slope :math:`a` for :math:`z \le 0`."""
    z = _as_float_array(z)
    a = _rrelu_slopes(z.shape, lower, upper, training, random_state)
    return np.where(z > 0, 1.0, a) * np.ones_like(z)


# --- the exponential family --------------------------------------------------------------

def elu(z, alpha: float = 1.0):
    r"""Exponential linear unit :math:`z` for :math:`z > 0`, :math:`\alpha(e^{z} - 1)` for :math:`z \le 0`.

    (Clevert et al., 2016.) Note: no factor :math:`z` on the negative branch. Computed with
    ``expm1`` of :math:`\min(z, 0)`, so nothing overflows.
    """
    z, alpha = _as_float_array(z), check_number("alpha", alpha)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_prime(z, alpha: float = 1.0):
    r"""Derivative of ELU: 1 for :math:`z > 0`, :math:`\alpha e^{z}` for :math:`z \le 0`.

    Continuous at 0 only when :math:`\alpha = 1`; otherwise ELU has a kink there, too.
    """
    z, alpha = _as_float_array(z), check_number("alpha", alpha)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu(z):
    r"""Scaled ELU :math:`\lambda z` for :math:`z > 0`, :math:`\lambda\alpha(e^{z} - 1)` for :math:`z \le 0`.

    (Klambauer et al., 2017) with :math:`\alpha \approx 1.6733`, :math:`\lambda \approx 1.0507`
    (:data:`SELU_ALPHA`, :data:`SELU_LAMBDA`): the scale :math:`\lambda` multiplies both branches.
    """
    return SELU_LAMBDA * elu(z, SELU_ALPHA)


def selu_prime(z):
    r"""Derivative of SELU: :math:`\lambda` for :math:`z > 0`, :math:`\lambda\alpha e^{z}` for :math:`z \le 0`."""
    return SELU_LAMBDA * elu_prime(z, SELU_ALPHA)


# --- smooth self-gated units -------------------------------------------------------------

_GELU_C = math.sqrt(2.0 / math.pi)


def _check_approximate(approximate: str) -> None:
    check_option("approximate", approximate, ("none", "tanh"))


def gelu(z, approximate: str = "none"):
    r"""Gaussian error linear unit :math:`z\,\Phi(z)` (Hendrycks & Gimpel, 2016).

    ``approximate="tanh"`` gives :math:`\frac{z}{2}\bigl(1 + \tanh(\sqrt{2/\pi}(z + 0.044715 z^3))\bigr)`.
    :math:`\Phi` is evaluated with ``scipy.special.ndtr``, accurate in both tails. At the
    infinities the limits are returned: :math:`\mathrm{GELU}(-\infty) = 0`,
    :math:`\mathrm{GELU}(+\infty) = +\infty` (PyTorch gives NaN at :math:`-\infty`).
    """
    z = _as_float_array(z)
    _check_approximate(approximate)
    return _at_infinity(lambda z: _gelu(z, approximate), z, 0.0, np.inf)


def _gelu(z, approximate):
    if approximate == "tanh":  # (1 + tanh u)/2 = sigmoid(2u): no cancellation for z << 0
        return z * sigmoid(2.0 * _GELU_C * (z + 0.044715 * z**3))
    return z * special.ndtr(z)


def gelu_prime(z, approximate: str = "none"):
    r"""Derivative of GELU: :math:`\Phi(z) + z\,\varphi(z)` (or of its tanh approximation); 0 at :math:`-\infty`, 1 at :math:`+\infty`."""
    z = _as_float_array(z)
    _check_approximate(approximate)
    return _at_infinity(lambda z: _gelu_prime(z, approximate), z, 0.0, 1.0)


def _gelu_prime(z, approximate):
    if approximate == "tanh":
        s = sigmoid(2.0 * _GELU_C * (z + 0.044715 * z**3))
        return s + 2.0 * z * s * (1.0 - s) * _GELU_C * (1.0 + 3 * 0.044715 * z * z)
    return special.ndtr(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def swish(z, beta: float = 1.0):
    r"""Swish :math:`z\,\sigma(\beta z)` (Ramachandran et al., 2017); ``beta = 1`` is SiLU.

    At the infinities the limits are returned (for :math:`\beta > 0`: 0 at :math:`-\infty`,
    :math:`+\infty` at :math:`+\infty`; mirrored for :math:`\beta < 0`); PyTorch's ``silu``
    gives NaN at :math:`-\infty`.
    """
    z, beta = _as_float_array(z), check_number("beta", beta)
    lo, hi = (0.0, np.inf) if beta > 0 else (-np.inf, 0.0) if beta < 0 else (-np.inf, np.inf)
    return _at_infinity(lambda z: z * sigmoid(beta * z), z, lo, hi)


def swish_prime(z, beta: float = 1.0):
    r"""Derivative of Swish: :math:`\sigma(\beta z) + \beta z\,\sigma(\beta z)(1 - \sigma(\beta z))`.

    Its limits are 0 at :math:`-\infty` and 1 at :math:`+\infty` for :math:`\beta > 0` (mirrored for :math:`\beta < 0`).
    """
    z, beta = _as_float_array(z), check_number("beta", beta)
    lo, hi = (0.0, 1.0) if beta > 0 else (1.0, 0.0) if beta < 0 else (0.5, 0.5)

    def f(z):
        s = sigmoid(beta * z)
        return s + beta * z * s * (1.0 - s)
    return _at_infinity(f, z, lo, hi)


# --- Maxout ------------------------------------------------------------------------------

def _maxout_groups(z, k) -> np.ndarray:
    z = _as_float_array(z)
    k = check_int("k", k, low=1)
    if z.ndim == 0 or z.shape[-1] % k:
        raise ValueError(f"the last axis of z (shape {z.shape}) must be a multiple of k={k}")
    return z.reshape(*z.shape[:-1], z.shape[-1] // k, k)


def maxout(z, k: int = 2):
    r"""Maxout (Goodfellow et al., 2013): the maximum over groups of ``k`` pre-activations.

    Parameters
    ----------
    z : array_like, shape (..., m * k)
        ``k`` affine pieces per output unit, consecutive along the last axis.

    Returns
    -------
    ndarray, shape (..., m)
        :math:`h_j = \max_{i} z_{j k + i}`, :math:`i = 0, \dots, k-1`.
    """
    return _maxout_groups(z, k).max(axis=-1)


def maxout_prime(z, k: int = 2):
    r"""Jacobian mask of Maxout, shape of ``z``: 1 at the (first) winner of each group, else 0."""
    groups = _maxout_groups(z, k)
    mask = np.zeros_like(groups)
    np.put_along_axis(mask, groups.argmax(axis=-1)[..., None], 1.0, axis=-1)
    return mask.reshape(np.shape(z))


# --- lookup by name ----------------------------------------------------------------------

@dataclass(frozen=True)
class Activation:
    """One entry of :data:`ACTIVATIONS`: the function, its derivative, and its parameters.

    ``hyperparameters`` are fixed by the user (with their defaults); ``learnable`` is the
    number of parameters the function itself learns per channel (PReLU: 1).
    """

    name: str
    f: Callable
    f_prime: Callable
    hyperparameters: tuple[tuple[str, object], ...] = ()
    learnable: int = 0


ACTIVATIONS = MappingProxyType({a.name: a for a in (
    Activation("identity", lambda z: _as_float_array(z) + 0.0, lambda z: np.ones_like(_as_float_array(z))),
    Activation("sigmoid", sigmoid, sigmoid_prime),
    Activation("tanh", tanh, tanh_prime),
    Activation("relu", relu, relu_prime),
    Activation("leaky_relu", leaky_relu, leaky_relu_prime, (("a", 0.01),)),
    Activation("prelu", prelu, prelu_prime, (("a", 0.25),), learnable=1),
    Activation("rrelu", rrelu, rrelu_prime, (("lower", 1 / 8), ("upper", 1 / 3))),
    Activation("elu", elu, elu_prime, (("alpha", 1.0),)),
    Activation("selu", selu, selu_prime),
    Activation("softplus", softplus, softplus_prime, (("beta", 1.0),)),
    Activation("gelu", gelu, gelu_prime, (("approximate", "none"),)),
    Activation("swish", swish, swish_prime, (("beta", 1.0),)),
    Activation("maxout", maxout, maxout_prime, (("k", 2),)),
)})

_ALIASES = {"silu": "swish", "linear": "identity", "logistic": "sigmoid", "lrelu": "leaky_relu"}


def get_activation(name: str) -> Activation:
    """The :class:`Activation` called ``name`` (aliases: silu, linear, logistic, lrelu).

    Raises ``ValueError`` naming the known activations if ``name`` is unknown.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__} ({name!r})")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: name must be one of {sorted(ACTIVATIONS)} "
                         f"or an alias {sorted(_ALIASES)}")
    return ACTIVATIONS[key]
