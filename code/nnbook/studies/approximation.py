r"""Universal approximation, seen in one dimension, and the sawtooth that needs depth.

* :func:`relu_interpolant` -- a one-hidden-layer ReLU network with ``width`` units that equals
  the piecewise-linear interpolant of ``f`` on ``width + 1`` equally spaced knots, so its
  error on a smooth ``f`` falls like :math:`\max|f''|\,h^2/8` with :math:`h = (b-a)/\text{width}`;
* :func:`sigmoid_staircase` -- the idea of Cybenko's proof: a sum of steep sigmoids that builds
  a staircase, with error falling only like :math:`h`;
* :func:`sawtooth_network` -- Telgarsky's tent map composed ``depth`` times: ``2 * depth``
  ReLU units in ``depth`` hidden layers produce :math:`2^{\text{depth}}` linear pieces, while
  one hidden layer of ``m`` ReLU units can produce at most ``m + 1``.

Book pages: ``book/ch1-feedforward/04-universal-approximation`` and ``03-depth``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbook._validation import check_array, check_callable, check_int, check_number, check_option
from nnbook.nn.activations import relu, sigmoid


@dataclass(frozen=True)
class OneHiddenLayer:
    r"""Scalar network :math:`\hat f(x) = \sum_k v_k\,\phi(w_k x + c_k) + d`; arrays of shape (width,).

    ``w``, ``c``, ``v``: finite 1-D arrays of one length (0 allowed: a constant); ``d`` a finite
    number; ``activation`` "relu" or "sigmoid". Calling it on ``x`` of any shape returns that shape.
    """

    w: np.ndarray
    c: np.ndarray
    v: np.ndarray
    d: float
    activation: str = "relu"

    def __post_init__(self):
        w = check_array("w", self.w, ndim=1, allow_empty=True)
        for name in ("c", "v"):
            other = check_array(name, getattr(self, name), ndim=1, allow_empty=True)
            if other.shape != w.shape:
                raise ValueError(f"{name} must have shape {w.shape} like w, got {other.shape}")
        check_number("d", self.d)
        check_option("activation", self.activation, ("relu", "sigmoid"))

    @property
    def width(self) -> int:
        return len(self.w)

    def __call__(self, x) -> np.ndarray:
        x = check_array("x", x, allow_empty=True)
        phi = relu if self.activation == "relu" else sigmoid
        return phi(np.multiply.outer(x, self.w) + self.c) @ self.v + self.d


def _check_interval(f, a, b):
    check_callable("f", f)
    a, b = check_number("a", a), check_number("b", b)
    if not a < b:
        raise ValueError(f"a must be < b (the interval [a, b]), got a={a!r}, b={b!r}")


def _check_args(f, a, b, width):
    _check_interval(f, a, b)
    check_int("width", width, low=1)


def relu_interpolant(f, a: float, b: float, width: int) -> OneHiddenLayer:
    r"""ReLU network equal to the linear interpolant of ``f`` at equally spaced knots.

    Knots :math:`x_k = a + kh`, :math:`k = 0, \dots, W`, with :math:`h = (b - a)/W` and
    :math:`W` = ``width``:

    .. math::

        \hat f(x) = f(x_0) + \sum_{k=0}^{W-1} (s_k - s_{k-1})\,\mathrm{relu}(x - x_k),

    with slopes :math:`s_k = (f(x_{k+1}) - f(x_k))/h` and :math:`s_{-1} = 0`; the network
    equals the interpolant on :math:`[a, b]`.
    """
    _check_args(f, a, b, width)
    knots = np.linspace(a, b, width + 1)
    slopes = np.diff(f(knots)) / np.diff(knots)
    v = np.diff(slopes, prepend=0.0)
    return OneHiddenLayer(np.ones(width), -knots[:-1], v, float(f(knots[:1])[0]))


def sigmoid_staircase(f, a: float, b: float, width: int, sharpness: float = 20.0) -> OneHiddenLayer:
    r"""Sigmoid network that approximates ``f`` by a staircase of ``width`` steps.

    Cell centres :math:`m_k = a + (k + \frac12)h`; step :math:`k \ge 1` rises by
    :math:`f(m_k) - f(m_{k-1})` at the cell boundary :math:`a + kh` with slope ``sharpness / h``:
    :math:`\hat f(x) = f(m_0) + \sum_{k=1}^{W-1} (f(m_k) - f(m_{k-1}))\,\sigma(\kappa (x - a - kh)/h)`.
    Uses ``width - 1`` hidden units (one per step; none when ``width == 1``); ``sharpness`` > 0.
    """
    _check_args(f, a, b, width)
    sharpness = check_number("sharpness", sharpness, low=0.0, low_open=True)
    h = (b - a) / width
    centres = a + (np.arange(width) + 0.5) * h
    heights = f(centres)
    kappa = sharpness / h
    steps = a + np.arange(1, width) * h
    return OneHiddenLayer(np.full(width - 1, kappa), -kappa * steps, np.diff(heights), float(heights[0]), "sigmoid")


def max_error(net, f, a: float, b: float, n_grid: int = 4001) -> float:
    """Largest absolute error of ``net`` against ``f`` on ``n_grid`` (>= 2) equally spaced points of [a, b].

    ``net`` and ``f`` must both return an array of shape ``(n_grid,)`` (never broadcast).
    """
    check_callable("net", net)
    _check_interval(f, a, b)
    n_grid = check_int("n_grid", n_grid, low=2)
    x = np.linspace(a, b, n_grid)
    y_net, y_f = net(x), f(x)
    for name, values in (("net", y_net), ("f", y_f)):
        if np.shape(values) != x.shape:
            raise ValueError(f"{name}(x) must have shape {x.shape} like x, got {np.shape(values)}")
    return float(np.max(np.abs(y_net - y_f)))


def tent(x) -> np.ndarray:
    r"""Tent map on [0, 1] as two ReLU units: :math:`t(x) = 2\,\mathrm{relu}(x) - 4\,\mathrm{relu}(x - \tfrac12)`.

    ``x``: finite reals, any shape.
    """
    x = check_array("x", x)
    return 2.0 * relu(x) - 4.0 * relu(x - 0.5)


def sawtooth_network(x, depth: int) -> np.ndarray:
    r"""The tent map composed ``depth`` times: a ReLU network with ``depth`` hidden layers of 2 units.

    On [0, 1] the result is a sawtooth with :math:`2^{\text{depth}-1}` teeth, i.e.
    :math:`2^{\text{depth}}` linear pieces (Telgarsky, 2016).
    """
    depth = check_int("depth", depth, low=1)
    x = check_array("x", x)
    for _ in range(depth):
        x = tent(x)
    return x


def count_linear_pieces(x, y, tol: float = 1e-9) -> int:
    """Number of linear pieces of the polyline through ``(x, y)`` (x increasing, shape (n,), n >= 2).

    Slopes of neighbouring segments that differ by at most ``tol`` (>= 0) count as one piece.
    """
    x, y = check_array("x", x, ndim=1), check_array("y", y, ndim=1)
    if x.shape != y.shape or len(x) < 2:
        raise ValueError(f"x and y must be 1-D of equal length >= 2, got {x.shape} and {y.shape}")
    tol = check_number("tol", tol, low=0.0)
    if np.any(np.diff(x) <= 0):
        k = int(np.flatnonzero(np.diff(x) <= 0)[0])
        raise ValueError(f"x must be strictly increasing, got x[{k}] = {x[k]} and x[{k + 1}] = {x[k + 1]}")
    slopes = np.diff(y) / np.diff(x)
    return 1 + int(np.count_nonzero(np.abs(np.diff(slopes)) > tol))
