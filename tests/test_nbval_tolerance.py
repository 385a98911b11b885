"""Tests of the notebook-output comparator (tests/nbval_tolerance.py)."""
import math
import re

import nbformat
import pytest
from hypothesis import given, strategies as st

from nbval_tolerance import (DEFAULT, Tolerance, ToleranceSpecError, compare_text,
                             last_digit_unit, parse_tolerance, reconcile, split_numbers)

pytestmark = pytest.mark.book


def stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def result(text):
    return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)


# ------------------------------------------------------------------ tokens and units

@pytest.mark.parametrize("token, unit", [("86.2", 0.1), ("0.170", 0.001), ("6.3e-05", 1e-6),
                                         ("12", 1.0), ("1.5E+03", 100.0), ("-0.25", 0.01),
                                         ("nan", 0.0)])
def test_last_digit_unit(token, unit):
    assert math.isclose(last_digit_unit(token), unit)


def test_split_keeps_identifiers_as_text():
    words, numbers = split_numbers("ch4 conv2d: loss 0.25, acc 97.5% (3,648 of 4,096) x1.5 -1e-3")
    assert numbers == ["0.25", "97.5", "3", "648", "4", "096", "-1e-3"]
    assert "ch4 conv2d" in words[0]


# ------------------------------------------------------------------ the default tolerance

def test_identical_text_passes():
    assert compare_text("loss 0.25", "loss 0.25") is None


def test_last_digit_flip_passes_and_two_units_fail():
    assert compare_text("accuracy 86.2%", "accuracy 86.1%") is None
    assert compare_text("accuracy 86.2%", "accuracy 86.0%") is not None
    assert compare_text("6.3e-05", "6.4e-05") is None
    assert compare_text("6.3e-05", "1.1e-07") is not None


def test_changed_word_fails():
    problem = compare_text("ReLU trains: loss 0.21", "ReLU fails: loss 0.21")
    assert problem is not None and "text differs" in problem


def test_table_padding_may_change_with_the_width_of_a_number():
    stored = "   acc  loss\nA   9.4%  0.50\nB  12.0%  0.41"
    new = "    acc  loss\nA   9.5%  0.50\nB  12.0%  0.41".replace("A   9.5%", "A  10.0%")
    assert compare_text(stored, stored.replace("A   9.4%", "A   9.5%")) is None
    assert compare_text(stored, new) is not None               # 9.4 -> 10.0 is too far
    assert compare_text("A   9.9%", "A  10.0%") is None         # one unit, wider column
    assert compare_text("a b", "a\nb") is not None             # a line break is not padding


def test_integers_must_match_exactly_by_default():
    assert compare_text("solved 13 of 20", "solved 14 of 20") is not None


def test_nan_against_number_fails_and_nan_matches_nan():
    assert "NaN" in compare_text("final loss 1.683", "final loss nan")
    assert "NaN" in compare_text("final loss nan", "final loss 1.683")
    assert compare_text("final loss nan", "final loss nan") is None


def test_different_count_of_numbers_fails():
    problem = compare_text("losses 0.1 0.2", "losses 0.1 0.2 0.3")
    assert problem is not None and "numbers" in problem


def test_infinities():
    assert compare_text("log Z = -inf", "log Z = -inf") is None
    assert compare_text("log Z = -inf", "log Z = -800.0") is not None


# ------------------------------------------------------------------ declared tolerances

def test_declared_tolerance_passes_within_and_fails_outside():
    tol = parse_tolerance("x = 1\n# nbval-tolerance: abs=0.02 — mean of five seeds\nprint(x)")
    assert tol == Tolerance(abs=0.02, integers_exact=False, reason="mean of five seeds")
    assert compare_text("mean loss 0.250", "mean loss 0.268", tol) is None
    problem = compare_text("mean loss 0.250", "mean loss 0.280", tol)
    assert problem is not None and "mean of five seeds" in problem


