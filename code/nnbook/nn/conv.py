"""Two-dimensional convolution in NumPy (im2col), with its backward pass beside it.

The layer of a convolutional network computes, for a batch ``X`` of shape (N, C, H, W) and a
bank of filters ``W`` of shape (F, C, kh, kw),

.. math::

    Y_{n,f,i,j} = b_f + \\sum_{c=0}^{C-1} \\sum_{u=0}^{kh-1} \\sum_{v=0}^{kw-1}
    W_{f,c,u,v}\\, \\tilde X_{n,c,\\, s i + u,\\, s j + v},

where :math:`\\tilde X` is ``X`` padded with ``p`` zeros on each side and ``s`` is the stride
(deep-learning "convolution" is cross-correlation: the kernel is not flipped). The output has
:math:`H_o = \\lfloor (H + 2p - kh) / s \\rfloor + 1` rows (:func:`conv_output_size`).

*im2col* copies every receptive field into one column of a matrix, so that the layer is one
matrix product per image (LeCun et al. 1998 describe the weight sharing; Chellapilla et al.
2006 the unrolling). The backward pass is two more matrix products and a *col2im* that adds
each column back onto the pixels it came from.

Book section: "What convolution is" (``book/ch5-cnn/01-convolution.ipynb``); pooling lives in
:mod:`nnbook.nn.pooling`.
"""
from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nnbook._validation import check_float_array, check_int

__all__ = ["conv_output_size", "conv2d_forward", "conv2d_backward", "receptive_field"]


