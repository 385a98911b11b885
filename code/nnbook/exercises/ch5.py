"""Graders for chapter 5 (convolutional networks), ``book/ch5-cnn/10-exercises``.

Conventions are the chapter's (``nnbook.nn.conv``, ``nnbook.nn.pooling``, PyTorch's): a
"convolution" is a cross-correlation (the kernel is not flipped), ``padding=p`` adds ``p`` zeros
on *each* side, and a window counts only if it lies entirely inside the padded input.
"""
from __future__ import annotations

import numbers

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader
from nnbook.nn.conv import conv2d_forward
from nnbook.nn.pooling import pool2d_forward


def _as_counts(what: str, values: list, noun: str) -> list[int]:
    """``values`` as Python ints, or :class:`NotYet` saying why one of them is not a count."""
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            shown = " ".join(repr(value).split())  # one line, also for an array
            raise NotYet(f"{what} must return an int, got {type(value).__name__} ({shown:.40})")
    for value in values:
        if not isinstance(value, numbers.Integral) and (not np.isfinite(value) or value != int(value)):
            raise NotYet(f"{what} returned {value!r}: a number of {noun} is a whole number")
    for value in values:
        if not isinstance(value, numbers.Integral):
            raise NotYet(f"{what} must return an int, got the float {value!r} (a count of {noun} is used "
                         "as an array size or summed exactly)")
    return [int(value) for value in values]


def _as_array(what: str, value) -> np.ndarray:
    if value is None:
        raise NotYet(f"{what} is None: does your function return its result?")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(f"{what} must be an array of numbers, got {type(value).__name__}") from None


# ---------------------------------------------------------------------------------------------
# the output size of a convolution (page 08, "Where a window sits, and how many fit")

def _geometries(rng, count: int) -> list[tuple[int, int, int, int, int]]:
    """``count`` random (n, kernel, stride, padding, dilation) for which the dilated kernel fits."""
    out = []
    while len(out) < count:
        n, k, s, p, d = (int(rng.integers(1, 33)), int(rng.integers(1, 8)), int(rng.integers(1, 5)),
                         int(rng.integers(0, 4)), int(rng.integers(1, 4)))
        if d * (k - 1) + 1 <= n + 2 * p:
            out.append((n, k, s, p, d))
    return out


