r"""The properties of an activation function, measured rather than asserted.

:func:`measure_properties` evaluates an activation of :mod:`nnbook.nn.activations` on a grid and
reports what the usual property lists claim: nonlinear, kinks, monotonic, range, zero-centred
(the mean output for :math:`z \sim N(0, 1)`), saturation, near-identity at 0, learnable
parameters (counted on the matching ``torch.nn`` module). :func:`time_activation` times one
evaluation on :math:`10^7` values, in PyTorch or in NumPy.

Book section: ``book/ch2-activations/03-properties.ipynb``.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from nnbook import runtime
from nnbook._validation import check_callable, check_int, check_option
from nnbook.nn.activations import get_activation
from nnbook.nets.builder import TORCH_ACTIVATIONS

#: Names in :mod:`nnbook.nn.activations` whose ``torch.nn`` module has another name (none: the torch
#: registry is keyed by the NumPy names).
TORCH_NAMES: dict[str, str] = {}

_GRID = np.linspace(-10.0, 10.0, 20001)
_FAR = 1000.0


def _bound(value: float, unbounded: bool, attained: bool, lower: bool) -> str:
    if unbounded:
        return "(-∞" if lower else "∞)"
    text = "0" if abs(value) < 5e-4 else f"{value:.3g}"
    return ("[" if attained else "(") + text if lower else text + ("]" if attained else ")")


def torch_module(name: str) -> torch.nn.Module:
    """The ``torch.nn`` module computing the activation ``name`` (raises ValueError if none)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be an activation name (a str), got {type(name).__name__} ({name!r})")
    key = TORCH_NAMES.get(name, name)
    if key not in TORCH_ACTIVATIONS:
        raise ValueError(f"no torch module for activation {name!r}: name must be one of {sorted(TORCH_ACTIVATIONS)}")
    return TORCH_ACTIVATIONS[key]()


def measure_properties(name: str, **kwargs) -> dict:
    """Measure the properties of the activation ``name`` (extra ``kwargs`` go to the function).

    Returns
    -------
    dict
        ``nonlinear`` (bool: the derivative is not constant), ``kink at 0`` (bool: left and
        right derivatives differ), ``monotonic`` (bool, on [-10, 10]), ``range`` (str, from the
        values on [-10, 10] and at +-1000, +-2000: unbounded where it still grows there, a square
        bracket where the bound is attained on [-10, 10]),
        ``mean for z~N(0,1)`` (float, by quadrature), ``zero-centred`` (bool: that mean is
        below 0.01 in size), ``saturates`` (str: where ``|f'| < 1e-6`` at ``z = -+50``),
        ``identity near 0`` (str: f(0) = 0 and slope 1 on both sides, the right only, or no),
        ``learnable parameters`` (int, of the torch module with default arguments).
    """
    entry = get_activation(name)

    def f(z):
        return entry.f(z, **kwargs)

    def f_prime(z):
        return entry.f_prime(z, **kwargs)

    values, slopes = f(_GRID), f_prime(_GRID)
    far, farther = f(np.array([-_FAR, _FAR])), f(np.array([-2 * _FAR, 2 * _FAR]))
    grows = np.abs(farther - far) > 1.0  # still growing linearly at |z| = 1000: unbounded
    low, high = min(values.min(), far[0]), max(values.max(), far[1])
    h = 1e-7
    f0 = float(f(np.array([0.0]))[0])
    left, right = (f0 - f(np.array([-h]))[0]) / h, (f(np.array([h]))[0] - f0) / h
    density = np.exp(-_GRID**2 / 2) / math.sqrt(2 * math.pi)
    mean = float(np.sum(values * density) * (_GRID[1] - _GRID[0]))
    flat = np.abs(f_prime(np.array([-50.0, 50.0]))) < 1e-6
    saturates = {(True, True): "both sides", (True, False): "z → -∞", (False, True): "z → +∞",
                 (False, False): "no"}[tuple(bool(x) for x in flat)]
    if abs(f0) < 1e-12 and abs(right - 1) < 1e-5:
        identity = "yes" if abs(left - 1) < 1e-5 else "for z > 0 only"
    else:
        identity = "no"
    return {
        "nonlinear": bool(np.ptp(slopes) > 1e-9),
        "kink at 0": bool(abs(left - right) > 1e-5),
        "monotonic": bool(np.all(np.diff(values) >= 0)),
        "range": _bound(low, bool(grows[0]), bool(values.min() == low), True) + ", "
        + _bound(high, bool(grows[1]), bool(values.max() == high), False),
        "mean for z~N(0,1)": round(mean, 3) + 0.0,
        "zero-centred": bool(abs(mean) < 0.01),
        "saturates": saturates,
        "identity near 0": identity,
        "learnable parameters": sum(p.numel() for p in torch_module(name).parameters()),
    }


def best_time(function, *args, repeats: int = 3) -> float:
    """Best wall-clock time (seconds) of ``function(*args)`` over ``repeats`` (>= 1) calls, without autograd.

    :func:`nnbook.runtime.best_time` under ``torch.no_grad()``.
    """
    check_callable("function", function)
    repeats = check_int("repeats", repeats, low=1)
    with torch.no_grad():
        return runtime.best_time(lambda: function(*args), repeats=repeats)


def time_activation(name: str, n: int = 10**7, repeats: int = 3, backend: str = "torch", seed: int = 0) -> float:
    """Best wall-clock time (seconds) of one evaluation of the activation ``name`` on ``n`` values.

    ``backend="torch"`` times the ``torch.nn`` module on float32 values; ``backend="numpy"``
    times this package's NumPy function on float64 values. Durations vary from run to run and
    machine to machine: print them only as ratios (``time ratio: ...``) or show them in figures.
    ``n`` and ``repeats`` are ints >= 1, ``seed`` an int >= 0, ``backend`` "torch" or "numpy".
    """
    n = check_int("n", n, low=1)
    repeats = check_int("repeats", repeats, low=1)
    seed = check_int("seed", seed, low=0)
    check_option("backend", backend, ("torch", "numpy"))
    get_activation(name)  # an unknown name is refused before anything is drawn
    if backend == "torch":
        return best_time(torch_module(name).eval(), torch.randn(n, generator=torch.Generator().manual_seed(seed)),
                         repeats=repeats)
    return best_time(get_activation(name).f, np.random.default_rng(seed).standard_normal(n), repeats=repeats)
