"""Bad inputs to the top-level helpers (runtime, seeds, plotting) raise TypeError/ValueError naming the argument.

Hypothesis draws families of bad values; the checks run before anything is seeded or drawn, so
a refused ``setup`` call leaves every generator as it was.
"""
import math
import random

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnbook import plotting, runtime, seeds  # noqa: E402

pytestmark = pytest.mark.book
FAST = settings(max_examples=25, deadline=None)
ERRORS = (TypeError, ValueError)

non_int = st.one_of(st.floats(), st.booleans(), st.text(max_size=3), st.none(), st.just(1j), st.just([1]))
not_bool = st.one_of(st.integers(), st.floats(), st.text(max_size=3), st.none())
not_finite_number = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf]), st.text(max_size=3), st.none(),
                              st.booleans(), st.just(1j))


def raises(name, f, *args, **kwargs):
    with pytest.raises(ERRORS, match=name):
        f(*args, **kwargs)
    plt.close("all")


# -------------------------------------------------------------------------------- runtime
@FAST
@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=2**32), non_int))
def test_setup_refuses_bad_seed_and_touches_nothing(value):
    state = random.getstate()
    raises("seed", runtime.setup, seed=value, style=False)
    assert random.getstate() == state


@FAST
@given(st.one_of(st.integers(max_value=0), non_int))
def test_setup_refuses_bad_threads(value):
    raises("threads", runtime.setup, threads=value, style=False)


@FAST
@given(not_bool)
def test_setup_refuses_non_bool_style(value):
    raises("style", runtime.setup, style=value)


@FAST
@given(st.one_of(st.integers(max_value=0), non_int))
def test_best_time_refuses_bad_repeats(value):
    raises("repeats", runtime.best_time, lambda: None, repeats=value)
    raises("f", runtime.best_time, value)


# ---------------------------------------------------------------------------------- seeds
@FAST
@given(st.one_of(st.just([]), st.integers(), st.text(max_size=3), st.none(),
                 st.lists(st.integers(0, 5), max_size=2).map(lambda s: s + [-1]),
                 st.lists(st.integers(0, 5), max_size=2).map(lambda s: s + [1.0]),
                 st.lists(st.integers(0, 5), max_size=2).map(lambda s: [True] + s)))
def test_over_seeds_refuses_bad_seeds(value):
    raises("seeds", seeds.over_seeds, lambda s: s, value)


@FAST
@given(st.one_of(st.integers(), st.text(max_size=3), st.none(), st.lists(st.integers(), max_size=2)))
def test_over_seeds_refuses_a_run_that_is_not_callable(value):
    raises("run", seeds.over_seeds, value, [0])


@pytest.mark.parametrize("run", [lambda s: "0.5", lambda s: [0.0] * (s + 1), lambda s: 1j, lambda s: {"a": 1}])
def test_over_seeds_refuses_results_that_are_not_numbers_of_one_shape(run):
    raises("run", seeds.over_seeds, run, [0, 1])


bad_values = st.one_of(
    st.just([]), st.none(), st.text(min_size=1, max_size=3), st.just([True, False]), st.just([1j]),
    st.sampled_from([math.nan, math.inf, -math.inf]).map(lambda v: [0.5, v]), st.just([[0.1], [0.2, 0.3]]),
    st.just(np.zeros((2, 2))), st.just(0.5),  # not one value per seed: 2-D or a scalar
)


@FAST
@given(bad_values)
def test_spread_and_mean_std_refuse_bad_values(value):
    raises("values", seeds.spread, value)
    raises("values", seeds.mean_std, value)


@FAST
@given(st.one_of(st.sampled_from(["d", "s", "x", "c", "b", ".2q", "{", "%%", ".-2f"]), st.integers(), st.none()))
def test_spread_and_mean_std_refuse_bad_format_specs(fmt):
    raises("fmt", seeds.spread, [0.5, 0.6], fmt)
    raises("fmt", seeds.mean_std, [0.5, 0.6], fmt)


@FAST
@given(not_finite_number)
def test_spread_and_mean_std_refuse_bad_scale(value):
    raises("scale", seeds.spread, [0.5], scale=value)
    raises("scale", seeds.mean_std, [0.5], scale=value)


@FAST
@given(st.one_of(st.integers(), st.none(), st.just(["%"])))
def test_spread_refuses_a_unit_that_is_not_a_string(value):
    raises("unit", seeds.spread, [0.5], unit=value)


@FAST
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=8), st.sampled_from([".1f", ".3g", "8.2e", ".0%"]))
def test_property_good_values_and_formats_print(values, fmt):
    assert " ± " in seeds.spread(values, fmt) and " ± " in seeds.mean_std(values, fmt)


def test_mean_std_prints_no_negative_zero_with_percent_formats():
    # the old check parsed the printed text with float(), which failed on '-0%'
    assert seeds.mean_std([-0.001, 0.0], ".0%") == "0% ± 0%"


# ------------------------------------------------------------------------------- plotting
@FAST
@given(st.one_of(
    st.integers(0, 3).map(lambda n: np.zeros((3,) * n)),  # 0-D to 2-D... and 3-D below is fine, so n < 3
    st.just(np.zeros((2, 2, 2, 2))), st.just(np.zeros((0, 4, 4))), st.just(np.array([[["a"]]])),
    st.sampled_from([math.nan, math.inf]).map(lambda v: np.full((1, 2, 2), v)), st.none(), st.text(max_size=3),
    st.just(np.zeros((1, 2, 2), dtype=complex)),
).filter(lambda a: not (isinstance(a, np.ndarray) and a.ndim == 3 and a.size and a.dtype.kind == "f" and np.isfinite(a).all())))
def test_image_grid_refuses_bad_images(images):
    raises("images", plotting.image_grid, images)