# ``_positive_int`` is printed in ch5/04 (the source of receptive_field): it is the floor's check_int
_positive_int = functools.partial(check_int, low=1)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of a convolution or pooling along one axis.

    .. math:: n_{out} = \\left\\lfloor \\frac{n + 2p - k}{s} \\right\\rfloor + 1

    Raises ``ValueError`` naming ``kernel`` when the kernel is larger than the padded input.
    """
    size = check_int("size", size, low=1)
    kernel = check_int("kernel", kernel, low=1)
    stride = check_int("stride", stride, low=1)
    padding = check_int("padding", padding, low=0)
    if kernel > size + 2 * padding:
        raise ValueError(f"kernel = {kernel} is larger than the padded input ({size} + 2*{padding} = {size + 2 * padding})")
    return (size + 2 * padding - kernel) // stride + 1


def conv2d_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None = None, stride: int = 1, padding: int = 0):
    """Forward pass of a 2-D convolution layer, by im2col and one matrix product.

    Parameters
    ----------
    X : ndarray, shape (N, C, H, W)
        Input batch.
    W : ndarray, shape (F, C, kh, kw)
        Filters.
    b : ndarray, shape (F,), optional
        Biases (zero when omitted).
    stride, padding : int
        Step of the window (>= 1) and zeros added on every side (>= 0).

    Returns
    -------
    out : ndarray, shape (N, F, H_o, W_o)
    cache : tuple
        What :func:`conv2d_backward` needs: the im2col matrices ``cols`` of shape
        (N, C*kh*kw, H_o*W_o), ``W``, the input shape and the settings.
    """
    X = check_float_array("X", X, ndim=4)
    W = check_float_array("W", W, ndim=4)
    stride = check_int("stride", stride, low=1)
    padding = check_int("padding", padding, low=0)
    N, C, H, Wd = X.shape
    F, C_w, kh, kw = W.shape
    if C_w != C:
        raise ValueError(f"W expects {C_w} input channels but X has {C} (X.shape={X.shape}, W.shape={W.shape})")
    if b is not None:
        b = check_float_array("b", b, ndim=1)
        if b.shape[0] != F:
            raise ValueError(f"b must have shape ({F},), got {b.shape}")
    if kh > H + 2 * padding or kw > Wd + 2 * padding:
        raise ValueError(f"W has kernel size ({kh}, {kw}), larger than the padded input "
                         f"({H + 2 * padding}, {Wd + 2 * padding}) for padding={padding}")
    Ho = conv_output_size(H, kh, stride, padding)
    Wo = conv_output_size(Wd, kw, stride, padding)
    Xp = np.pad(X, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2)) if padding else X
    windows = sliding_window_view(Xp, (kh, kw), axis=(2, 3))  # every (kh, kw) window
    windows = windows[:, :, ::stride, ::stride][:, :, :Ho, :Wo]  # (N, C, Ho, Wo, kh, kw)
    # -> (N, C*kh*kw, Ho*Wo): column (i, j) of image n is its receptive field
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, Ho * Wo)
    # (F, C*kh*kw) @ (N, C*kh*kw, Ho*Wo), batched over the images n
    out = np.matmul(W.reshape(F, -1), cols)
    if b is not None:
        out += b[:, None]
    out = out.reshape(N, F, Ho, Wo)
    return out, (cols, W, X.shape, stride, padding, b is not None)


def conv2d_backward(grad_out: np.ndarray, cache):
    """Backward pass of :func:`conv2d_forward`.

    With :math:`G_n = \\partial L / \\partial Y_n` reshaped to (F, H_o*W_o), the weights
    :math:`W` reshaped to (F, C*kh*kw) and the im2col matrices :math:`\\mathrm{cols}_n`:

    .. math::

        \\frac{\\partial L}{\\partial W} = \\sum_n G_n \\mathrm{cols}_n^\\top, \\qquad
        \\frac{\\partial L}{\\partial b_f} = \\sum_{n,i,j} G_{n,f,i,j}, \\qquad
        \\frac{\\partial L}{\\partial X_n} = \\mathrm{col2im}(W^\\top G_n),

    where col2im adds every column of :math:`W^\\top G_n` back onto the receptive field it
    came from (overlapping fields add up) and drops the padding.

    Parameters
    ----------
    grad_out : ndarray, shape (N, F, H_o, W_o)
    cache : tuple from :func:`conv2d_forward`

    Returns
    -------
    dX : ndarray, shape (N, C, H, W)
    dW : ndarray, shape (F, C, kh, kw)
    db : ndarray, shape (F,)
    """
    if not isinstance(cache, tuple) or len(cache) != 6:
        raise TypeError(f"cache must be the tuple returned by conv2d_forward, got {type(cache).__name__}")
    cols, W, (N, C, H, Wd), stride, padding, _ = cache
    F, _, kh, kw = W.shape
    Ho = conv_output_size(H, kh, stride, padding)
    Wo = conv_output_size(Wd, kw, stride, padding)
    grad_out = check_float_array("grad_out", grad_out, ndim=4)
    if grad_out.shape != (N, F, Ho, Wo):
        raise ValueError(f"grad_out must have shape {(N, F, Ho, Wo)}, got {grad_out.shape}")
    G = grad_out.reshape(N, F, Ho * Wo)
    dW = np.matmul(G, cols.transpose(0, 2, 1)).sum(axis=0).reshape(W.shape)
    db = grad_out.sum(axis=(0, 2, 3))
    dcols = np.matmul(W.reshape(F, -1).T, G).reshape(N, C, kh, kw, Ho, Wo)
    dXp = np.zeros((N, C, H + 2 * padding, Wd + 2 * padding), dtype=dcols.dtype)
    for u in range(kh):  # col2im: kh*kw strided additions, each over the whole batch
        for v in range(kw):
            dXp[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride] += dcols[:, :, u, v]
    dX = dXp[:, :, padding:padding + H, padding:padding + Wd] if padding else dXp
    return np.ascontiguousarray(dX), dW, db


def _checked_layers(function):
    """Check ``layers`` before ``function`` runs (the body of receptive_field is printed in ch5/04,
    so its argument is checked here): an iterable of (kernel, stride) pairs, at least one."""
    @functools.wraps(function)
    def checked(layers):
        if isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
            raise TypeError(f"layers must be a list of (kernel, stride) pairs, got {type(layers).__name__} ({layers!r})")
        layers = list(layers)
        if not layers:
            raise ValueError("layers is empty: give at least one (kernel, stride) pair")
        for index, layer in enumerate(layers):
            if isinstance(layer, (str, bytes)) or not hasattr(layer, "__len__"):
                raise TypeError(f"layers[{index}] must be a (kernel, stride) pair, got {layer!r}")
        return function(layers)
    return checked


@_checked_layers
def receptive_field(layers) -> list[tuple[int, int]]:
    """Receptive field and jump (input pixels between neighbouring units) after each layer.

    For a stack of layers with kernel :math:`k_l` and stride :math:`s_l`,

    .. math:: r_l = r_{l-1} + (k_l - 1)\\, j_{l-1}, \\qquad j_l = j_{l-1}\\, s_l, \\qquad r_0 = j_0 = 1.

    Parameters
    ----------
    layers : non-empty sequence of (kernel, stride) pairs of positive ints

    Returns
    -------
    list of (r_l, j_l), one per layer.
    """
    r, j, out = 1, 1, []
    for index, layer in enumerate(layers):
        if len(layer) != 2:
            raise ValueError(f"layers[{index}] must be a (kernel, stride) pair, "
                             f"got {layer!r}")
        k = _positive_int(f"layers[{index}] kernel", layer[0])
        s = _positive_int(f"layers[{index}] stride", layer[1])
        r, j = r + (k - 1) * j, j * s
        out.append((r, j))
    return out
