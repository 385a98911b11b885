"""A locally connected 2-D layer: a convolution whose filters are not shared across positions.

.. math::

    Y_{n,f,i,j} = b_{f,i,j} + \\sum_{c,u,v} W_{i,j,f,c,u,v}\\, X_{n,c,\\,si+u,\\,sj+v}

The sparse connectivity of a convolution stays (each output sees a k x k window), the weight
sharing goes: the layer has :math:`H_o W_o` times the weights of the convolution with the same
shape. DeepFace (Taigman et al. 2014) uses three such layers on 3-D-aligned faces, where the
eyes, nose and mouth always fall on the same pixels, so a filter may specialise to its
position. :func:`synthetic_faces` makes the toy data of the book's experiment: "faces" whose
parts are identity-specific patterns at fixed positions, optionally shifted.

Book section: ``book/ch5-cnn/05-locally-connected.ipynb``.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from nnbook._validation import check_bool, check_int, check_number, check_random_state, check_tensor
from nnbook.nn.conv import conv_output_size

__all__ = ["LocallyConnected2d", "FACE_PARTS", "synthetic_faces"]

#: Top-left corners (row, column) of the four 3x3 "parts" of a 16x16 face: two eyes, nose, mouth.
FACE_PARTS = ((3, 3), (3, 10), (7, 6), (11, 6))


class LocallyConnected2d(nn.Module):
    """Unshared convolution.

    Parameters
    ----------
    in_channels, out_channels : int
    input_size : (int, int)
        (H, W) of the input; the layer has one filter bank per output position.
    kernel_size, stride, padding : int

    Attributes
    ----------
    weight : Parameter, shape (H_o * W_o, out_channels, in_channels * kernel_size**2)
    bias : Parameter, shape (out_channels, H_o, W_o)

    Input (N, in_channels, H, W); output (N, out_channels, H_o, W_o).
    """

    def __init__(self, in_channels: int, out_channels: int, input_size, kernel_size: int, stride: int = 1,
                 padding: int = 0, bias: bool = True):
        super().__init__()
        in_channels = check_int("in_channels", in_channels, low=1)
        out_channels = check_int("out_channels", out_channels, low=1)
        if isinstance(input_size, (str, bytes)) or not hasattr(input_size, "__len__") or len(input_size) != 2:
            raise ValueError(f"input_size must be (H, W), got {input_size!r}")
        input_size = tuple(check_int(f"input_size[{i}]", n, low=1) for i, n in enumerate(input_size))
        kernel_size = check_int("kernel_size", kernel_size, low=1)
        stride = check_int("stride", stride, low=1)
        padding = check_int("padding", padding, low=0)
        bias = check_bool("bias", bias)
        if kernel_size > min(input_size) + 2 * padding:
            raise ValueError(f"kernel_size {kernel_size} is larger than the padded input_size "
                             f"{tuple(n + 2 * padding for n in input_size)}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.input_size = tuple(input_size)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.output_size = tuple(conv_output_size(n, kernel_size, stride, padding) for n in self.input_size)
        fan_in = in_channels * kernel_size ** 2
        n_positions = self.output_size[0] * self.output_size[1]
        bound = 1 / math.sqrt(fan_in)  # the default initialisation of nn.Conv2d, per position
        self.weight = nn.Parameter(torch.empty(n_positions, out_channels, fan_in).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels, *self.output_size).uniform_(-bound, bound)) if bias else None

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        check_tensor("X", X, finite=False)
        if X.ndim != 4 or X.shape[1] != self.in_channels or tuple(X.shape[2:]) != self.input_size:
            raise ValueError(f"X must have shape (N, {self.in_channels}, {self.input_size[0]}, {self.input_size[1]}), "
                             f"got {tuple(X.shape)}")
        cols = nn.functional.unfold(X, self.kernel_size, padding=self.padding, stride=self.stride)  # (N, fan_in, P)
        # one product (N, fan_in) @ (fan_in, F) per output position p, batched over the P positions;
        # with contiguous operands this runs, forward and backward, in about half the CPU time of
        # the equivalent torch.einsum("pfk,nkp->nfp", weight, cols)
        out = torch.bmm(cols.permute(2, 0, 1).contiguous(), self.weight.transpose(1, 2).contiguous())
        out = out.permute(1, 2, 0).reshape(X.shape[0], self.out_channels, *self.output_size)
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, input_size={self.input_size}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}")


def synthetic_faces(n: int, n_identities: int = 10, max_shift: int = 0, noise: float = 0.5,
                    random_state: int = 0, pattern_seed: int = 0):
    """Toy "faces": each identity has its own random +-1 3x3 pattern for each of four parts.

    A face is drawn on a 22x22 canvas (the 16x16 face with a 3-pixel margin): the four
    patterns of its identity at :data:`FACE_PARTS`, the whole face shifted by a random
    (dy, dx) in ``[-max_shift, max_shift]``, plus Gaussian noise of standard deviation ``noise``.
    ``max_shift=0`` gives perfectly aligned faces, the situation DeepFace creates with 3-D
    alignment.

    Parameters
    ----------
    n : int
        Number of images.
    n_identities : int
        Number of classes (>= 1).
    max_shift : int, 0 to 3
    noise : float
        >= 0.
    random_state : int, numpy Generator or None
        Seed of the identities, shifts and noise of this sample (through ``check_random_state``).
    pattern_seed : int
        >= 0.
        Seed of the identities' part patterns (keep it fixed across training and test sets).

    Returns
    -------
    X : ndarray, float32, shape (n, 1, 22, 22)
    y : ndarray, int64, shape (n,)
    """
    n = check_int("n", n, low=1)
    n_identities = check_int("n_identities", n_identities, low=1)
    max_shift = check_int("max_shift", max_shift, low=0, high=3)
    noise = check_number("noise", noise, low=0.0)
    pattern_seed = check_int("pattern_seed", pattern_seed, low=0)
    patterns = np.random.default_rng(pattern_seed).choice([-1.0, 1.0], size=(n_identities, len(FACE_PARTS), 3, 3))
    rng = check_random_state(random_state)
    y = rng.integers(0, n_identities, n)
    shifts = rng.integers(-max_shift, max_shift + 1, (n, 2))
    X = np.zeros((n, 22, 22))
    for i in range(n):
        for p, (row, col) in enumerate(FACE_PARTS):
            r, c = 3 + row + shifts[i, 0], 3 + col + shifts[i, 1]
            X[i, r:r + 3, c:c + 3] = patterns[y[i], p]
    X += noise * rng.standard_normal(X.shape)
    return X[:, None].astype(np.float32), y.astype(np.int64)
