"""nnbook.plotting: the book's style and figure helpers."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook import plotting  # noqa: E402

pytestmark = pytest.mark.book


def test_image_grid_lays_out_every_image():
    fig = plotting.image_grid(np.zeros((12, 8, 8)), labels=list(range(12)), n_cols=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12 and len(fig.axes) == 15
    assert shown[3].get_title() == "3"


@pytest.mark.parametrize("images, kwargs, match", [
    (np.zeros((3, 8)), {}, "images must have shape"),
    (np.zeros((0, 8, 8)), {}, "empty"),
    (np.zeros((3, 8, 8)), {"labels": [1, 2]}, "labels has 2"),
    (np.zeros((3, 8, 8)), {"n_cols": 0}, "n_cols"),
])
def test_image_grid_rejects_bad_input(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.image_grid(images, **kwargs)


def test_book_style_uses_the_palette():
    import matplotlib as mpl

    plotting.use_book_style()
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == plotting.PALETTE[0]


# --------------------------------------------------------------------- chapter 1 helpers
@pytest.mark.ch1
def test_decision_boundary_draws_the_half_contour_and_both_classes():
    import matplotlib.pyplot as plt

    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    ax = plotting.decision_boundary(lambda P: 1 / (1 + np.exp(-(P[:, 0] - 0.5) * 10)), X, np.array([0, 1, 1]))
    assert len(ax.collections) >= 3  # filled contours, the 0.5 line, two scatters
    assert ax.get_legend_handles_labels()[1] == ["y = 0", "y = 1"]
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        plotting.decision_boundary(lambda P: P[:, 0], np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        plotting.decision_boundary(lambda P: P[:, 0], X, np.zeros(2))
    plt.close("all")


@pytest.mark.ch1
def test_timeline_places_one_text_per_event_and_checks_years():
    import matplotlib.pyplot as plt

    ax = plotting.timeline([(1943, "a", "g1"), (1958, "b", "g1"), (1986, "c", "g2")])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1943", "a", "1958", "b", "1986", "c"]
    assert ax.get_legend_handles_labels()[1] == ["g1", "g2"]
    with pytest.raises(ValueError, match="non-decreasing order"):
        plotting.timeline([(1990, "a"), (1980, "b")])
    with pytest.raises(ValueError, match="empty"):
        plotting.timeline([])
    plt.close("all")


@pytest.mark.ch1
def test_karnaugh_map_shows_the_table_in_gray_code_order():
    import matplotlib.pyplot as plt

    y = np.zeros(16, int)
    y[0b1101] = 1
    ax = plotting.karnaugh_map(y, terms=["11-1", "-0-0"])
    cells = {(round(t.get_position()[1] - 0.5), round(t.get_position()[0] - 0.5)): t.get_text() for t in ax.texts}
    assert cells[(2, 1)] == "1" and sum(v == "1" for v in cells.values()) == 1  # row 11, column 01
    assert len(ax.patches) == 16 + 1 + 4  # cells, one box, the wrapped corners as four boxes
    with pytest.raises(ValueError, match="2 to 4 inputs"):
        plotting.karnaugh_map(np.zeros(32, int))
    plt.close("all")


# --------------------------------------------------------------------- the figure style and its audit
def _two_line_figure(**second):
    import matplotlib.pyplot as plt

    plotting.use_book_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="first")
    ax.plot([0, 1], [1, 0], label="second", **second)
    ax.set(xlabel="epoch", ylabel="loss")
    ax.legend()
    return fig


def test_the_style_gives_every_colour_its_own_line_style_and_no_yellow():
    import matplotlib as mpl

    plotting.use_book_style()
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["color"]) == len(plotting.PALETTE)
    assert not any(plotting._is_yellow(c) for c in plotting.PALETTE)
    assert mpl.rcParams["savefig.dpi"] >= 200


def test_a_figure_in_the_book_style_passes_the_audit():
    import matplotlib.pyplot as plt

    fig = _two_line_figure()
    assert plotting.check_figure(fig) == []
    plt.close(fig)


@pytest.mark.parametrize("second, problem", [
    ({"linestyle": "-"}, "differ only in colour"),
    ({"color": "#F0E442"}, "yellow"),
    ({"color": "y"}, "yellow"),
])
def test_the_audit_names_lines_told_apart_by_colour_alone_or_drawn_in_yellow(second, problem):
    import matplotlib.pyplot as plt

    fig = _two_line_figure(**second)
    problems = plotting.check_figure(fig)
    assert any(problem in p for p in problems), problems
    plt.close(fig)


def test_the_audit_requires_axis_labels_typeset_math_and_panel_labels():
    import matplotlib.pyplot as plt

    plotting.use_book_style()
    fig, axes = plt.subplots(1, 2)
    axes[0].plot([1, 2], [1, 4], label="2^(n-1) units")
    axes[0].legend()
    axes[1].set(xlabel="layer", ylabel="norm")
    problems = plotting.check_figure(fig)
    assert any("panel 0" in p and "no x label" in p for p in problems), problems
    assert any("ASCII" in p for p in problems), problems
    assert any("panel labels" in p for p in problems), problems
    axes[0].set(xlabel="$n$", ylabel="units")
    axes[0].get_legend().get_texts()[0].set_text("$2^{n-1}$ units")
    plotting.panel_labels(axes)
    assert plotting.check_figure(fig) == []
    plt.close(fig)


def test_shared_axes_and_image_panels_need_no_labels_of_their_own():
    import matplotlib.pyplot as plt

    plotting.use_book_style()
    fig, axes = plt.subplots(2, 1, sharex=True)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_ylabel("value")
    axes[1].set_xlabel("step")
    plotting.panel_labels(axes)
    assert plotting.check_figure(fig) == []
    fig = plotting.image_grid(np.zeros((4, 8, 8)), n_cols=2)
    assert plotting.check_figure(fig) == []
    plt.close("all")


def test_integer_ticks_put_ticks_on_integers_only():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 3], [0, 1])
    plotting.integer_ticks(ax, "x")
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())
    plt.close(fig)


@pytest.mark.parametrize("call, error, match", [
    (lambda: plotting.check_figure("fig"), TypeError, "fig must be a matplotlib Figure"),
    (lambda: plotting.panel_labels([1, 2]), TypeError, "axes must be"),
    (lambda: plotting.panel_labels(np.empty(0)), TypeError, "axes must be"),
    (lambda: plotting.integer_ticks("ax"), TypeError, "ax must be"),
])
def test_style_helpers_reject_what_is_not_a_figure(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_panel_labels_and_integer_ticks_reject_bad_options():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="start must be one lower-case letter, got 'A'"):
        plotting.panel_labels(axes, start="A")
    with pytest.raises(ValueError, match="run past 'z'"):
        plotting.panel_labels(axes, start="z")
    with pytest.raises(ValueError, match="axis must be 'x', 'y' or 'both', got 'z'"):
        plotting.integer_ticks(axes[0], "z")
    plt.close(fig)


def test_category_axes_of_bar_charts_name_themselves():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.barh([0, 1], [3.0, 4.0])
    ax.set_yticks([0, 1], ["alpha", "beta"])
    ax.set_xlabel("seconds")
    assert plotting.check_figure(fig) == []
    ax.set_yticks([0, 1], ["0", "1"])
    assert any("no y label" in p for p in plotting.check_figure(fig))
    plt.close(fig)


def test_timeline_groups_differ_in_marker_and_its_leaders_are_solid():
    import matplotlib.pyplot as plt

    plotting.use_book_style()
    ax = plotting.timeline([(1950, "a", "one"), (1960, "b", "two"), (1970, "c", "three")])
    ax.set_ylabel("year")
    assert plotting.check_figure(ax.figure) == []
    dots = {line.get_marker() for line in ax.get_lines() if line.get_label().startswith("_") and len(line.get_xdata()) == 1}
    leaders = {line.get_linestyle() for line in ax.get_lines() if len(line.get_xdata()) == 3}
    assert dots == {"o", "s", "^"} and leaders == {"-"}
    plt.close(ax.figure)


def test_the_cycle_s_custom_dash_patterns_count_as_different_styles():
    import matplotlib.pyplot as plt

    plotting.use_book_style()
    fig, ax = plt.subplots()
    for k in range(len(plotting.PALETTE)):
        ax.plot([0, 1], [k, k + 1], label=f"line {k}")
    ax.set(xlabel="step", ylabel="value")
    ax.legend()
    assert plotting.check_figure(fig) == []
    plt.close(fig)


def test_integer_ticks_on_a_long_range_are_round():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 100], [0, 1])
    plotting.integer_ticks(ax, "x")
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 0 <= t <= 100]
    assert all(t % 10 == 0 for t in ticks), ticks
    plt.close(fig)
