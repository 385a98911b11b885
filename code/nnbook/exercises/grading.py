"""The grading machinery behind :func:`nnbook.exercises.check`.

A grader is a function ``grader(answer, rng)`` registered under a name ``"chN.topic"`` with
:func:`grader`. It calls ``answer`` (the reader's function) on inputs drawn from ``rng``,
compares each result with the reference through :func:`compare`, and raises :class:`NotYet`
with a hint at the first disagreement. :func:`check` turns everything that can happen (a pass,
a hint, the stub's ``NotImplementedError``, any error raised by the reader's code) into one
:class:`Verdict` line, so a check cell never shows a traceback.

The random cases are seeded from the exercise name: a verdict is the same on every machine and
every run, and the cases differ from the examples printed in the notebook.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnbook._validation import check_callable, check_int, check_string

#: Every registered grader, by exercise name ("ch3.dense_backward").
GRADERS: dict[str, "Grader"] = {}


class NotYet(Exception):
    """Raised by a grader: the answer disagrees with the reference; the message is the hint."""


@dataclass(frozen=True)
class Grader:
    name: str
    title: str
    run: Callable
    n_cases: int


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`; displays as one line."""

    exercise: str
    passed: bool
    message: str

    def __str__(self) -> str:
        mark = "passed" if self.passed else "not yet"
        return f"{self.exercise}: {mark}: {self.message}"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.passed


def grader(name: str, title: str, n_cases: int = 5):
    """Register ``run(answer, rng)`` as the grader of exercise ``name`` (a decorator)."""
    def register(run):
        if name in GRADERS:
            raise ValueError(f"exercise {name!r} already has a grader")
        GRADERS[name] = Grader(name, title, run, n_cases)
        return run
    return register


def exercise_names() -> list[str]:
    """The names :func:`check` accepts, sorted."""
    return sorted(GRADERS)


def check(exercise: str, answer, seed: int | None = None) -> Verdict:
    """Grade ``answer`` for ``exercise`` on fresh random inputs and return the verdict.

    Parameters
    ----------
    exercise : str
        The exercise's name, e.g. ``"ch3.dense_backward"`` (see :func:`exercise_names`).
    answer : callable
        The reader's function, with the signature the exercise asks for.
    seed : int, optional
        Seed of the random cases; by default one derived from the exercise's name.

    Raises
    ------
    ValueError, TypeError
        For an unknown exercise name or an ``answer`` that is not callable (mistakes in the check
        cell itself, not in the answer).
    """
    exercise = check_string("exercise", exercise)
    if exercise not in GRADERS:
        raise ValueError(f"exercise must be one of {exercise_names()}, got {exercise!r}")
    check_callable("answer", answer)
    g = GRADERS[exercise]
    seed = zlib.crc32(exercise.encode()) if seed is None else check_int("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    name = getattr(answer, "__name__", "your function")
    try:
        g.run(answer, rng)
    except NotImplementedError:
        return Verdict(exercise, False, f"{name} still raises NotImplementedError: fill in the stub")
    except NotYet as hint:
        return Verdict(exercise, False, str(hint))
    except Exception as error:  # noqa: BLE001 - the reader's code may raise anything: report it in one line
        return Verdict(exercise, False, f"{name} raised {type(error).__name__}: {error}")
    return Verdict(exercise, True, f"agrees with the reference on {g.n_cases} random cases")


def matches(got, expected, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Whether ``got`` (anything a reader's function returned) is an array of numbers of
    ``expected``'s shape and values, to the graders' tolerance. Graders use it to recognise a
    known mistake (``matches(got, variant)``) before :func:`compare` gives its general hint."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def compare(what: str, got, expected, *, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Raise :class:`NotYet` with a hint unless ``got`` equals ``expected`` (arrays, to a tolerance).

    The hint names ``what`` and the kind of mistake where one is recognisable: not an array,
    a wrong or transposed shape, NaN, the wrong sign, a constant factor; otherwise where and by
    how much the largest difference is.
    """
    expected = np.asarray(expected, dtype=float)
    if got is None:
        raise NotYet(f"{what} is None: does your function return its result?")
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(f"{what} must be an array of numbers, got {type(got).__name__}") from None
    if got.shape != expected.shape:
        hint = " (transposed?)" if got.shape == expected.shape[::-1] and got.ndim == 2 else ""
        raise NotYet(f"{what} has shape {got.shape}, expected {expected.shape}{hint}")
    if np.isnan(got).any() and not np.isnan(expected).any():
        raise NotYet(f"{what} contains NaN")
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return
    if np.abs(expected).max() > atol and np.allclose(got, -expected, rtol=rtol, atol=atol):
        raise NotYet(f"{what} has the wrong sign")
    scale = np.vdot(got, expected) / max(np.vdot(expected, expected), 1e-300)
    if abs(scale) > 1e-12 and abs(scale - 1) > 1e-6 and np.allclose(got, scale * expected, rtol=rtol, atol=atol):
        raise NotYet(f"{what} is off by a constant factor ({scale:.3g} times the expected values)")
    diff = np.abs(got - expected)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    at = f" at index {tuple(int(i) for i in index)}" if diff.ndim else ""
    raise NotYet(f"{what} differs from the reference{at}: got {got[index]:.6g}, expected {expected[index]:.6g}")
