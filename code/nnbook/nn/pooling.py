"""Max, average and spatial pyramid pooling in NumPy, each backward beside its forward.

Pooling replaces every window of a feature map by one summary of it:

.. math::

    Y^{\\max}_{n,c,i,j} = \\max_{0 \\le u,v < k} X_{n,c,\\,si+u,\\,sj+v}, \\qquad
    Y^{\\mathrm{avg}}_{n,c,i,j} = \\frac{1}{k^2} \\sum_{0 \\le u,v < k} X_{n,c,\\,si+u,\\,sj+v}.

With stride :math:`s < k` neighbouring windows overlap (AlexNet used :math:`k=3, s=2`;
Krizhevsky et al. 2012). Spatial pyramid pooling (He et al. 2015) max-pools each map over an
:math:`n \\times n` grid of bins for several :math:`n` and concatenates the results, so inputs
of any size give a vector of the same length.

Pooling has no parameters. Its gradient goes, for max pooling, only to the arg-max of each
window (ties to the first in row-major order, as in PyTorch); for average pooling, equally to
every element of the window.

Book section: "Pooling" (``book/ch5-cnn/02-pooling.ipynb``).
"""
from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnbook._validation import check_float_array, check_int, check_option
from nnbook.nn.conv import conv_output_size

__all__ = ["pool2d_forward", "pool2d_backward", "adaptive_bins", "spatial_pyramid_pool_forward",
           "spatial_pyramid_pool_backward"]

MODES = ("max", "avg")


def _check_array(name: str, value, ndim: int, axes: str) -> np.ndarray:
    """The floor's ``check_float_array`` (finite floats), with the expected axes in the message.

    Called by name in the source of :func:`pool2d_backward`, which ch5/02 prints.
    """
    value = check_float_array(name, value)
    if value.ndim != ndim:
        raise ValueError(f"{name} must have shape ({axes}), got {value.shape}")
    return value


def _check_maps(X, allow_inf: bool) -> np.ndarray:
    X = check_float_array("X", X, allow_inf=allow_inf)
    if X.ndim != 4:
        raise ValueError(f"X must have shape (N, C, H, W), got {X.shape}")
    return X


def pool2d_forward(X: np.ndarray, kernel: int, stride: int | None = None, padding: int = 0, mode: str = "max"):
    """Max or average pooling over square windows.

    Parameters
    ----------
    X : ndarray, shape (N, C, H, W)
    kernel : int
        Window side k.
    stride : int, optional
        Step between windows; ``kernel`` (non-overlapping windows) when omitted.
    padding : int, default 0
        Added on every side: with ``-inf`` for max pooling, with zeros for average pooling
        (which then still divides by :math:`k^2`, like PyTorch's default ``count_include_pad``).
    mode : {"max", "avg"}

    ``X`` may hold ``-inf``/``+inf`` for max pooling (never NaN). The padding never wins a
    window: where a window's real entries are all ``-inf``, its arg-max is the first real
    entry, as in PyTorch, so :func:`pool2d_backward` sends no gradient into the padding.

    Returns
    -------
    out : ndarray, shape (N, C, H_o, W_o)
    cache : tuple for :func:`pool2d_backward`
    """
    check_option("mode", mode, MODES)
    X = _check_maps(X, allow_inf=mode == "max")
    kernel = check_int("kernel", kernel, low=1)
    stride = kernel if stride is None else check_int("stride", stride, low=1)
    padding = check_int("padding", padding, low=0)
    if 2 * padding > kernel:
        raise ValueError(f"padding must be at most kernel // 2 = {kernel // 2}, got {padding}")
    N, C, H, W = X.shape
    Ho = conv_output_size(H, kernel, stride, padding)
    Wo = conv_output_size(W, kernel, stride, padding)
    fill = -np.inf if mode == "max" else 0.0
    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill) if padding else X
    windows = sliding_window_view(Xp, (kernel, kernel), axis=(2, 3))[:, :, ::stride, ::stride][:, :, :Ho, :Wo]
    windows = windows.reshape(N, C, Ho, Wo, kernel * kernel)
    if mode == "max" and padding and np.isneginf(X).any():
        # ties at -inf: the first *real* entry of the window wins, never the -inf padding
        real = np.pad(np.ones(X.shape[2:], bool), padding, constant_values=False)
        real = sliding_window_view(real, (kernel, kernel))[::stride, ::stride][:Ho, :Wo].reshape(Ho, Wo, -1)
        best = windows.max(axis=-1, keepdims=True)
        argmax = ((windows == best) & real).argmax(axis=-1)
        out = np.take_along_axis(windows, argmax[..., None], axis=-1)[..., 0]
    elif mode == "max":
        argmax = windows.argmax(axis=-1)
        out = np.take_along_axis(windows, argmax[..., None], axis=-1)[..., 0]
    else:
        argmax = None
        out = windows.mean(axis=-1)
    return out, (X.shape, kernel, stride, padding, mode, argmax)


def _checked_cache(function):
    """Check ``cache`` before ``function`` runs (the body of pool2d_backward is printed in ch5/02)."""
    @functools.wraps(function)
    def checked(grad_out, cache):
        if not isinstance(cache, tuple) or len(cache) != 6:
            raise TypeError(f"cache must be the tuple returned by pool2d_forward, got {type(cache).__name__}")
        return function(grad_out, cache)
    return checked


