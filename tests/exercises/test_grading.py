"""nnbook.exercises.grading: verdicts for every outcome, hints for recognisable mistakes."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from nnbook.exercises import GRADERS, check, exercise_names
from nnbook.exercises.grading import NotYet, compare


def test_every_registered_exercise_is_listed_by_name():
    assert exercise_names() == sorted(GRADERS) and "ch3.dense_backward" in exercise_names()


def test_a_stub_gets_not_yet_and_no_traceback():
    def dense_backward(delta, A_prev, W):
        raise NotImplementedError

    verdict = check("ch3.dense_backward", dense_backward)
    assert not verdict and str(verdict) == (
        "ch3.dense_backward: not yet: dense_backward still raises NotImplementedError: fill in the stub")


def test_an_error_in_the_answer_is_one_line():
    verdict = check("ch3.dense_backward", lambda delta, A_prev, W: delta @ A_prev)
    assert not verdict and "raised ValueError" in verdict.message and "\n" not in str(verdict)


def test_the_same_answer_gets_the_same_verdict_every_time():
    answer = lambda d, a, w: (d.T @ a, d.sum(0), d @ w * 1.0001)  # noqa: E731
    assert str(check("ch3.dense_backward", answer)) == str(check("ch3.dense_backward", answer))


@pytest.mark.parametrize("got, expected, hint", [
    (None, [1.0], "is None"),
    ("abc", [1.0], "must be an array of numbers"),
    (np.ones((3, 2)), np.ones((2, 3)), "shape (3, 2), expected (2, 3) (transposed?)"),
    (np.ones(3), np.ones(4), "shape (3,), expected (4,)"),
    ([np.nan, 1.0], [1.0, 1.0], "contains NaN"),
    ([-1.0, 2.0], [1.0, -2.0], "wrong sign"),
    ([2.0, 4.0], [1.0, 2.0], "constant factor (2 times"),
    ([1.0, 2.5], [1.0, 2.0], "at index (1,): got 2.5, expected 2"),
])
def test_compare_names_the_mistake(got, expected, hint):
    with pytest.raises(NotYet, match=None) as error:
        compare("x", got, expected)
    assert hint in str(error.value)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8))
def test_compare_accepts_the_expected_values_themselves(values):
    compare("x", list(values), values)


@pytest.mark.parametrize("exercise, answer, error, match", [
    ("ch9.nothing", print, ValueError, "exercise must be one of"),
    (3, print, TypeError, "exercise must be a str"),
    ("ch3.dense_backward", "not a function", TypeError, "answer must be callable"),
    ("ch3.dense_backward", print, ValueError, "seed must be an int >= 0, got -1"),
])
def test_mistakes_in_the_check_cell_itself_raise(exercise, answer, error, match):
    with pytest.raises(error, match=match):
        check(exercise, answer, **({"seed": -1} if "seed" in match else {}))


@given(st.one_of(st.integers(), st.floats(), st.none(), st.lists(st.integers())))
def test_any_non_callable_answer_is_refused_by_name(answer):
    with pytest.raises(TypeError, match="answer"):
        check("ch6.viterbi_step", answer)
