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

from nnbook.nn.activations import relu, sigmoid


@dataclass(frozen=True)
class OneHiddenLayer:
    r"""Scalar network :math:`\hat f(x) = \sum_k v_k\,\phi(w_k x + c_k) + d`; arrays of shape (width,)."""

    w: np.ndarray
    c: np.ndarray
    v: np.ndarray
    d: float
    activation: str = "relu"

    @property
    def width(self) -> int:
        return len(self.w)

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        phi = relu if self.activation == "relu" else sigmoid
        return phi(np.multiply.outer(x, self.w) + self.c) @ self.v + self.d


def _check_args(f, a, b, width):
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not (np.isfinite(a) and np.isfinite(b) and a < b):
        raise ValueError(f"need finite a < b, got a={a!r}, b={b!r}")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")


def relu_interpolant(f, a: float, b: float, width: int) -> OneHiddenLayer:
    r"""ReLU network equal to the linear interpolant of ``f`` at knots :math:`x_k = a + kh`.

    :math:`\hat f(x) = f(x_0) + \sum_{k=0}^{W-1} (s_k - s_{k-1})\,\mathrm{relu}(x - x_k)` with
    slopes :math:`s_k = (f(x_{k+1}) - f(x_k))/h` and :math:`s_{-1} = 0`; exact on :math:`[a, b]`.
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
    Uses ``width - 1`` hidden units (one per step; none when ``width == 1``).
    """
    _check_args(f, a, b, width)
    h = (b - a) / width
    centres = a + (np.arange(width) + 0.5) * h
    heights = f(centres)
    kappa = sharpness / h
    steps = a + np.arange(1, width) * h
    return OneHiddenLayer(np.full(width - 1, kappa), -kappa * steps, np.diff(heights), float(heights[0]), "sigmoid")


def max_error(net, f, a: float, b: float, n_grid: int = 4001) -> float:
    """Largest absolute error of ``net`` against ``f`` on ``n_grid`` equally spaced points of [a, b]."""
    x = np.linspace(a, b, n_grid)
    return float(np.max(np.abs(net(x) - f(x))))


def tent(x) -> np.ndarray:
    r"""Tent map on [0, 1] as two ReLU units: :math:`t(x) = 2\,\mathrm{relu}(x) - 4\,\mathrm{relu}(x - \tfrac12)`."""
    x = np.asarray(x, dtype=np.float64)
    return 2.0 * relu(x) - 4.0 * relu(x - 0.5)


def sawtooth_network(x, depth: int) -> np.ndarray:
    r"""The tent map composed ``depth`` times: a ReLU network with ``depth`` hidden layers of 2 units.

    On [0, 1] the result is a sawtooth with :math:`2^{\text{depth}-1}` teeth, i.e.
    :math:`2^{\text{depth}}` linear pieces (Telgarsky, 2016).
    """
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be a positive int, got {depth!r}")
    for _ in range(depth):
        x = tent(x)
    return x


def count_linear_pieces(x, y, tol: float = 1e-9) -> int:
    """Number of linear pieces of the polyline through ``(x, y)`` (x increasing, shape (n,))."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
        raise ValueError(f"x and y must be 1-D of equal length >= 2, got {x.shape} and {y.shape}")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    slopes = np.diff(y) / np.diff(x)
    return 1 + int(np.count_nonzero(np.abs(np.diff(slopes)) > tol))
