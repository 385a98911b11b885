"""Plotting helpers shared by the chapters: one style, a few recurring figure types.

Sits at the top of the package: it imports only ``nnbook._validation``, NumPy and matplotlib
(no model, no study), and checks every argument before it draws anything.

Book section: "How the code is organised" (``book/code-organisation.ipynb``).
"""
from __future__ import annotations

import re

import numpy as np

from nnbook._validation import check_array, check_callable, check_int, check_number, check_sequence

#: The book's colour cycle: Okabe & Ito's (2008) colour-blind-safe colours, without their
#: yellow (too faint on white), orange last so that it never sits next to the vermillion.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#E69F00")
#: One line style per colour, so that every line of a plot stays distinguishable in grey.
LINESTYLES = ("-", "--", "-.", ":", (0, (6, 1.5, 1, 1.5, 1, 1.5)), (0, (9, 2.5)), (0, (1, 1.2)))

#: One marker per colour, for points and for groups told apart in a legend.
MARKERS = ("o", "s", "^", "D", "v", "P", "X")

#: Inline figures are drawn at twice ``figure.dpi`` ("retina", 200 dpi) and shown at their
#: nominal size; saved figures at ``savefig.dpi``.
FIGURE_DPI = 200

BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": FIGURE_DPI,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.formatter.use_mathtext": True,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 1.6,
    "font.size": 10,
    "image.cmap": "viridis",
}

#: Set by ``make notebooks``/``make refresh``: every figure a notebook displays must pass
#: :func:`check_figure`, or its cell fails.
STRICT_FIGURES_ENV = "NNBOOK_STRICT_FIGURES"


def use_book_style() -> None:
    """Apply the book's matplotlib style: colours and line styles, 200-dpi inline figures.

    Inside a Jupyter kernel the inline backend is switched to "retina" PNGs (twice
    ``figure.dpi``). With the environment variable ``NNBOOK_STRICT_FIGURES=1`` (set by the
    Makefile's notebook checks) every displayed figure is audited by :func:`check_figure`.
    """
    import os

    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(BOOK_STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE) + cycler(linestyle=LINESTYLES)
    shell = _ipython_shell()
    if shell is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
    if os.environ.get(STRICT_FIGURES_ENV) == "1":
        _audit_displayed_figures(shell)


