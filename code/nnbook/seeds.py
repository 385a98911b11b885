"""Repeat an experiment over several seeds and report its spread.

A single training run is decided partly by rounding: the same code on a machine with other
vector kernels (AVX-512 or AVX2) or another BLAS can end at a visibly different loss. What a page
can claim is what holds over seeds, so the book runs such experiments several times and prints
the spread, not one run:

>>> from nnbook.seeds import over_seeds, spread
>>> values = over_seeds(lambda seed: 0.5 + 0.01 * seed, seeds=range(3))
>>> spread(values, ".2f")
'0.51 ± 0.01 (0.50–0.52, 3 seeds)'

Book section: "How the code is organised" (``book/code-organisation.ipynb``); used throughout
chapters 2, 4 and 5.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np


def _check_seeds(seeds) -> list[int]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be an iterable of ints, got {type(seeds).__name__}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seeds must be non-negative ints, got {seed!r}")
    return [int(s) for s in seeds]


def over_seeds(run: Callable[[int], object], seeds: Iterable[int]) -> np.ndarray:
    """``np.array([run(s) for s in seeds])``: one row per seed.

    ``run(seed)`` returns a number or an array of fixed shape (e.g. ``[train loss, test accuracy]``);
    the result has shape ``(n_seeds, *shape)``.
    """
    if not callable(run):
        raise TypeError(f"run must be callable, got {type(run).__name__}")
    return np.array([run(seed) for seed in _check_seeds(seeds)], dtype=float)


def spread(values, fmt: str = ".2f", scale: float = 1.0, unit: str = "") -> str:
    """``'mean ± std (min–max, n seeds)'`` of ``values``, each formatted with ``fmt``.

    The standard deviation is the sample one (``ddof=1``; 0 for one seed). ``scale`` multiplies
    every value first (``scale=100, unit='%'`` prints accuracies as percentages).
    """
    values = _scaled(values, scale)
    mean, std = _mean_and_std(values)
    f = lambda v: f"{v:{fmt}}{unit}"
    return (f"{f(mean)} ± {f(std)} ({f(values.min())}–{f(values.max())}, "
            f"{values.size} seed{'s' if values.size > 1 else ''})")


def _scaled(values, scale: float) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel() * scale
    if values.size == 0:
        raise ValueError("values is empty")
    return values


def _mean_and_std(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value)."""
    return values.mean(), (values.std(ddof=1) if values.size > 1 else 0.0)


def mean_std(values, fmt: str = ".2f", scale: float = 1.0) -> str:
    """``'mean ± std'`` of ``values``: the short form of :func:`spread`, for the cells of a table.

    Same conventions as :func:`spread`: the standard deviation is the sample one (``ddof=1``; 0
    for one value) and ``scale`` multiplies every value first. A mean that rounds to zero prints
    without a minus sign (``0 ± 1``, not ``-0 ± 1``).

    >>> mean_std([0.50, 0.51, 0.52], ".2f")
    '0.51 ± 0.01'
    """
    mean, std = _mean_and_std(_scaled(values, scale))
    return f"{_no_negative_zero(mean, fmt)} ± {std:{fmt}}"


def _no_negative_zero(value: float, fmt: str) -> str:
    """``value`` formatted with ``fmt``, printing ``0.0`` where a tiny negative mean would show ``-0.0``."""
    text = f"{value:{fmt}}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text
