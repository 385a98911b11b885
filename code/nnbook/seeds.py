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

from nnbook._validation import check_array, check_callable, check_format_spec, check_int, check_number, check_sequence


def over_seeds(run: Callable[[int], object], seeds: Iterable[int]) -> np.ndarray:
    """``np.array([run(s) for s in seeds])``: one row per seed.

    Parameters
    ----------
    run : callable
        ``run(seed)`` returns a number or an array of fixed shape (e.g. ``[train loss, test
        accuracy]``); NaN is allowed (a diverged run), strings and ragged results are not.
    seeds : sequence of int
        Non-empty; each an int >= 0 (floats and bools are refused).

    Returns
    -------
    ndarray of float64, shape ``(n_seeds, *shape)``
    """
    check_callable("run", run)
    seeds = [check_int(f"seeds[{i}]", s, low=0) for i, s in enumerate(check_sequence("seeds", seeds))]
    results = [run(seed) for seed in seeds]
    try:
        values = np.array(results, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"run must return a number or an array of one fixed shape for every seed: {err}") from None
    if np.asarray(results).dtype.kind in "USO":
        raise TypeError(f"run must return numbers, got {results[0]!r:.60}")
    return values


def spread(values, fmt: str = ".2f", scale: float = 1.0, unit: str = "") -> str:
    """``'mean ± std (min–max, n seeds)'`` of ``values``, each formatted with ``fmt``.

    The standard deviation is the sample one (``ddof=1``; 0 for one seed). ``scale`` multiplies
    every value first (``scale=100, unit='%'`` prints accuracies as percentages).

    Parameters
    ----------
    values : array_like of real numbers, shape (n_seeds,)
        One value per seed: non-empty, finite, 1-D (a 2-D array would be counted as more seeds).
    fmt : str, default ".2f"
        A format spec for floats (``".1f"``, ``".3g"``, ``"8.2e"``...).
    scale : float, default 1
        A finite number.
    unit : str, default ""
        Appended to each printed number.
    """
    values = _scaled(values, scale)
    check_format_spec("fmt", fmt)
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a str, got {type(unit).__name__} ({unit!r})")
    mean, std = _mean_and_std(values)
    f = lambda v: f"{v:{fmt}}{unit}"
    return (f"{f(mean)} ± {f(std)} ({f(values.min())}–{f(values.max())}, "
            f"{values.size} seed{'s' if values.size > 1 else ''})")


def _scaled(values, scale: float) -> np.ndarray:
    """``values`` (1-D: one per seed; non-empty, finite, real) multiplied by ``scale``."""
    return check_array("values", values, ndim=1) * check_number("scale", scale)


def _mean_and_std(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value)."""
    return values.mean(), (values.std(ddof=1) if values.size > 1 else 0.0)


def mean_std(values, fmt: str = ".2f", scale: float = 1.0) -> str:
    """``'mean ± std'`` of ``values``: the short form of :func:`spread`, for the cells of a table.

    Same conventions as :func:`spread`: the standard deviation is the sample one (``ddof=1``; 0
    for one value) and ``scale`` multiplies every value first. A mean that rounds to zero prints
    without a minus sign (``0 ± 1``, not ``-0 ± 1``). ``values``, ``fmt`` and ``scale`` are
    checked as in :func:`spread`.

    >>> mean_std([0.50, 0.51, 0.52], ".2f")
    '0.51 ± 0.01'
    """
    values = _scaled(values, scale)
    check_format_spec("fmt", fmt)
    mean, std = _mean_and_std(values)
    return f"{_no_negative_zero(mean, fmt)} ± {std:{fmt}}"


def _no_negative_zero(value: float, fmt: str) -> str:
    """``value`` formatted with ``fmt``, printing ``0.0`` where a tiny negative mean would show ``-0.0``."""
    text = f"{value:{fmt}}"
    is_zero = not any(c in "123456789" for c in text.split("e")[0])  # works for '%' and 'e' formats too
    return text[1:] if text.startswith("-") and is_zero else text
