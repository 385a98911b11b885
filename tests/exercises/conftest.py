"""Shared by the chapters' grader tests: the property that a bad answer gets one line of "not yet"."""
import pytest

from nnbook.exercises import check


@pytest.fixture(scope="session")
def assert_one_line_not_yet():
    """``assert_one_line_not_yet(exercise, result, raises)``: grade an answer that returns ``result``
    (or raises, when ``raises``) and assert the verdict is "not yet", on one line, with no traceback."""
    def run(exercise, result, raises):
        def answer(*args):
            if raises:
                raise ValueError("shapes (3,4) and (5,) not aligned")
            return result

        verdict = check(exercise, answer)
        assert not verdict and str(verdict).startswith(f"{exercise}: not yet: ") and "\n" not in str(verdict)
    return run