def test_relative_and_digit_tolerances():
    tol = parse_tolerance("# nbval-tolerance: rel=5%, digits=3 -- noisy")
    assert tol.rel == pytest.approx(0.05) and tol.digits == 3
    assert compare_text("1000", "1049", tol) is None
    assert compare_text("1000", "1051", tol) is not None
    assert compare_text("0.12", "0.15", tol) is None      # 3 units of 0.01


def test_declared_tolerance_covers_integers():
    tol = parse_tolerance("# nbval-tolerance: abs=2 — count over 20 random starts")
    assert compare_text("solved 13 of 20", "solved 15 of 20", tol) is None
    assert compare_text("solved 13 of 20", "solved 16 of 20", tol) is not None


def test_no_marker_means_default():
    assert parse_tolerance("print(1)  # abs=3") is None


@pytest.mark.parametrize("line", [
    "# nbval-tolerance: abs=0.02",                 # no reason
    "# nbval-tolerance: abs=0.02 —   ",            # empty reason
    "# nbval-tolerance: tol=0.02 — why",           # unknown key
    "# nbval-tolerance: abs=big — why",            # not a number
    "# nbval-tolerance: abs=-1 — why",             # negative
    "# nbval-tolerance: abs=nan — why",            # not finite
    "# nbval-tolerance: abs=2% — why",             # percentage outside rel
    "# nbval-tolerance: — why",                    # nothing declared
    "# nbval-tolerance: abs=1 — a\n# nbval-tolerance: abs=2 — b",  # twice
])
def test_malformed_markers_are_errors(line):
    with pytest.raises(ToleranceSpecError):
        parse_tolerance(line)


# ------------------------------------------------------------------ properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(finite, st.integers(min_value=1, max_value=4))
def test_property_rounding_the_same_value_passes(x, decimals):
    text = f"value {x:.{decimals}f}"
    assert compare_text(text, text) is None
    nudged = f"value {x + 10.0 ** -decimals:.{decimals}f}"
    assert compare_text(text, nudged) is None


@given(finite, st.integers(min_value=1, max_value=4), st.integers(min_value=2, max_value=50))
def test_property_moves_beyond_one_unit_fail(x, decimals, units):
    stored = f"{x:.{decimals}f}"
    moved = f"{float(stored) + units * 10.0 ** -decimals * 1.01:.{decimals}f}"
    if moved != stored:
        assert compare_text(stored, moved) is not None


@given(st.text(alphabet="abcxyz :;,()=%", min_size=1, max_size=20),
       st.text(alphabet="abcxyz :;,()=%", min_size=1, max_size=20))
def test_property_any_text_change_fails(a, b):
    # any change but the length of a run of spaces (padding, which may change)
    if re.sub(" +", " ", a) != re.sub(" +", " ", b):
        assert compare_text(f"{a} 0.5", f"{b} 0.5") is not None


# ------------------------------------------------------------------ outputs, as nbval sees them

def test_reconcile_replaces_matching_text_with_the_stored_one():
    stored = [stream("loss 0.251\n"), result("0.97")]
    new = [stream("loss 0.250\n"), result("0.96")]
    fixed, problem = reconcile(stored, new)
    assert problem is None
    assert fixed[0]["text"] == "loss 0.251\n" and fixed[1]["data"]["text/plain"] == "0.97"
    assert new[0]["text"] == "loss 0.250\n"      # the new outputs are not modified in place


def test_reconcile_reports_the_first_number_out_of_tolerance():
    fixed, problem = reconcile([stream("loss 0.25\n")], [stream("loss 0.54\n")])
    assert fixed[0]["text"] == "loss 0.54\n"
    assert "stdout" in problem and "0.25" in problem and "0.54" in problem


def test_reconcile_applies_the_sanitizer_first():
    sanitize = lambda s: s.replace("wall time: 1.3 s", "wall time: <TIME>").replace(
        "wall time: 9.9 s", "wall time: <TIME>")
    fixed, problem = reconcile([stream("wall time: 1.3 s\n")], [stream("wall time: 9.9 s\n")],
                               DEFAULT, sanitize)
    assert problem is None
