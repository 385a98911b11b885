"""The one validation floor of nnbook: checks every public entry point calls on its arguments.

Each check takes the argument's ``name`` first, returns the value in canonical form (a float64
array, a Python ``int``...) and raises ``TypeError`` for a value of the wrong kind or
``ValueError`` for a value of the right kind out of its domain. Messages name the argument and
show the offending value, e.g. ``ValueError: rows of A must sum to 1, got sums [1.2 1. ]``.
Nothing is coerced silently: a float is not an int, ``True`` is not a number, a probability
vector that sums to 0.9 is not renormalised. (Style guide, convention 5; book appendix
"How the code is organised".)

Private: import the functions from here, never re-export them.
"""
from __future__ import annotations

import math
import numbers
from typing import Iterable

import numpy as np

__all__ = [
    "check_array", "check_int", "check_number", "check_bool", "check_option", "check_probabilities",
    "check_labels", "check_random_state", "check_enumeration", "check_same_length", "check_tensor",
]


def _show(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]``; bools and floats (even 2.0) are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({_show(value)})")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be an int <= {high}, got {value}")
    return value


def check_number(name: str, value, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, finite: bool = True) -> float:
    """``value`` as a real ``float`` in the interval given by ``low``/``high``.

    ``low_open=True`` excludes ``low`` itself (``lr > 0``), likewise ``high_open``. NaN is always
    refused; infinities unless ``finite=False``. Bools, complex numbers and strings are refused.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({_show(value)})")
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def check_bool(name: str, value) -> bool:
    """``value`` as a ``bool``; 0/1 and strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} ({_show(value)})")
    return bool(value)


def check_option(name: str, value, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options``; the message lists the allowed values."""
    options = tuple(options)
    allowed = ", ".join(repr(o) for o in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {allowed}; got {type(value).__name__} ({_show(value)})")
    if value not in options:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_array(name: str, value, *, ndim: int | tuple[int, ...] | None = None, shape: tuple | None = None,
                dtype: str = "float", finite: bool = True, allow_empty: bool = False) -> np.ndarray:
    """``value`` as a NumPy array of the given kind, ``ndim`` and ``shape``.

    Parameters
    ----------
    dtype : {"float", "int", "any"}
        ``"float"`` accepts real numbers (ints and floats, never bools, complex or objects) and returns
        float64; ``"int"`` accepts integer arrays only (a float array is refused, not truncated) and
        returns int64; ``"any"`` accepts real numbers and keeps the dtype (float32 stays float32).
    shape : tuple of int or None
        Expected shape; ``None`` entries are free, e.g. ``(None, 3)``.
    finite : bool
        Refuse NaN and infinities (for ``dtype="float"``/``"any"``).
    allow_empty : bool
        Accept arrays with no elements.
    """
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__} ({_show(value)})")
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    kind = arr.dtype.kind
    if dtype == "int":
        if kind not in "iu":
            raise TypeError(f"{name} must hold ints, got dtype {arr.dtype}")
    elif dtype in ("float", "any"):
        if kind not in "iuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    else:
        raise ValueError(f"dtype must be 'float', 'int' or 'any', got {dtype!r}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty, got shape {arr.shape}")
    if dtype == "int":
        return arr.astype(np.int64, copy=False)
    if finite and kind == "f" and not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite, got {name}{list(where)} = {arr[where]}")
    return arr.astype(np.float64, copy=False) if dtype == "float" else arr


def check_tensor(name: str, value, *, ndim: int | tuple[int, ...] | None = None, floating: bool = True,
                 finite: bool = True):
    """``value`` if it is a torch tensor of the given ``ndim`` (floating point, finite by default)."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.ndim not in allowed:
            raise ValueError(f"{name} must be {' or '.join(f'{d}-D' for d in allowed)}, got shape {tuple(value.shape)}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    if value.numel() == 0:
        raise ValueError(f"{name} is empty, got shape {tuple(value.shape)}")
    if floating and finite and not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} must be finite; it contains NaN or infinite values")
    return value


def check_probabilities(name: str, value, *, ndim: int = 1, atol: float = 1e-8) -> np.ndarray:
    """A probability vector (``ndim=1``) or a row-stochastic matrix (``ndim=2``), as float64.

    Negative entries are shown with their index; rows that do not sum to 1 within ``atol`` are
    shown with their sums. Nothing is renormalised.
    """
    P = check_array(name, value, ndim=ndim)
    if (P < 0).any():
        idx = tuple(int(i) for i in np.argwhere(P < 0)[0])
        raise ValueError(f"{name} has negative probabilities, e.g. {name}{list(idx)} = {P[idx]:g}")
    if P.shape[-1] == 0:
        raise ValueError(f"{name} is empty, got shape {P.shape}")
    sums = P.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=atol):
        what = f"rows of {name} must sum to 1" if ndim > 1 else f"{name} must sum to 1"
        raise ValueError(f"{what}, got sums {np.array2string(np.atleast_1d(sums), precision=6)}")
    return P


def check_labels(name: str, value, n_classes: int, *, ndim: int = 1) -> np.ndarray:
    """Integer labels in ``[0, n_classes)`` as int64; out-of-range labels are shown."""
    y = check_array(name, value, ndim=ndim, dtype="int")
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        raise ValueError(f"{name} must hold labels in [0, {n_classes}), got {np.unique(y[bad])[:10].tolist()}")
    return y


