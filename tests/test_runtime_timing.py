"""nnbook.runtime.best_time: best-of-n wall-clock timing (under a fake clock, so load cannot flake it)."""
import pytest

from nnbook import runtime
from nnbook.runtime import best_time

pytestmark = pytest.mark.book


class FakeClock:
    """perf_counter() returns 0, 3, 3, 4, 4, 6...: the calls of f take 3, 1 and 2 seconds."""

    def __init__(self, durations):
        self.now, self.durations, self.started = 0.0, list(durations), False

    def perf_counter(self):
        if self.started:
            self.now += self.durations.pop(0)
        self.started = not self.started
        return self.now


def test_best_time_is_the_minimum_and_calls_f_repeats_times(monkeypatch):
    monkeypatch.setattr(runtime, "time", FakeClock([3.0, 1.0, 2.0]))
    calls = []
    t = best_time(lambda: calls.append(1), repeats=3)
    assert len(calls) == 3
    assert t == 1.0  # the shortest call, not the mean (2.0)


def test_best_time_measures_real_time():
    assert 0.0 <= best_time(lambda: sum(range(1000)), repeats=2) < 60.0


@pytest.mark.parametrize("f, repeats, error, match", [
    (None, 3, TypeError, "f must be callable"),
    (lambda: None, 0, ValueError, "repeats must be an int >= 1, got 0"),
    (lambda: None, 2.0, TypeError, r"repeats must be an int, got float \(2.0\)"),
    (lambda: None, True, TypeError, "repeats must be an int, got bool"),
])
def test_best_time_rejects_bad_input(f, repeats, error, match):
    with pytest.raises(error, match=match):
        best_time(f, repeats=repeats)
