"""nnbook._validation: the shared checks refuse bad values with the argument's name and the value."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook import _validation as v

pytestmark = pytest.mark.book


# ------------------------------------------------------------------------------ integers, numbers
@given(st.integers(-10**6, 10**6))
def test_check_int_accepts_ints_and_returns_python_int(n):
    assert v.check_int("n", n) == n and type(v.check_int("n", np.int64(n))) is int


@pytest.mark.parametrize("bad", [2.0, 2.5, True, np.bool_(True), "3", None, 1j, np.float64(1.0)])
def test_check_int_refuses_non_ints_by_name(bad):
    with pytest.raises(TypeError, match=r"^depth must be an int, got"):
        v.check_int("depth", bad)


@given(st.integers(), st.integers(), st.integers())
def test_check_int_bounds(n, low, high):
    if low <= n <= high:
        assert v.check_int("n", n, low=low, high=high) == n
    else:
        with pytest.raises(ValueError, match=rf"n must be an int [<>]= .*got {n}$"):
            v.check_int("n", n, low=low, high=high)


@pytest.mark.parametrize("bad, error", [(math.nan, ValueError), (math.inf, ValueError), (-math.inf, ValueError),
                                        (True, TypeError), ("0.1", TypeError), (1j, TypeError), (None, TypeError)])
def test_check_number_refuses_nan_inf_bools_strings_complex(bad, error):
    with pytest.raises(error, match="lr must be"):
        v.check_number("lr", bad, low=0, low_open=True)


def test_check_number_intervals():
    assert v.check_number("p", 0.0, low=0, high=1) == 0.0
    with pytest.raises(ValueError, match=r"lr must be > 0, got 0.0"):
        v.check_number("lr", 0.0, low=0, low_open=True)
    with pytest.raises(ValueError, match=r"p must be < 1, got 1.0"):
        v.check_number("p", 1, low=0, high=1, high_open=True)
    assert v.check_number("clip", math.inf, low=0, finite=False) == math.inf


def test_check_bool_and_option():
    assert v.check_bool("shuffle", np.bool_(False)) is False
    with pytest.raises(TypeError, match="shuffle must be True or False, got int"):
        v.check_bool("shuffle", 1)
    assert v.check_option("norm", "batch", ("batch", "layer")) == "batch"
    with pytest.raises(ValueError, match=r"norm must be one of 'batch', 'layer'; got 'bach'"):
        v.check_option("norm", "bach", ("batch", "layer"))
    with pytest.raises(TypeError, match="norm must be one of"):
        v.check_option("norm", None, ("batch", "layer"))


# ------------------------------------------------------------------------------------------ arrays
def test_check_array_converts_and_checks_shape():
    out = v.check_array("X", [[1, 2], [3, 4]], ndim=2, shape=(None, 2))
    assert out.dtype == np.float64 and out.shape == (2, 2)
    with pytest.raises(ValueError, match=r"X must have shape \(\?, 3\), got \(2, 2\)"):
        v.check_array("X", out, shape=(None, 3))
    with pytest.raises(ValueError, match=r"X must be 1-D or 3-D, got shape \(2, 2\)"):
        v.check_array("X", out, ndim=(1, 3))
    assert v.check_array("X", np.float32([1]), dtype="any").dtype == np.float32


@pytest.mark.parametrize("bad, error, match", [
    ([1.0, np.nan], ValueError, r"X must be finite, got X\[1\] = nan"),
    ([np.inf], ValueError, "X must be finite"),
    ([], ValueError, "X is empty"),
    ([True, False], TypeError, "X must hold real numbers, got dtype bool"),
    ([1j], TypeError, "X must hold real numbers, got dtype complex"),
    (["a"], TypeError, "X must hold real numbers"),
    ("abc", TypeError, "X must be an array of numbers, got str"),
    (None, TypeError, "X must be an array of numbers, got NoneType"),
    ([[1, 2], [3]], ValueError, "X must be a rectangular array"),
])
def test_check_array_refuses(bad, error, match):
    with pytest.raises(error, match=match):
        v.check_array("X", bad)


def test_check_array_int_refuses_floats_instead_of_truncating():
    assert v.check_array("obs", [0, 2], dtype="int").dtype == np.int64
    with pytest.raises(TypeError, match="obs must hold ints, got dtype float64"):
        v.check_array("obs", [0.0, 2.7], dtype="int")


@given(st.lists(st.floats(0, 1), min_size=1, max_size=6))
def test_check_probabilities_accepts_exactly_the_vectors_that_sum_to_one(p):
    p = np.array(p)
    if abs(p.sum() - 1) <= 1e-8:
        np.testing.assert_array_equal(v.check_probabilities("pi", p), p)
    else:
        with pytest.raises(ValueError, match="pi must sum to 1, got sums"):
            v.check_probabilities("pi", p)


def test_check_probabilities_names_negative_entries_and_row_sums():
    with pytest.raises(ValueError, match=r"A has negative probabilities, e.g. A\[0, 1\] = -0.1"):
        v.check_probabilities("A", [[1.1, -0.1], [0.5, 0.5]], ndim=2)
    with pytest.raises(ValueError, match=r"rows of A must sum to 1, got sums \[1.2 1. \]"):
        v.check_probabilities("A", [[0.6, 0.6], [0.5, 0.5]], ndim=2)


def test_check_labels():
    np.testing.assert_array_equal(v.check_labels("y", [0, 2], 3), [0, 2])
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\), got \[-1, 3\]"):
        v.check_labels("y", [0, -1, 3], 3)


# ------------------------------------------------------------------------------ random state etc.
def test_check_random_state():
    g = np.random.default_rng(1)
    assert v.check_random_state(g) is g
    assert v.check_random_state(5).integers(100) == np.random.default_rng(5).integers(100)
    for bad, error in [(-1, ValueError), ("abc", TypeError), (2.5, TypeError), (True, TypeError)]:
        with pytest.raises(error, match="random_state must be"):
            v.check_random_state(bad)


def test_check_enumeration_and_same_length():
    assert v.check_enumeration("obs", 10, 100) == 10
    with pytest.raises(ValueError, match="obs: enumerating 1,024 paths exceeds the limit of 100"):
        v.check_enumeration("obs", 1024, 100, "paths")
    with pytest.raises(ValueError, match="X and y must have the same length, got 3 and 2"):
        v.check_same_length(("X", "y"), [1, 2, 3], [1, 2])


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([np.nan, np.inf, -np.inf]), st.integers(1, 3))
def test_check_tensor_refuses_non_finite(value, n):
    import torch

    x = torch.zeros(n, dtype=torch.float64)
    assert v.check_tensor("x", x) is x
    x[-1] = value
    with pytest.raises(ValueError, match="x must be finite"):
        v.check_tensor("x", x)
    with pytest.raises(TypeError, match="x must be a floating-point tensor"):
        v.check_tensor("x", torch.zeros(n, dtype=torch.int64))


# ------------------------------------------------------------------------------ log arrays
def test_check_log_array_allows_minus_inf_only():
    x = v.check_log_array("log_trans", [[0.0, -np.inf], [-1.0, -2.0]], shape=(2, 2))
    assert x.dtype == np.float64 and x[0, 1] == -np.inf
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match=r"log_trans must hold finite numbers or -inf, got log_trans\[1, 0\]"):
            v.check_log_array("log_trans", [[0.0, 0.0], [bad, 0.0]])
    with pytest.raises(ValueError, match=r"log_emit must be 2-D"):
        v.check_log_array("log_emit", [0.0], ndim=2)
    with pytest.raises(TypeError, match="log_emit must hold real numbers"):
        v.check_log_array("log_emit", [[1j]])
    with pytest.raises(ValueError, match="log_emit is empty"):
        v.check_log_array("log_emit", np.zeros((0, 2)), ndim=2)


# ------------------------------------------------------------- strings, sequences, format specs
def test_check_strings_and_check_string():
    assert v.check_strings("words", ("香港", "人")) == ["香港", "人"]
    assert v.check_strings("words", [], allow_empty=True) == []
    for bad, error, match in [("香港", TypeError, "words must be a list of strings, got str"),
                              ([], ValueError, "words is empty"), (["a", 3], TypeError, r"words\[1\] must be a str"),
                              (["a", ""], ValueError, r"words\[1\] is an empty string"), (None, TypeError, "words must be"),
                              ({"a": 1}, TypeError, "words must be a list")]:
        with pytest.raises(error, match=match):
            v.check_strings("words", bad)
    assert v.check_string("text", "abc") == "abc"
    with pytest.raises(ValueError, match="text is an empty string"):
        v.check_string("text", "")
    with pytest.raises(TypeError, match="text must be a str, got list"):
        v.check_string("text", ["a"])


@given(st.lists(st.text(min_size=1), max_size=5))
def test_check_strings_returns_the_words_unchanged(words):
    assert v.check_strings("words", words, allow_empty=True) == words


def test_check_sequence():
    assert v.check_sequence("seeds", range(3)) == [0, 1, 2]
    assert v.check_sequence("terms", (), allow_empty=True) == []
    for bad, error in [("012", TypeError), (3, TypeError), ({1, 2}, TypeError), ([], ValueError), (None, TypeError)]:
        with pytest.raises(error, match="seeds"):
            v.check_sequence("seeds", bad)


def test_check_format_spec():
    assert v.check_format_spec("fmt", ".2f") == ".2f" and v.check_format_spec("fmt", "8.1%") == "8.1%"
    for bad, error in [("d", ValueError), ("s", ValueError), (".2q", ValueError), (2, TypeError), (None, TypeError)]:
        with pytest.raises(error, match="fmt must be"):
            v.check_format_spec("fmt", bad)


def test_check_float_array_keeps_precision_and_refuses_nan():
    x32 = np.ones(3, np.float32)
    assert v.check_float_array("X", x32) is x32  # float32 stays float32, no copy
    assert v.check_float_array("X", [1, 2], cast_ints=True).dtype == np.float64
    with pytest.raises(TypeError, match="X must hold floats, got dtype int64"):
        v.check_float_array("X", np.arange(3))
    with pytest.raises(TypeError, match="X must hold real numbers"):
        v.check_float_array("X", np.ones(2, complex))
    np.testing.assert_array_equal(v.check_float_array("z", [-np.inf, 1.0], allow_inf=True), [-np.inf, 1.0])
    with pytest.raises(ValueError, match=r"z must not contain NaN, got z\[1\] = nan"):
        v.check_float_array("z", [-np.inf, np.nan], allow_inf=True)
    with pytest.raises(ValueError, match=r"X must be finite, got X\[0\] = inf"):
        v.check_float_array("X", [np.inf])
    with pytest.raises(ValueError, match="X must be 2-D"):
        v.check_float_array("X", np.ones(3), ndim=2)


# ------------------------------------------------------------------------------ callables (studies, issue 14)
@pytest.mark.parametrize("bad", [3, "f", None, [len], np.zeros(2)])
def test_check_callable_refuses_non_callables_by_name(bad):
    with pytest.raises(TypeError, match=r"^grad_fn must be callable, got"):
        v.check_callable("grad_fn", bad)


def test_check_callable_returns_callables_and_none_only_when_allowed():
    assert v.check_callable("f", len) is len and v.check_callable("loss_fn", None, allow_none=True) is None


def test_check_images_names_the_channels():
    import torch

    x = torch.zeros(2, 3, 4, 4)
    assert v.check_images("X", x, channels=3) is x
    with pytest.raises(ValueError, match=r"X must have 3 channels, shape \(N, 3, H, W\), got \(2, 1, 4, 4\)"):
        v.check_images("X", torch.zeros(2, 1, 4, 4), channels=3)
    with pytest.raises(ValueError, match="X must be 4-D"):
        v.check_images("X", torch.zeros(3, 4, 4), channels=3)