def check_random_state(random_state=None, name: str = "random_state") -> np.random.Generator:
    """The one helper that turns ``random_state`` (None, a non-negative int or a Generator) into a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None:
        return np.random.default_rng()
    seed = check_int(name, random_state, low=0) if not isinstance(random_state, str) else None
    if seed is None:
        raise TypeError(f"{name} must be None, an int or a numpy Generator, got str ({random_state!r})")
    return np.random.default_rng(seed)


def check_enumeration(name: str, count: int, limit: int, what: str = "items") -> int:
    """Refuse an exhaustive enumeration of ``count`` items above ``limit`` (the documented limit)."""
    if count > limit:
        raise ValueError(f"{name}: enumerating {count:,} {what} exceeds the limit of {limit:,}; "
                         "use the exact dynamic-programming routine instead, or raise the limit")
    return count


def check_same_length(names: tuple[str, str], a, b) -> None:
    """Two sequences that must be aligned (``X`` and ``y``, observations and states)."""
    if len(a) != len(b):
        raise ValueError(f"{names[0]} and {names[1]} must have the same length, got {len(a)} and {len(b)}")


def check_strings(name: str, value, *, allow_empty: bool = False) -> list:
    """``value`` as a list of non-empty strings (the words of a sentence, the tokens of a review).

    One ``str`` is refused rather than read as a sequence of characters (``"good"`` is not
    ``["g", "o", "o", "d"]``); so are non-string items and empty strings, each shown with its index.
    An empty sequence is refused unless ``allow_empty``.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) or isinstance(value, (dict, set)):
        raise TypeError(f"{name} must be a list of strings, got {type(value).__name__} ({_show(value)})")
    items = list(value)
    if not items and not allow_empty:
        raise ValueError(f"{name} is empty: give at least one string")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(item).__name__} ({_show(item)})")
        if not item:
            raise ValueError(f"{name}[{i}] is an empty string")
    return items


def check_float_array(name: str, value, *, ndim: int | tuple[int, ...] | None = None, shape: tuple | None = None,
                      allow_inf: bool = False, cast_ints: bool = False, allow_empty: bool = False) -> np.ndarray:
    """``value`` as a floating-point array that keeps its precision (float32 stays float32).

    For layers whose output has the dtype of their input (convolution, pooling, batch norm,
    activations). Integer arrays are refused (``TypeError``) unless ``cast_ints=True``, which
    turns them into float64; bools, complex numbers, strings and objects are always refused.
    NaN is always refused; ``+-inf`` too unless ``allow_inf=True`` (an activation at
    ``z = -inf``, a max pool over ``-inf`` entries). ``ndim``, ``shape`` and ``allow_empty``
    are those of :func:`check_array`.
    """
    arr = check_array(name, value, ndim=ndim, shape=shape, dtype="any", finite=False, allow_empty=allow_empty)
    if arr.dtype.kind in "iu":
        if not cast_ints:
            raise TypeError(f"{name} must hold floats, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        what = "must not contain NaN" if allow_inf else "must be finite"
        raise ValueError(f"{name} {what}, got {name}{list(where)} = {arr[where]}")
    return arr


def check_log_array(name: str, value, *, ndim: int | tuple[int, ...] | None = None,
                    shape: tuple | None = None) -> np.ndarray:
    """``value`` as a float64 array of logarithms (log-probabilities, log-potentials).

    ``-inf`` is allowed (the log of an impossible event, a forbidden transition); NaN and
    ``+inf`` are refused, with the first offending index shown. Otherwise as :func:`check_array`
    (real numbers only, ``ndim``/``shape`` checked, not empty); the memory layout is kept.
    """
    arr = check_array(name, value, ndim=ndim, shape=shape, finite=False)
    bad = np.isnan(arr) | (arr == np.inf)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must hold finite numbers or -inf, got {name}{list(where)} = {arr[where]}")
    return arr


def check_string(name: str, value) -> str:
    """``value`` if it is a non-empty ``str`` (a text, a word, a sentence of characters)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} ({_show(value)})")
    if not value:
        raise ValueError(f"{name} is an empty string")
    return value


def check_sequence(name: str, value, *, allow_empty: bool = False) -> list:
    """``value`` (a list, tuple, range, generator...) as a list; one ``str``, a dict or a set is refused.

    For sequences of sequences (sentences of words, events of a timeline); an empty one is
    refused unless ``allow_empty``. Check the items with the other checks.
    """
    if isinstance(value, (str, bytes, dict, set)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a sequence (a list or tuple), got {type(value).__name__} ({_show(value)})")
    items = list(value)
    if not items and not allow_empty:
        raise ValueError(f"{name} is empty: give at least one item")
    return items


def check_format_spec(name: str, value, sample: float = 0.5) -> str:
    """``value`` if it is a format spec that formats a float (``".2f"``, ``".3g"``, ``"8.1%"``); ``"d"`` is refused."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (a format spec such as '.2f'), got {type(value).__name__} ({_show(value)})")
    try:
        format(sample, value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be a format spec for floats such as '.2f', got {value!r} ({err})") from None
    return value


def check_callable(name: str, value, *, allow_none: bool = False):
    """``value`` if it is callable (a function, a loss, a model); ``None`` too when ``allow_none``."""
    if value is None and allow_none:
        return value
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__} ({_show(value)})")
    return value


def check_images(name: str, value, channels: int):
    """A batch of images as a torch tensor of shape (N, ``channels``, H, W) (any values, inf included)."""
    check_tensor(name, value, ndim=4, finite=False)
    if value.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channels, shape (N, {channels}, H, W), got {tuple(value.shape)}")
    return value