@_checked_cache
def pool2d_backward(grad_out: np.ndarray, cache) -> np.ndarray:
    """Gradient of :func:`pool2d_forward` with respect to its input.

    .. math::

        \\frac{\\partial L}{\\partial X_{p}} = \\sum_{\\text{windows } w \\ni p} G_w \\cdot
        \\begin{cases} [p = \\arg\\max_w X] & \\text{max} \\\\ 1/k^2 & \\text{avg} \\end{cases}

    Overlapping windows add their contributions.

    Returns
    -------
    dX : ndarray, shape (N, C, H, W)
    """
    (N, C, H, W), k, s, p, mode, argmax = cache
    Ho, Wo = conv_output_size(H, k, s, p), conv_output_size(W, k, s, p)
    grad_out = _check_array("grad_out", grad_out, 4, "N, C, H_o, W_o")
    if grad_out.shape != (N, C, Ho, Wo):
        raise ValueError(f"grad_out must have shape {(N, C, Ho, Wo)}, "
                         f"got {grad_out.shape}")
    dXp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=grad_out.dtype)
    for u in range(k):  # one strided addition per position inside the window
        for v in range(k):
            if mode == "max":
                contribution = grad_out * (argmax == u * k + v)
            else:
                contribution = grad_out / (k * k)
            dXp[:, :, u:u + s * Ho:s, v:v + s * Wo:s] += contribution
    return dXp[:, :, p:p + H, p:p + W] if p else dXp


def adaptive_bins(size: int, n_bins: int) -> list[tuple[int, int]]:
    """The [start, end) of each of ``n_bins`` bins covering ``size`` pixels.

    Bin :math:`i` is :math:`[\\lfloor i\\,a/n \\rfloor, \\lceil (i+1)\\,a/n \\rceil)`, the rule of
    PyTorch's adaptive pooling: the bins cover every pixel and overlap by at most one.
    """
    size = check_int("size", size, low=1)
    n_bins = check_int("n_bins", n_bins, low=1)
    if n_bins > size:
        raise ValueError(f"n_bins ({n_bins}) must not exceed the input size ({size})")
    return [((i * size) // n_bins, -((-(i + 1) * size) // n_bins)) for i in range(n_bins)]


def spatial_pyramid_pool_forward(X: np.ndarray, levels=(1, 2, 4)):
    """Spatial pyramid (max) pooling: a fixed-length vector from a map of any size.

    Parameters
    ----------
    X : ndarray, shape (N, C, H, W)
    levels : sequence of int
        Grid sizes n; level n contributes :math:`C n^2` numbers.

    Returns
    -------
    out : ndarray, shape (N, C * sum(n**2 for n in levels))
        Level by level; within a level channel-major, bins in row-major order (the layout of
        ``torch.cat([adaptive_max_pool2d(X, n).flatten(1) for n in levels], 1)``).
    cache : tuple for :func:`spatial_pyramid_pool_backward`
    """
    X = _check_maps(X, allow_inf=True)
    if isinstance(levels, (str, bytes, dict)) or not hasattr(levels, "__iter__"):
        raise TypeError(f"levels must be a sequence of ints, got {type(levels).__name__} ({levels!r})")
    levels = tuple(check_int(f"levels[{i}]", n, low=1) for i, n in enumerate(levels))
    if not levels:
        raise ValueError("levels must not be empty")
    N, C, H, W = X.shape
    for i, n in enumerate(levels):
        if n > min(H, W):
            raise ValueError(f"levels[{i}] = {n} bins exceed the input size (H, W) = {(H, W)}")
    pieces, winners = [], []
    for n in levels:
        rows, cols = adaptive_bins(H, n), adaptive_bins(W, n)
        level = np.empty((N, C, n, n), dtype=X.dtype)
        arg = np.empty((N, C, n, n), dtype=np.int64)  # flat index into H*W of each maximum
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                block = X[:, :, r0:r1, c0:c1].reshape(N, C, -1)
                k = block.argmax(axis=-1)
                level[:, :, i, j] = np.take_along_axis(block, k[..., None], axis=-1)[..., 0]
                arg[:, :, i, j] = (r0 + k // (c1 - c0)) * W + c0 + k % (c1 - c0)
        pieces.append(level.reshape(N, -1))
        winners.append(arg.reshape(N, -1))
    return np.concatenate(pieces, axis=1), (X.shape, levels, np.concatenate(winners, axis=1))


def spatial_pyramid_pool_backward(grad_out: np.ndarray, cache) -> np.ndarray:
    """Gradient of :func:`spatial_pyramid_pool_forward`: each output's gradient goes to its arg-max.

    Returns
    -------
    dX : ndarray, shape (N, C, H, W)
    """
    if not isinstance(cache, tuple) or len(cache) != 3:
        raise TypeError(f"cache must be the tuple returned by spatial_pyramid_pool_forward, got {type(cache).__name__}")
    (N, C, H, W), levels, winners = cache
    grad_out = _check_array("grad_out", grad_out, 2, "N, C * sum(n**2)")
    if grad_out.shape != winners.shape:
        raise ValueError(f"grad_out must have shape {winners.shape}, got {grad_out.shape}")
    # columns are level-major, then channel-major within a level: the channel of each column
    channel = np.concatenate([np.repeat(np.arange(C), n * n) for n in levels])
    dX = np.zeros((N * C, H * W), dtype=grad_out.dtype)
    np.add.at(dX, (np.arange(N)[:, None] * C + channel, winners), grad_out)
    return dX.reshape(N, C, H, W)
