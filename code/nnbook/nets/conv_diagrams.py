"""Which input cells feed which output cell of a convolution, and figures drawn from that.

Along one axis, a convolution with kernel size ``k``, zero padding ``p`` on each side, stride
``s`` and dilation ``d`` reads, for output index ``i``, the input indices

.. math:: j_u = s\\,i - p + d\\,u, \\qquad u = 0, \\dots, k - 1

(indices below 0 or at least ``n`` fall on the padding), and it has

.. math:: n_{out} = \\left\\lfloor \\frac{n + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1

outputs: the last window must start at most at ``n + 2p - d(k-1) - 1`` (the dilated kernel
spans :math:`d(k-1) + 1` cells). This is the formula of ``torch.nn.Conv2d``'s documentation
(Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning", derive its cases).
In two dimensions the window is the product of the two axes' windows, and every one of the
``C_in`` input channels is read at the same positions.

The ``draw_*`` functions draw these windows with matplotlib from the same functions, so a
figure cannot disagree with the arithmetic; the test file checks the arithmetic against
``torch.nn.functional.conv2d``.

Book sections: ``book/ch5-cnn/08-convolution-shapes.ipynb`` (figures) and
``book/ch5-cnn/09-conv-resnet.ipynb`` (:func:`draw_unit`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnbook._validation import check_int, check_sequence, check_string
from nnbook.plotting import PALETTE

__all__ = ["output_size", "input_indices", "connection_matrix", "window_mask",
           "draw_convolution", "draw_channels", "draw_unit"]


def _check_geometry(kernel, padding, stride, dilation) -> tuple[int, int, int, int]:
    return (check_int("kernel", kernel, low=1), check_int("padding", padding, low=0),
            check_int("stride", stride, low=1), check_int("dilation", dilation, low=1))


def output_size(n: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Number of outputs along one axis, :math:`\\lfloor (n + 2p - d(k-1) - 1)/s \\rfloor + 1`.

    Raises ``ValueError`` naming ``kernel`` when the dilated kernel, :math:`d(k-1) + 1` cells,
    is longer than the padded input, :math:`n + 2p` (``F.conv2d`` refuses it too).
    """
    n = check_int("n", n, low=1)
    kernel, padding, stride, dilation = _check_geometry(kernel, padding, stride, dilation)
    span = dilation * (kernel - 1) + 1
    if span > n + 2 * padding:
        raise ValueError(f"kernel = {kernel} with dilation = {dilation} spans {span} cells, more than the "
                         f"padded input ({n} + 2*{padding} = {n + 2 * padding})")
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def input_indices(i: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """Input indices :math:`s i - p + d u`, :math:`u = 0..k-1`, read by output ``i`` (one axis).

    Indices < 0 or >= n lie on the zero padding. Returns an int array of length ``kernel``.
    """
    i = check_int("i", i, low=0)
    kernel, padding, stride, dilation = _check_geometry(kernel, padding, stride, dilation)
    return stride * i - padding + dilation * np.arange(kernel)


def connection_matrix(shape, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """Boolean array ``A`` of shape (H_out, W_out, H, W): ``A[i, j, r, c]`` is True when input
    cell (r, c) is inside the window of output (i, j) (padding cells are dropped).

    ``shape`` is the input's (H, W); the geometry is the same along both axes.
    """
    shape = check_sequence("shape", shape)
    if len(shape) != 2:
        raise ValueError(f"shape must be (H, W), got {shape!r}")
    H, W = (check_int(f"shape[{a}]", v, low=1) for a, v in enumerate(shape))
    H_out, W_out = (output_size(n, kernel, padding, stride, dilation) for n in (H, W))
    A = np.zeros((H_out, W_out, H, W), dtype=bool)
    rows = [input_indices(i, kernel, padding, stride, dilation) for i in range(H_out)]
    cols = [input_indices(j, kernel, padding, stride, dilation) for j in range(W_out)]
    for i, r in enumerate(rows):
        r = r[(r >= 0) & (r < H)]
        for j, c in enumerate(cols):
            c = c[(c >= 0) & (c < W)]
            A[i, j][np.ix_(r, c)] = True
    return A


def window_mask(shape, out_index, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """The (H + 2p, W + 2p) boolean mask of the padded input read by output ``out_index`` = (i, j)."""
    shape = check_sequence("shape", shape)
    if len(shape) != 2:
        raise ValueError(f"shape must be (H, W), got {shape!r}")
    out_index = check_sequence("out_index", out_index)
    if len(out_index) != 2:
        raise ValueError(f"out_index must be (i, j), got {out_index!r}")
    H, W = (check_int(f"shape[{a}]", v, low=1) for a, v in enumerate(shape))
    sizes = [output_size(n, kernel, padding, stride, dilation) for n in (H, W)]
    for a, (v, size) in enumerate(zip(out_index, sizes)):
        check_int(f"out_index[{a}]", v, low=0, high=size - 1)
    r, c = (input_indices(v, kernel, padding, stride, dilation) + padding for v in out_index)
    mask = np.zeros((H + 2 * padding, W + 2 * padding), dtype=bool)
    mask[np.ix_(r, c)] = True
    return mask


def _grid(ax, x0: float, y0: float, rows: int, cols: int, fill, hatch=None, cell: float = 1.0) -> None:
    """Draw a rows x cols grid whose top-left corner is (x0, y0); ``fill[r][c]`` is a colour or None."""
    from matplotlib.patches import Rectangle

    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((x0 + c * cell, y0 - (r + 1) * cell), cell, cell,
                                   facecolor=fill[r][c] or "white", edgecolor="0.35", linewidth=0.8,
                                   hatch=None if hatch is None else hatch[r][c]))


def draw_convolution(ax, n: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1,
                     out_index=(0, 0), title: str | None = None) -> tuple[int, int]:
    """Draw an n x n input (with its padding hatched), the window of one output cell, and the output.

    The window cells come from :func:`window_mask`; the output grid has :func:`output_size`
    cells a side. Returns the output's (H_out, W_out). The axes are switched off.
    """
    n = check_int("n", n, low=1)
    mask = window_mask((n, n), out_index, kernel, padding, stride, dilation)
    m = output_size(n, kernel, padding, stride, dilation)
    size = n + 2 * padding
    inside = np.zeros_like(mask)
    inside[padding:padding + n, padding:padding + n] = True
    fill = [[PALETTE[0] if mask[r, c] else (None if inside[r, c] else "0.88") for c in range(size)]
            for r in range(size)]
    hatch = [[None if inside[r, c] else "///" for c in range(size)] for r in range(size)]
    _grid(ax, 0, size, size, size, fill, hatch)
    gap = 2.0
    out_fill = [[PALETTE[1] if (r, c) == tuple(out_index) else None for c in range(m)] for r in range(m)]
    y_top = size / 2 + m / 2
    _grid(ax, size + gap, y_top, m, m, out_fill)
    ax.annotate("", xy=(size + gap - 0.2, size / 2), xytext=(size + 0.2, size / 2),
                arrowprops=dict(arrowstyle="->", color="0.2"))
    ax.text(size / 2, -0.6, f"input {n}×{n}" + (f", padding {padding}" if padding else ""),
            ha="center", va="top", fontsize=9)
    ax.text(size + gap + m / 2, y_top - m - 0.6, f"output {m}×{m}", ha="center", va="top", fontsize=9)
    ax.set_title(title if title is not None else f"k={kernel}, p={padding}, s={stride}, d={dilation}",
                 fontsize=10)
    ax.set_xlim(-0.5, size + gap + m + 0.5)
    ax.set_ylim(-2.0, size + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return m, m


def _stack(ax, x0: float, y0: float, depth: int, side: float, colour, label: str, step: float = 0.35) -> None:
    """``depth`` squares of side ``side`` stacked with an offset (the channels), a label below."""
    from matplotlib.patches import Rectangle

    shown = min(depth, 8)
    for d in reversed(range(shown)):
        ax.add_patch(Rectangle((x0 + d * step, y0 + d * step), side, side, facecolor=colour,
                               edgecolor="0.2", linewidth=0.8, alpha=0.9))
    ax.text(x0 + side / 2 + (shown - 1) * step / 2, y0 - 0.4, label, ha="center", va="top", fontsize=9)


def draw_channels(ax, in_channels: int, out_channels: int, kernel: int, n: int = 6, padding: int = 0) -> tuple:
    """Draw a multi-channel convolution: input (C_in, n, n), ``out_channels`` filters of
    shape (C_in, k, k), output (C_out, n_out, n_out), with the weight count
    :math:`C_{out} C_{in} k^2` (+ C_out biases). Returns the output shape. Axes switched off.
    """
    in_channels = check_int("in_channels", in_channels, low=1)
    out_channels = check_int("out_channels", out_channels, low=1)
    m = output_size(n, kernel, padding)
    scale = 4.0 / n
    x = 0.0
    _stack(ax, x, 0, in_channels, n * scale, PALETTE[4], f"input\n{in_channels}×{n}×{n}")
    x += n * scale + min(in_channels, 8) * 0.35 + 1.2
    ax.text(x - 0.6, n * scale / 2, "∗", ha="center", va="center", fontsize=16)
    side, shown = kernel * scale, min(out_channels, 3)
    gap = max(0.5, min(in_channels, 8) * 0.2)
    top = n * scale / 2 + (shown * side + (shown - 1) * gap) / 2
    for f in range(shown):
        _stack(ax, x, top - (f + 1) * side - f * gap, in_channels, side, PALETTE[f % 3], "", step=0.2)
    weights = out_channels * in_channels * kernel * kernel
    more = f" ({shown} shown)" if shown < out_channels else ""
    ax.text(x + side / 2, min(-0.4, top - shown * side - (shown - 1) * gap - 0.4),
            f"{out_channels} filters{more}, each {in_channels}×{kernel}×{kernel}\n"
            f"= {weights} weights + {out_channels} biases", ha="center", va="top", fontsize=9)
    x += side + (min(in_channels, 8) - 1) * 0.2 + 1.4
    ax.text(x - 0.6, n * scale / 2, "=", ha="center", va="center", fontsize=16)
    _stack(ax, x, 0, out_channels, m * scale, PALETTE[2], f"output\n{out_channels}×{m}×{m}")
    ax.set_title(f"{kernel}×{kernel} convolution, {in_channels} → {out_channels} channels", fontsize=10)
    ax.set_xlim(-0.5, x + m * scale + min(out_channels, 8) * 0.35 + 0.5)
    stacked = n * scale + (min(max(in_channels, out_channels), 8) - 1) * 0.35
    ax.set_ylim(min(-2.6, top - shown * (side + gap) - 2.0), max(4.8, top + 1.0, stacked + 0.4))
    ax.set_aspect("equal")
    ax.axis("off")
    return out_channels, m, m


def draw_unit(ax, branch: Sequence[str], after: Sequence[str] = (), title: str | None = None,
              shortcut: bool = True) -> None:
    """Block diagram of a residual unit: the ``branch`` layers top to bottom, the shortcut
    beside them, the addition, then the ``after`` layers (names as strings, e.g. the class
    names of ``ConvUnit.branch``). Axes switched off."""
    from matplotlib.patches import Circle, FancyBboxPatch

    branch = [check_string(f"branch[{i}]", b) for i, b in enumerate(check_sequence("branch", branch))]
    after = [check_string(f"after[{i}]", a) for i, a in enumerate(check_sequence("after", after, allow_empty=True))]
    colours = {"conv": PALETTE[0], "bn": PALETTE[2], "relu": PALETTE[1]}

    def box(y: float, name: str) -> None:
        key = "conv" if "conv" in name.lower() else "bn" if "bn" in name.lower() or "norm" in name.lower() \
            else "relu" if "relu" in name.lower() else None
        ax.add_patch(FancyBboxPatch((-1.1, y - 0.3), 2.2, 0.6, boxstyle="round,pad=0.05",
                                    facecolor=colours.get(key, "0.85"), alpha=0.35, edgecolor="0.2"))
        ax.text(0, y, name, ha="center", va="center", fontsize=9)

    def arrow(y0: float, y1: float, x: float = 0.0) -> None:
        ax.annotate("", xy=(x, y1), xytext=(x, y0), arrowprops=dict(arrowstyle="->", color="0.2"))

    y = 0.0
    ax.text(0, y, "$x_l$", ha="center", va="center", fontsize=11)
    for name in branch:
        arrow(y - 0.25, y - 0.65)
        y -= 1.0
        box(y, name)
    arrow(y - 0.35, y - 0.75)
    y -= 1.0
    if shortcut:
        ax.add_patch(Circle((0, y), 0.25, facecolor="white", edgecolor="0.2"))
        ax.text(0, y, "+", ha="center", va="center", fontsize=12)
        ax.plot([0.25, 1.8, 1.8], [0.0, 0.0, y], color="0.2", linewidth=1)
        ax.annotate("", xy=(0.27, y), xytext=(1.8, y), arrowprops=dict(arrowstyle="->", color="0.2"))
        ax.text(1.9, y / 2, "identity", rotation=90, ha="left", va="center", fontsize=8)
    else:
        ax.text(0, y, "(no addition)", ha="center", va="center", fontsize=8)
    for name in after:
        arrow(y - 0.3, y - 0.65)
        y -= 1.0
        box(y, name)
    arrow(y - 0.3, y - 0.7)
    y -= 1.0
    ax.text(0, y, "$x_{l+1}$", ha="center", va="center", fontsize=11)
    if title is not None:
        ax.set_title(title, fontsize=10)
    ax.set_xlim(-1.6, 2.6)
    ax.set_ylim(y - 0.5, 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