def _ipython_shell():
    """The running IPython shell, or None outside IPython (plain Python, pytest)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return None
    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "display_formatter") else None


def _audit_displayed_figures(shell) -> None:
    """Wrap the PNG formatter of matplotlib figures so that a figure failing the style check
    raises instead of being displayed."""
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    draw_png = formatter.lookup_by_type(Figure)
    if getattr(draw_png, "checks_style", False):
        return

    def checked_png(fig):
        problems = check_figure(fig)
        if problems:
            raise ValueError("figure does not follow the book's style:\n  " + "\n  ".join(problems))
        return draw_png(fig)

    checked_png.checks_style = True
    formatter.for_type(Figure, checked_png)


def panel_labels(axes, start: str = "a") -> None:
    """Label the panels of a figure (a), (b), ... in their top-left corners, in reading order.

    Parameters
    ----------
    axes : matplotlib Axes or array_like of Axes
        The panels, e.g. the second value returned by ``plt.subplots``.
    start : str, default "a"
        Letter of the first panel (one lower-case letter).
    """
    from matplotlib.axes import Axes

    flat = [axes] if isinstance(axes, Axes) else list(np.ravel(np.asarray(axes, dtype=object)))
    if not flat or not all(isinstance(ax, Axes) for ax in flat):
        raise TypeError(f"axes must be a matplotlib Axes or an array of them, got {type(axes).__name__}")
    if not (isinstance(start, str) and len(start) == 1 and "a" <= start <= "z"):
        raise ValueError(f"start must be one lower-case letter, got {start!r}")
    if ord(start) + len(flat) - 1 > ord("z"):
        raise ValueError(f"{len(flat)} panels starting at {start!r} run past 'z'")
    for k, ax in enumerate(flat):
        ax.text(-0.02, 1.02, f"({chr(ord(start) + k)})", transform=ax.transAxes, ha="right", va="bottom",
                fontsize=11, fontweight="bold", gid="panel-label")


def integer_ticks(ax, axis: str = "x") -> None:
    """Put ticks on integers only, for an axis that counts things (epochs, layers, units)."""
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if axis not in ("x", "y", "both"):
        raise ValueError(f"axis must be 'x', 'y' or 'both', got {axis!r}")
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))


_ASCII_MATH = re.compile(r"\^\(|\^-?\d|\*\*|sqrt\(|_\{")


def _is_yellow(colour) -> bool:
    from matplotlib.colors import to_rgba

    try:
        r, g, b, a = to_rgba(colour)
    except (ValueError, TypeError):
        return False
    return a > 0.3 and r >= 0.7 and g >= 0.7 and b <= 0.5


def _is_numeric_tick(text: str) -> bool:
    """Whether a tick label shows a number ("0.5", "−2", "$\\mathdefault{10^{-3}}$") rather than a name."""
    bare = re.sub(r"\\mathdefault|[${}^\u2212+\-.,e\u00d7\s%]", "", text)
    return bare.isdigit()


def _outside_math(text: str) -> str:
    """``text`` with its $...$ spans removed."""
    return re.sub(r"\$[^$]*\$", "", text)


def check_figure(fig) -> list[str]:
    """Audit a figure against the book's style; return one line per problem (empty: it passes).

    The checks, for every visible panel (an Axes with its axis drawn; colour bars excepted):

    * it has an x and a y label, its own or that of a panel sharing the axis, or the figure's
      ``supxlabel``/``supylabel``;
    * lines that have legend entries differ in line style or marker, not in colour alone;
    * nothing is drawn in yellow (unreadable on white);
    * legend entries and labels write math in TeX (``$2^{n-1}$``), not ASCII (``2^(n-1)``);
    * a figure of two or more panels labels them (a), (b), ... (see :func:`panel_labels`), or
      gives every panel a title beginning with its letter.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    problems = []
    panels = [ax for ax in fig.axes if ax.axison and ax.get_visible() and ax.get_label() != "<colorbar>"]
    # twin axes (twinx/twiny) belong to the panel they overlay
    primary = []
    for ax in panels:
        if not any(ax is not other and ax.bbox.bounds == other.bbox.bounds for other in primary):
            primary.append(ax)
    sup_x = fig._supxlabel is not None and fig._supxlabel.get_text() if hasattr(fig, "_supxlabel") else False
    sup_y = fig._supylabel is not None and fig._supylabel.get_text() if hasattr(fig, "_supylabel") else False
    for k, ax in enumerate(panels):
        name = f"panel {k} ({ax.get_title() or 'untitled'!r})"
        for axis, sup in (("x", sup_x), ("y", sup_y)):
            siblings = getattr(ax, f"get_shared_{axis}_axes")().get_siblings(ax)
            twins = [t for t in panels if t is not ax and t.bbox.bounds == ax.bbox.bounds]
            if getattr(ax, f"get_{axis}label")():
                continue
            if sup or any(getattr(s, f"get_{axis}label")() for s in siblings):
                continue
            ticks = [t.get_text() for t in getattr(ax, f"get_{axis}ticklabels")() if t.get_text()]
            if not ticks or not any(_is_numeric_tick(t) for t in ticks):
                continue  # no tick labels, or category names (bar charts): the ticks name themselves
            if twins and axis == "x" and any(t.get_xlabel() for t in twins):
                continue
            problems.append(f"{name}: no {axis} label")
        labelled = [line for line in ax.get_lines() if not line.get_label().startswith("_") and line.get_visible()]
        seen = {}
        for line in labelled:
            # matplotlib names every custom dash pattern "--": compare the pattern itself
            dashes = getattr(line, "_unscaled_dash_pattern", None) or line.get_linestyle()
            style = (str(dashes) if len(line.get_xdata()) > 1 and line.get_linestyle() != "None" else "None",
                     str(line.get_marker()))
            if style in seen and style != ("None", "None"):
                problems.append(f"{name}: lines {seen[style]!r} and {line.get_label()!r} differ only in colour")
            seen.setdefault(style, line.get_label())
        artists = list(ax.get_lines()) + list(ax.collections) + list(ax.patches)
        for artist in artists:
            colours = []
            if isinstance(artist, Line2D):
                colours = [artist.get_color(), artist.get_markerfacecolor()]
            elif hasattr(artist, "get_facecolor"):
                face = artist.get_facecolor()
                colours = list(np.atleast_2d(face)) if np.size(face) else []
                if hasattr(artist, "get_edgecolor"):
                    edge = artist.get_edgecolor()
                    colours += list(np.atleast_2d(edge)) if np.size(edge) else []
            if any(_is_yellow(tuple(c) if not isinstance(c, str) else c) for c in colours):
                problems.append(f"{name}: {artist.get_label() or type(artist).__name__!r} is drawn in yellow")
                break
        texts = [ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
        for text in texts:
            if _ASCII_MATH.search(_outside_math(text)):
                problems.append(f"{name}: {text!r} writes math in ASCII; use TeX between $...$")
    if len(primary) >= 2:
        labels = {t.get_text() for ax in fig.axes for t in ax.texts} | {t.get_text() for t in fig.texts}
        titles = [ax.get_title() for ax in primary]
        by_title = all(re.match(r"^\(?[a-z]\)", title) for title in titles)
        if not by_title and not all(f"({chr(ord('a') + k)})" in labels for k in range(len(primary))):
            problems.append(f"{len(primary)} panels without panel labels (a), (b), ...: call nnbook.plotting.panel_labels(axes)")
    return problems

def image_grid(images, labels=None, n_cols: int = 10, cmap: str = "gray_r", ax_size: float = 0.9):
    """Draw images in a grid and return the figure.

    Parameters
    ----------
    images : array_like, shape (n_images, height, width)
        Gray-scale images.
    labels : sequence of str or int, optional, length n_images
        One title per image.
    n_cols : int, default 10
        Images per row.
    cmap : str, default "gray_r"
        Colour map (dark ink on white paper by default).
    ax_size : float, default 0.9
        Size of each panel in inches.

    Raises
    ------
    TypeError, ValueError
        For images that are not a finite, non-empty real array of 3 dimensions, labels of
        another length (or one ``str``), ``n_cols`` not an int >= 1, an unknown ``cmap`` or a
        non-positive ``ax_size``.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    images = check_array("images", images, dtype="any", allow_empty=True)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n_images, height, width), got {images.shape}")
    if len(images) == 0:
        raise ValueError("images is empty")
    if labels is not None:
        labels = check_sequence("labels", labels, allow_empty=True)
        if len(labels) != len(images):
            raise ValueError(f"labels has {len(labels)} entries but images has {len(images)}")
    n_cols = check_int("n_cols", n_cols, low=1)
    if not isinstance(cmap, (str, mpl.colors.Colormap)):
        raise TypeError(f"cmap must be a colour map name or a matplotlib Colormap, got {type(cmap).__name__}")
    if isinstance(cmap, str) and cmap not in mpl.colormaps:
        raise ValueError(f"cmap must be a matplotlib colour map such as 'gray_r', 'viridis' or 'RdBu_r', got {cmap!r}")
    ax_size = check_number("ax_size", ax_size, low=0, low_open=True)
    n_cols = min(n_cols, len(images))
    n_rows = int(np.ceil(len(images) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(ax_size * n_cols, ax_size * n_rows + 0.2 * (labels is not None)),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------- chapter 1 helpers
def decision_boundary(predict_proba, X, y, ax=None, resolution: int = 200, padding: float = 0.5):
    """Shade ``predict_proba`` (class-1 probability) over the plane, draw its 0.5 contour and the data.

    Parameters
    ----------
    predict_proba : callable
        Maps an array (m, 2) of points to (m,) probabilities of class 1.
    X : array_like, shape (n, 2)
        Points to scatter; they also fix the plotted range (plus ``padding``).
    y : array_like of 0/1, shape (n,)
        Their labels (class 0 in ``PALETTE[0]``, class 1 in ``PALETTE[1]``).
    ax : matplotlib Axes, optional
    resolution : int, default 200
        Grid points per axis, at least 2.
    padding : float, default 0.5
        Margin around the data, >= 0.

    Book page: ``book/ch1-feedforward/01-xor``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap

    check_callable("predict_proba", predict_proba)
    X = check_array("X", X, allow_empty=True)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"X must have shape (n, 2) with n >= 1, got {X.shape}")
    y = check_array("y", y, dtype="any", allow_empty=True)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold labels 0 and 1, got {np.unique(y[~np.isin(y, (0, 1))])[:5].tolist()}")
    resolution = check_int("resolution", resolution, low=2)
    padding = check_number("padding", padding, low=0)
    ax = ax if ax is not None else plt.subplots(figsize=(4.2, 3.8))[1]
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    p = check_array("predict_proba(points)", predict_proba(np.column_stack([g0.ravel(), g1.ravel()])), allow_empty=True)
    if p.shape != (g0.size,) or p.min() < 0 or p.max() > 1:
        raise ValueError(f"predict_proba must map (m, 2) points to (m,) probabilities in [0, 1], got shape {p.shape}"
                         + (f" and range [{p.min():g}, {p.max():g}]" if p.size else ""))
    p = p.reshape(g0.shape)
    cmap = LinearSegmentedColormap.from_list("book_two_class", [PALETTE[0], "#FFFFFF", PALETTE[1]])
    ax.contourf(g0, g1, p, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6, vmin=0, vmax=1)
    if p.min() < 0.5 < p.max():
        ax.contour(g0, g1, p, levels=[0.5], colors="k", linewidths=1.2)
    for label, colour, marker in ((0, PALETTE[0], "o"), (1, PALETTE[1], "s")):
        ax.scatter(*X[y == label].T, c=colour, marker=marker, edgecolors="k", linewidths=0.5, s=30, label=f"y = {label}")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def timeline(events, ax=None, width: float = 9.0):
    """Draw a timeline: years on a proportional vertical axis, one evenly spaced text row per event.

    Each event's dot sits at its year on the axis (so gaps in time stay visible); a leader
    line joins it to its text. Time runs downward.

    Parameters
    ----------
    events : sequence of (int, str) or (int, str, str)
        Years (non-decreasing), one-line descriptions and, optionally, a group name; groups
        get palette colours, their own markers and a legend.
    ax : matplotlib Axes, optional
    width : float, default 9
        Figure width in inches when ``ax`` is not given.

    Book page: ``book/ch1-feedforward/06-history``.
    """
    import matplotlib.pyplot as plt

    events = [tuple(check_sequence(f"events[{i}]", e)) for i, e in enumerate(check_sequence("events", events))]
    for i, e in enumerate(events):
        if len(e) not in (2, 3):
            raise ValueError(f"each event must be (year, text) or (year, text, group); events[{i}] has {len(e)} items")
        if not all(isinstance(part, str) for part in e[1:]):
            raise TypeError(f"events[{i}]: text and group must be str, got {e[1:]!r:.60}")
    years = [check_int(f"events[{i}] year", e[0]) for i, e in enumerate(events)]
    if sorted(years) != years:
        raise ValueError(f"events must be in non-decreasing order of year, got years {years}")
    width = check_number("width", width, low=0, low_open=True)
    groups = list(dict.fromkeys(e[2] for e in events if len(e) == 3))
    if ax is None:
        fig, ax = plt.subplots(figsize=(width, 0.3 * len(events) + 0.8))
    first, last = years[0], years[-1]
    span = max(last - first, 1)
    rows = np.linspace(first, last, len(events)) if len(events) > 1 else np.array([first], float)
    trans = ax.get_yaxis_transform()  # x in axes fractions, y in years
    for (year, text, *group), row in zip(events, rows):
        k = groups.index(group[0]) if group else 0
        colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
        ax.plot(0.0, year, marker, color=colour, markersize=5, zorder=3, transform=trans, clip_on=False)
        ax.plot([0.0, 0.06, 0.08], [year, row, row], "-", color=colour, linewidth=0.7, transform=trans, clip_on=False)
        ax.text(0.09, row, f"{year}", va="center", fontsize=9, fontweight="bold", transform=trans)
        ax.text(0.16, row, text, va="center", fontsize=9, transform=trans)
    for k, name in enumerate(groups):
        ax.plot([], [], MARKERS[k % len(MARKERS)], color=PALETTE[k % len(PALETTE)], label=name)
    if groups:
        ax.legend(loc="lower right", fontsize=8)
    ticks = np.arange(10 * (first // 10), last + 1, 10)
    ax.set_yticks(ticks[ticks >= first - 0.02 * span])
    ax.set_ylim(last + 0.04 * span, first - 0.04 * span)
    ax.set_xticks([])
    ax.grid(False)
    for side in ("right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    return ax


def karnaugh_map(y, terms=(), ax=None):
    """Karnaugh map of a truth table of 2, 3 or 4 inputs, with the cells of each term outlined.

    Rows are the first ``n // 2`` inputs and columns the rest, both in Gray-code order, so
    that neighbouring cells (wrapping round the edges) differ in one input. A term whose cells
    wrap round an edge is drawn as several rectangles.

    Parameters
    ----------
    y : array_like of 0/1, shape (2**n,) with n in {2, 3, 4}
        Truth table (row ``k`` = inputs spelling ``k`` in binary, see :func:`nnbook.studies.boolean.all_inputs`);
        ints, bools or floats equal to 0 or 1.
    terms : sequence of str
        Conjunctions over '0', '1', '-' (see :mod:`nnbook.studies.boolean`), each of length n,
        outlined in palette colours.

    Book page: ``book/ch1-feedforward/02-one-hidden-layer``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    y = np.asarray(y)
    y = check_array("y", y.astype(np.int64) if y.dtype == bool else y, dtype="any", allow_empty=True)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one output per input row), got shape {y.shape}")
    if len(y) not in (4, 8, 16):
        raise ValueError(f"karnaugh_map draws 2 to 4 inputs: y must have length 4, 8 or 16 (2**n), got length {len(y)}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must contain only 0 and 1, got {np.unique(y[~np.isin(y, (0, 1))])[:5].tolist()}")
    y, n = y.astype(np.int64), len(y).bit_length() - 1
    if isinstance(terms, str):
        raise TypeError(f"terms must be a list of terms, not one string ({terms!r})")
    terms = check_sequence("terms", terms, allow_empty=True)
    for k, term in enumerate(terms):
        if not isinstance(term, str) or len(term) != n or set(term) - set("01-"):
            raise ValueError(f"terms[{k}] must be a string of {n} characters over '0', '1', '-', got {term!r}")
    n_row = n // 2
    gray = {1: ["0", "1"], 2: ["00", "01", "11", "10"]}
    rows, cols = gray[n_row], gray[n - n_row]
    ax = ax if ax is not None else plt.subplots(figsize=(0.9 * len(cols) + 1.2, 0.9 * len(rows) + 1.0))[1]
    for r, rbits in enumerate(rows):
        for c, cbits in enumerate(cols):
            value = y[int(rbits + cbits, 2)]
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="#DDDDDD" if value else "white", edgecolor="0.5"))
            ax.text(c + 0.5, r + 0.5, str(value), ha="center", va="center", fontsize=12)
    for k, term in enumerate(terms):
        in_rows = [r for r, bits in enumerate(rows) if all(t in ("-", b) for t, b in zip(term[:n_row], bits))]
        in_cols = [c for c, bits in enumerate(cols) if all(t in ("-", b) for t, b in zip(term[n_row:], bits))]
        inset = 0.08 + 0.06 * (k % 3)
        for r_run in _runs(in_rows):
            for c_run in _runs(in_cols):
                ax.add_patch(FancyBboxPatch((c_run[0] + inset, r_run[0] + inset), len(c_run) - 2 * inset,
                                            len(r_run) - 2 * inset, boxstyle="round,pad=0,rounding_size=0.15",
                                            fill=False, edgecolor=PALETTE[k % len(PALETTE)], linewidth=2.2))
    names = [f"$x_{i + 1}$" for i in range(n)]
    ax.set_xticks(np.arange(len(cols)) + 0.5, cols)
    ax.set_yticks(np.arange(len(rows)) + 0.5, rows)
    ax.set_xlabel("".join(names[n_row:]))
    ax.set_ylabel("".join(names[:n_row]))
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.set_xlim(0, len(cols))
    ax.set_ylim(len(rows), 0)
    ax.set_aspect("equal")
    ax.grid(False)
    return ax


def _runs(indices):
    """Split sorted indices into runs of consecutive integers: [0, 1, 3] -> [[0, 1], [3]]."""
    runs = []
    for i in indices:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