@FAST
@given(st.one_of(st.integers(max_value=0), non_int))
def test_image_grid_refuses_bad_n_cols(value):
    raises("n_cols", plotting.image_grid, np.zeros((2, 3, 3)), n_cols=value)


@FAST
@given(st.one_of(st.text(alphabet="xyz", min_size=1, max_size=6), st.integers(), st.none(), st.just(["gray"])))
def test_image_grid_refuses_unknown_colour_maps(cmap):
    raises("cmap", plotting.image_grid, np.zeros((2, 3, 3)), cmap=cmap)


@FAST
@given(st.one_of(st.just("ab"), st.just([1]), st.just([1, 2, 3]), st.integers()))
def test_image_grid_refuses_labels_of_another_length(labels):
    raises("labels", plotting.image_grid, np.zeros((2, 3, 3)), labels=labels)


@FAST
@given(st.one_of(st.floats(max_value=0), not_finite_number))
def test_image_grid_refuses_bad_ax_size(value):
    raises("ax_size", plotting.image_grid, np.zeros((2, 3, 3)), ax_size=value)


X3 = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
proba = lambda P: 1 / (1 + np.exp(-P[:, 0]))  # noqa: E731


@FAST
@given(st.one_of(st.just(np.zeros((3, 3))), st.just(np.zeros(3)), st.just(np.zeros((0, 2))), st.none(),
                 st.sampled_from([math.nan, math.inf]).map(lambda v: np.array([[0.0, v]]))))
def test_decision_boundary_refuses_bad_X(X):
    raises("X", plotting.decision_boundary, proba, X, np.zeros(len(X) if getattr(X, "ndim", 0) else 1))


@FAST
@given(st.one_of(st.just(np.zeros(2)), st.just(np.array([0, 1, 2])), st.just(np.array([0, -1, 1])),
                 st.just(np.array([0.0, 0.5, 1.0])), st.just(np.zeros((3, 1))), st.none()))
def test_decision_boundary_refuses_bad_y(y):
    raises("y", plotting.decision_boundary, proba, X3, y)


@FAST
@given(st.one_of(st.integers(max_value=1), non_int))
def test_decision_boundary_refuses_bad_resolution(value):
    raises("resolution", plotting.decision_boundary, proba, X3, np.array([0, 1, 1]), resolution=value)


@FAST
@given(st.one_of(st.floats(max_value=-1e-9), not_finite_number))
def test_decision_boundary_refuses_bad_padding(value):
    raises("padding", plotting.decision_boundary, proba, X3, np.array([0, 1, 1]), padding=value)


@pytest.mark.parametrize("predict_proba", [3, None, lambda P: P, lambda P: P[:, 0] + 5, lambda P: P[:1, 0]])
def test_decision_boundary_refuses_a_bad_predict_proba(predict_proba):
    raises("predict_proba", plotting.decision_boundary, predict_proba, X3, np.array([0, 1, 1]), resolution=5)


@FAST
@given(st.one_of(st.just([]), st.none(), st.text(min_size=1, max_size=3), st.just([(1990,)]), st.just([(1990, "a", "g", "x")]),
                 st.just([(1990.0, "a")]), st.just([(True, "a")]), st.just([("1990", "a")]), st.just([(1990, 5)]),
                 st.just([(1990, "a"), (1980, "b")])))
def test_timeline_refuses_bad_events(events):
    raises("event", plotting.timeline, events)


@FAST
@given(st.one_of(st.floats(max_value=0), not_finite_number))
def test_timeline_refuses_bad_width(value):
    raises("width", plotting.timeline, [(1990, "a")], width=value)


@FAST
@given(st.one_of(
    st.sampled_from([1, 2, 3, 5, 32]).map(lambda n: np.zeros(n, dtype=int)),  # not 2, 3 or 4 inputs
    st.just(np.zeros((4, 2), dtype=int)), st.just(np.array([0, 1, 2, 0])), st.just(np.array([0, 0.5, 1, 0])),
    st.just(np.array([0, -1, 1, 0])), st.just(np.array(["0", "1", "1", "0"])), st.none(),
    st.just(np.array([0.0, np.nan, 1.0, 0.0])),
))
def test_karnaugh_map_refuses_bad_truth_tables(y):
    raises("y", plotting.karnaugh_map, y)


@FAST
@given(st.one_of(st.just("11"), st.just(["1"]), st.just(["111"]), st.just(["1x"]), st.just([11]), st.none(), st.integers()))
def test_karnaugh_map_refuses_bad_terms(terms):
    raises("terms", plotting.karnaugh_map, np.array([0, 0, 0, 1]), terms)


@FAST
@given(st.integers(2, 4).flatmap(lambda n: st.lists(st.sampled_from([0, 1, True, False, 0.0, 1.0]),
                                                     min_size=2**n, max_size=2**n)))
def test_property_karnaugh_map_draws_every_valid_table(y):
    ax = plotting.karnaugh_map(y)
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(int(v)) for v in y)
    plt.close("all")
