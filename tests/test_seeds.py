"""Tests of nnbook.seeds: the seed sweep and its printed spread."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from nnbook.seeds import mean_std, over_seeds, spread


def test_over_seeds_calls_once_per_seed_in_order():
    calls = []
    values = over_seeds(lambda s: calls.append(s) or [s, 2 * s], seeds=[3, 1, 2])
    assert calls == [3, 1, 2]
    np.testing.assert_array_equal(values, [[3, 6], [1, 2], [2, 4]])


def test_spread_matches_numpy():
    values = [0.2, 0.4, 0.9]
    mean, std = np.mean(values), np.std(values, ddof=1)
    assert spread(values, ".3f") == f"{mean:.3f} ± {std:.3f} (0.200–0.900, 3 seeds)"


def test_spread_of_one_seed_and_percentages():
    assert spread([0.905], ".1f", scale=100, unit="%") == "90.5% ± 0.0% (90.5%–90.5%, 1 seed)"


@pytest.mark.parametrize("seeds, error", [([], ValueError), ([0, -1], ValueError), ([0.5], TypeError),
                                          ([True], TypeError), ("012", TypeError), (3, TypeError)])
def test_bad_seeds_are_rejected(seeds, error):
    with pytest.raises(error, match="seeds"):
        over_seeds(lambda s: s, seeds)


def test_run_must_be_callable_and_values_non_empty():
    with pytest.raises(TypeError, match="run"):
        over_seeds(3, [0])
    with pytest.raises(ValueError, match="values"):
        spread([])


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=10))
def test_property_mean_lies_within_the_printed_range(values):
    text = spread(values, ".6f")
    mean = float(text.split(" ± ")[0])
    lo, hi = (float(v) for v in text.split("(")[1].split(",")[0].split("–"))
    assert lo - 1e-6 <= mean <= hi + 1e-6


def test_mean_std_matches_the_statistics_module():
    import statistics

    values = [0.861, 0.866, 0.859, 0.869, 0.863]
    expected = f"{100 * statistics.mean(values):.1f} ± {100 * statistics.stdev(values):.1f}"
    assert mean_std(values, ".1f", scale=100) == expected
    assert mean_std([0.4], ".2f") == "0.40 ± 0.00"


def test_mean_std_rejects_empty_values():
    with pytest.raises(ValueError, match="values"):
        mean_std([])


def test_mean_std_prints_no_negative_zero():
    assert mean_std([-0.2, 0.1], ".0f") == "0 ± 0"
    assert mean_std([-0.6, -0.6], ".0f") == "-1 ± 0"