@grader("ch5.output_size", "the output size of a convolution", n_cases=200)
def output_size(answer, rng):
    """``answer(n, kernel, stride, padding, dilation) -> int``, the number of outputs along an axis,

    .. math:: n_{out} = \\left\\lfloor \\frac{n + 2p - d(k-1) - 1}{s} \\right\\rfloor + 1

    (ch5/08). The reference counts the window starts ``0, s, 2s, ...`` whose last tap
    ``start + d(k - 1)`` falls inside the padded axis of ``n + 2p`` cells.
    """
    cases = _geometries(rng, 200)
    results = []
    for case in cases:
        try:
            results.append(answer(*case))
        except ZeroDivisionError:
            raise NotYet(f"output_size{case} divided by zero, but the stride is at least 1: are stride and "
                         "padding swapped? The order is (n, kernel, stride, padding, dilation)") from None
    got = _as_counts("output_size", results, "windows")
    expected = [len(range(0, n + 2 * p - d * (k - 1), s)) for n, k, s, p, d in cases]
    wrong = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
    if not wrong:
        return
    first = cases[wrong[0]]
    at = "(n, kernel, stride, padding, dilation) = {}".format(first)
    # the mistakes of the page's "Common mistake" box, each recognised by agreeing everywhere
    mistakes = {
        "rounded up": [-(-(n + 2 * p - d * (k - 1) - 1) // s) + 1 for n, k, s, p, d in cases],
        "no dilation": [(n + 2 * p - k) // s + 1 for n, k, s, p, d in cases],
        "padding once": [(n + p - d * (k - 1) - 1) // s + 1 for n, k, s, p, d in cases],
    }
    if got == mistakes["rounded up"]:
        raise NotYet(f"one output too many at {at}: a window counts only if it fits entirely inside "
                     "the padded input")
    if got == mistakes["no dilation"]:
        raise NotYet(f"wrong only where dilation > 1, e.g. at {at}: how many cells does a kernel of k "
                     "taps with dilation d span?")
    if got == mistakes["padding once"]:
        raise NotYet(f"wrong only where padding > 0, e.g. at {at}: padding=p adds p zeros on each side")
    for offset, word in ((-1, "too few"), (1, "too many")):
        if all(g == e + offset for g, e in zip(got, expected)):
            raise NotYet(f"one output {word} everywhere, e.g. at {at}: count the window positions again")
    raise NotYet(f"output_size{first} returned {got[wrong[0]]}, expected {expected[wrong[0]]} "
                 f"(wrong in {len(wrong)} of {len(cases)} geometries)")


# ---------------------------------------------------------------------------------------------
# a naive 2-D cross-correlation (page 01, "The layer")

@grader("ch5.correlate2d", "a naive single-channel cross-correlation", n_cases=5)
def correlate2d(answer, rng):
    """``answer(x, w) -> y`` for ``x`` (H, W) and ``w`` (kh, kw), without padding, stride 1:

    .. math:: y_{i,j} = \\sum_{u=0}^{k_h-1} \\sum_{v=0}^{k_w-1} w_{u,v}\\, x_{i+u,\\, j+v},
              \\qquad y \\in \\mathbb R^{(H-k_h+1) \\times (W-k_w+1)},

    the layer of ch5/01 with one channel and one filter; the reference is
    :func:`nnbook.nn.conv.conv2d_forward`.
    """
    for case in range(5):
        if case == 0:
            H, W, kh, kw = 7, 5, 3, 2  # distinct sizes, so a transposed result shows as a transposed shape
        else:
            H, W = (int(v) for v in rng.integers(3, 11, size=2))
            kh, kw = int(rng.integers(1, min(H, 5) + 1)), int(rng.integers(1, min(W, 5) + 1))
            if kh == kw == 1:
                kh = 2  # a 1x1 kernel would not show a flipped kernel
        x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
        expected = conv2d_forward(x[None, None], w[None, None])[0][0, 0]
        y = _as_array("y", answer(x.copy(), w.copy()))
        if y.shape == (H, W):
            raise NotYet(f"y has the shape of x, {(H, W)}: no padding here, so only the windows that lie "
                         f"entirely inside x give an output, {expected.shape}")
        if y.shape == (H + kh - 1, W + kw - 1):
            raise NotYet(f"y has shape {y.shape}, the 'full' size: windows that stick out of x do not "
                         f"count here, expected {expected.shape}")
        if y.shape == (H - kh, W - kw):
            raise NotYet(f"y has shape {y.shape}, one row and one column short of {expected.shape}: "
                         "the last window ends on the last row and column of x")
        flipped = conv2d_forward(x[None, None], w[None, None, ::-1, ::-1].copy())[0][0, 0]
        if y.shape == expected.shape and np.allclose(y, flipped):
            raise NotYet("y is the convolution of signal processing, with the kernel flipped: deep learning's "
                         "convolution is a cross-correlation, which does not flip it")
        compare("y", y, expected)


# ---------------------------------------------------------------------------------------------
# max pooling with its argmax (page 02, "Max and average pooling")

@grader("ch5.max_pool2d", "max pooling and the position of each maximum", n_cases=6)
def max_pool2d(answer, rng):
    """``answer(x, kernel, stride) -> (y, argmax)`` for ``x`` (H, W), square windows, no padding:

    .. math:: y_{i,j} = \\max_{0 \\le u,v < k} x_{si+u,\\, sj+v}, \\qquad
              H_o = \\lfloor (H - k)/s \\rfloor + 1,

    and ``argmax[i, j]`` the flat index ``r * W + c`` of the winning entry ``x[r, c]`` (the
    convention of ``torch.nn.functional.max_pool2d(..., return_indices=True)``). The reference
    is :func:`nnbook.nn.pooling.pool2d_forward`.
    """
    geometries = [(9, 6, 3, 2), (8, 8, 2, 2), (7, 10, 2, 1), (11, 9, 3, 3), (10, 7, 2, 3), (6, 9, 3, 1)]
    for H, W, k, s in geometries:  # overlapping (s < k), tiling (s = k) and gapped (s > k) windows
        H, W = H + int(rng.integers(0, 3)), W + int(rng.integers(0, 3))
        x = rng.normal(size=(H, W))
        out, (_, _, _, _, _, local) = pool2d_forward(x[None, None], k, s)
        expected, local = out[0, 0], local[0, 0]  # local: index u * k + v inside each window
        Ho, Wo = expected.shape
        rows = s * np.arange(Ho)[:, None] + local // k
        cols = s * np.arange(Wo)[None, :] + local % k
        result = answer(x.copy(), k, s)
        if not isinstance(result, tuple) or len(result) != 2:
            raise NotYet("return a tuple of two arrays: (y, argmax)")
        y, argmax = result
        y = _as_array("y", y)
        tiled = ((H - k) // k + 1, (W - k) // k + 1)  # the size with stride = kernel
        if y.shape == tiled != expected.shape:
            raise NotYet(f"y has shape {y.shape}, that of windows {k} apart: the windows are stride = {s} apart")
        if y.shape == expected.shape and np.allclose(y, pool2d_forward(x[None, None], k, s, mode="avg")[0][0, 0]):
            raise NotYet("y holds the mean of each window: max pooling keeps the largest entry")
        compare("y", y, expected)
        argmax = np.asarray(argmax)
        if argmax.shape == (Ho, Wo, 2):
            raise NotYet("argmax must have shape (H_o, W_o), one flat index r * W + c per window, "
                         "not (row, column) pairs")
        if argmax.shape != (Ho, Wo) or not np.issubdtype(argmax.dtype, np.integer):
            raise NotYet(f"argmax must be an int array of shape {(Ho, Wo)}, got {argmax.dtype} {argmax.shape}")
        if np.array_equal(argmax, rows * W + cols):
            continue
        if np.array_equal(argmax, local) and not np.array_equal(local, rows * W + cols):
            raise NotYet("argmax holds the position inside each window (0 to k*k - 1): give the flat "
                         "index r * W + c of the winner in x")
        if np.array_equal(argmax, cols * H + rows):
            raise NotYet("argmax swaps rows and columns: the flat index of x[r, c] is r * W + c")
        inside = (argmax >= 0) & (argmax < H * W)
        if not inside.all() or not np.allclose(x.ravel()[np.where(inside, argmax, 0)], expected):
            raise NotYet("x.ravel()[argmax] is not y: argmax must point to the entry of x that wins each window")
        raise NotYet("argmax points to an entry equal to the maximum but not the first one in row-major order")


# ---------------------------------------------------------------------------------------------
# the parameters of a convolution layer (pages 01 and 08, "Channels, and the 1x1 convolution")

def _layers(rng, count: int) -> list[tuple[int, int, tuple[int, int], bool, int]]:
    """(c_in, c_out, (kh, kw), bias, groups); the first four cover bias on/off, kh != kw, groups > 1."""
    out = [(3, 16, (3, 5), True, 1), (8, 4, (3, 3), False, 1), (96, 256, (5, 5), True, 2), (12, 6, (1, 7), False, 3)]
    while len(out) < count:
        groups = int(rng.choice([1, 1, 2, 4]))
        c_in, c_out = groups * int(rng.integers(1, 17)), groups * int(rng.integers(1, 17))
        kernel = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        out.append((c_in, c_out, kernel, bool(rng.integers(0, 2)), groups))
    return out


@grader("ch5.conv_parameters", "the number of parameters of a convolution layer", n_cases=20)
def conv_parameters(answer, rng):
    """``answer(c_in, c_out, kernel_size, bias=..., groups=...) -> int``, the parameters of
    ``torch.nn.Conv2d(c_in, c_out, kernel_size, bias=bias, groups=groups)``:

    .. math:: P = c_{out} \\cdot \\frac{c_{in}}{g} \\cdot k_h k_w + [\\text{bias}]\\, c_{out}

    (a filter reads :math:`c_{in}/g` channels of its group; ch5/01 and ch5/08 for ``g = 1``).
    """
    cases = _layers(rng, 20)
    got = _as_counts("conv_parameters", [answer(c_in, c_out, kernel, bias=bias, groups=g)
                                         for c_in, c_out, kernel, bias, g in cases], "parameters")

    def count(c_in, c_out, kernel, bias, g):
        return c_out * (c_in // g) * kernel[0] * kernel[1] + (c_out if bias else 0)

    expected = [count(*case) for case in cases]
    wrong = [i for i, (a, e) in enumerate(zip(got, expected)) if a != e]
    if not wrong:
        return
    biased = [i for i, case in enumerate(cases) if case[3]]
    unbiased = [i for i, case in enumerate(cases) if not case[3]]
    if all(got[i] == expected[i] - cases[i][1] for i in biased) and all(got[i] == expected[i] for i in unbiased):
        raise NotYet("short by exactly c_out whenever bias=True: did you count the biases?")
    if all(got[i] == expected[i] + cases[i][1] for i in unbiased) and all(got[i] == expected[i] for i in biased):
        raise NotYet("too many by exactly c_out whenever bias=False: a layer built with bias=False has no biases")
    if got == [count(c_in * g, c_out, kernel, bias, g) for c_in, c_out, kernel, bias, g in cases]:
        raise NotYet("wrong only where groups > 1, with groups times too many weights: how many input "
                     "channels does one filter read?")
    if got == [count(c_in, c_out, (kernel[0], kernel[0]), bias, g) for c_in, c_out, kernel, bias, g in cases]:
        raise NotYet("wrong only for non-square kernels: kernel_size is the pair (kh, kw)")
    case = cases[wrong[0]]
    raise NotYet(f"conv_parameters({case[0]}, {case[1]}, {case[2]}, bias={case[3]}, groups={case[4]}) "
                 f"returned {got[wrong[0]]}, expected {expected[wrong[0]]}")
