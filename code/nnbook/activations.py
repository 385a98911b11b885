"""Activation functions and their derivatives, in NumPy.

Each function ``f(z)`` has its derivative ``f_prime(z)`` beside it (the derivative with
respect to the pre-activation ``z``, evaluated elementwise), so that backpropagation can
write ``delta = grad_out * f_prime(z)``.

Book chapter: "Activation functions" (``book/ch2-activations/``).
"""
from __future__ import annotations

import numpy as np


def _as_float_array(z, name: str = "z") -> np.ndarray:
    z = np.asarray(z)
    if z.dtype == object or not (np.issubdtype(z.dtype, np.floating) or np.issubdtype(z.dtype, np.integer)):
        raise TypeError(f"{name} must be a real numeric array, got dtype {z.dtype}")
    if np.issubdtype(z.dtype, np.integer):
        z = z.astype(np.float64)
    return z


def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    Evaluated without overflow: for :math:`z \ge 0` as :math:`1/(1+e^{-z})`, for
    :math:`z < 0` as :math:`e^{z}/(1+e^{z})`, so no exponential of a large positive
    number is ever taken (no warning at ``z = -1000``).

    Parameters
    ----------
    z : array_like of float
        Pre-activations, any shape.
    """
    z = _as_float_array(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    r"""Derivative :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, at most 1/4 (at z = 0)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    r"""Hyperbolic tangent :math:`\tanh z = 2\sigma(2z) - 1`."""
    return np.tanh(_as_float_array(z))


def tanh_prime(z):
    r"""Derivative :math:`\tanh'(z) = 1 - \tanh^2 z`, at most 1 (at z = 0)."""
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    r"""Rectified linear unit :math:`\max(0, z)`."""
    z = _as_float_array(z)
    return np.maximum(z, 0.0)


def relu_prime(z):
    r"""Derivative of ReLU: 1 for :math:`z > 0`, 0 for :math:`z \le 0`.

    At the kink :math:`z = 0` we use 0, the same subgradient as PyTorch's autograd.
    """
    z = _as_float_array(z)
    return (z > 0).astype(z.dtype)
