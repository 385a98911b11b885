"""nnbook.timing: best-of-n wall-clock timing."""
import time

import pytest

from nnbook.timing import best_time

pytestmark = pytest.mark.book


def test_best_time_is_the_minimum_and_calls_f_repeats_times():
    calls = []
    durations = iter([0.03, 0.01, 0.02])

    def f():
        calls.append(1)
        time.sleep(next(durations))

    t = best_time(f, repeats=3)
    assert len(calls) == 3
    assert 0.01 <= t < 0.02  # the shortest sleep, not the mean (0.02)


@pytest.mark.parametrize("f, repeats, error, match", [
    (None, 3, TypeError, "f must be callable"),
    (lambda: None, 0, ValueError, "repeats"),
    (lambda: None, 2.0, ValueError, "repeats"),
])
def test_best_time_rejects_bad_input(f, repeats, error, match):
    with pytest.raises(error, match=match):
        best_time(f, repeats=repeats)
