r"""A tanh recurrent network in NumPy: the cell, the sequence, and backpropagation through time.

One step of the Elman RNN (the cell of ``torch.nn.RNN`` with ``nonlinearity="tanh"``) is

.. math::
    \mathbf z_t = W_{xh}\,\mathbf x_t + W_{hh}\,\mathbf h_{t-1} + \mathbf b, \qquad
    \mathbf h_t = \tanh(\mathbf z_t),

with the same weights at every step. Backpropagation through time (BPTT) unrolls the sequence
and runs ordinary backpropagation backwards over it: the total gradient on :math:`\mathbf h_t`
is what the output at step :math:`t` sends plus what step :math:`t+1` sends back,

.. math::
    \frac{\partial L}{\partial \mathbf h_t} = \mathbf g_t + W_{hh}^\top\boldsymbol\delta_{t+1},
    \qquad \boldsymbol\delta_t = \big(1 - \mathbf h_t^{2}\big) \odot \frac{\partial L}{\partial \mathbf h_t},

so the gradient that reaches step :math:`t` from step :math:`T` contains the product of the
:math:`T - t` Jacobians :math:`W_{hh}^\top\operatorname{diag}(1 - \mathbf h_s^2)` — the cause of
vanishing and exploding gradients through time (Bengio et al., 1994; Pascanu et al., 2013).
The weights collect one term per step: :math:`\partial L/\partial W_{hh} = \sum_t
\boldsymbol\delta_t \mathbf h_{t-1}^\top`, :math:`\partial L/\partial W_{xh} = \sum_t
\boldsymbol\delta_t \mathbf x_t^\top`, :math:`\partial L/\partial \mathbf b = \sum_t \boldsymbol\delta_t`.

Shapes follow ``torch.nn.RNN`` (time first): ``X`` is ``(T, N, D)``, ``h0`` is ``(N, H)``,
``W_xh`` is ``(H, D)`` (torch's ``weight_ih_l0``), ``W_hh`` is ``(H, H)`` (``weight_hh_l0``) and
``b`` is ``(H,)`` (torch's ``bias_ih_l0 + bias_hh_l0``; each of the two gets the gradient ``db``).
Book: chapter 4, "Recurrent networks and vanishing gradients through time" (``tr7-recurrent``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnbook._validation import check_array

__all__ = ["rnn_cell_forward", "rnn_cell_backward", "rnn_forward", "rnn_backward", "RNNGradients"]


class RNNGradients(NamedTuple):
    """The gradients returned by :func:`rnn_backward`.

    ``dX`` ``(T, N, D)``, ``dh0`` ``(N, H)``, ``dW_xh`` ``(H, D)``, ``dW_hh`` ``(H, H)``, ``db``
    ``(H,)``, and ``dH`` ``(T, N, H)``: the *total* gradient :math:`\\partial L/\\partial \\mathbf h_t`
    at every step (direct output term plus everything sent back from later steps).
    """

    dX: np.ndarray
    dh0: np.ndarray
    dW_xh: np.ndarray
    dW_hh: np.ndarray
    db: np.ndarray
    dH: np.ndarray


def _check_weights(W_xh, W_hh, b):
    W_xh = check_array("W_xh", W_xh, ndim=2)
    W_hh = check_array("W_hh", W_hh, ndim=2)
    b = check_array("b", b, ndim=1)
    H = W_xh.shape[0]
    if W_hh.shape != (H, H) or b.shape != (H,):
        raise ValueError(f"W_xh (H, D), W_hh (H, H) and b (H,) must agree on H, got shapes W_xh {W_xh.shape}, "
                         f"W_hh {W_hh.shape}, b {b.shape}")
    return W_xh, W_hh, b


def _check_input(name, value, ndim, D):
    value = check_array(name, value, ndim=ndim)
    if value.shape[-1] != D:
        raise ValueError(f"{name} must have D = {D} features in its last axis (the columns of W_xh), "
                         f"got shape {value.shape}")
    return value


def rnn_cell_forward(x, h_prev, W_xh, W_hh, b):
    r"""One step :math:`\mathbf h = \tanh(W_{xh}\mathbf x + W_{hh}\mathbf h_{\text{prev}} + \mathbf b)`.

    Parameters
    ----------
    x : ndarray (N, D)
    h_prev : ndarray (N, H)
    W_xh : ndarray (H, D)
    W_hh : ndarray (H, H)
    b : ndarray (H,)

    Returns
    -------
    h : ndarray (N, H)
    cache : tuple
        ``(x, h_prev, h, W_xh, W_hh)`` for :func:`rnn_cell_backward`.
    """
    W_xh, W_hh, b = _check_weights(W_xh, W_hh, b)
    H, D = W_xh.shape
    x = _check_input("x", x, 2, D)
    h_prev = check_array("h_prev", h_prev, shape=(x.shape[0], H))
    h = np.tanh(x @ W_xh.T + h_prev @ W_hh.T + b)
    return h, (x, h_prev, h, W_xh, W_hh)


def rnn_cell_backward(grad_h, cache):
    r"""Backward of one step: :math:`\boldsymbol\delta = (1 - \mathbf h^2)\odot\mathbf g`, then

    :math:`\partial\mathbf x = \boldsymbol\delta W_{xh}`, :math:`\partial\mathbf h_{\text{prev}} =
    \boldsymbol\delta W_{hh}`, :math:`\partial W_{xh} = \boldsymbol\delta^\top\mathbf x`,
    :math:`\partial W_{hh} = \boldsymbol\delta^\top\mathbf h_{\text{prev}}`,
    :math:`\partial\mathbf b = \sum_n \boldsymbol\delta_n` (rows are examples).

    Parameters
    ----------
    grad_h : ndarray (N, H)
        :math:`\mathbf g = \partial L/\partial \mathbf h`, the total gradient on this step's output.
    cache : tuple
        From :func:`rnn_cell_forward`.

    Returns
    -------
    dx, dh_prev, dW_xh, dW_hh, db : ndarrays of the shapes of ``x``, ``h_prev``, ``W_xh``, ``W_hh``, ``b``
    """
    x, h_prev, h, W_xh, W_hh = cache
    grad_h = check_array("grad_h", grad_h, shape=h.shape)
    delta = (1.0 - h**2) * grad_h
    return delta @ W_xh, delta @ W_hh, delta.T @ x, delta.T @ h_prev, delta.sum(axis=0)


def rnn_forward(X, h0, W_xh, W_hh, b):
    r"""Run the cell over a sequence: :math:`\mathbf h_t = \tanh(W_{xh}\mathbf x_t + W_{hh}\mathbf h_{t-1} + \mathbf b)`.

    Parameters
    ----------
    X : ndarray (T, N, D)
        Inputs, time first (as ``torch.nn.RNN`` with ``batch_first=False``).
    h0 : ndarray (N, H)
        Initial state.
    W_xh : ndarray (H, D)
    W_hh : ndarray (H, H)
    b : ndarray (H,)

    Returns
    -------
    H_all : ndarray (T, N, H)
        :math:`\mathbf h_1, \dots, \mathbf h_T` (``torch.nn.RNN``'s ``output``; the last row is ``h_n``).
    cache : list
        One cell cache per step, for :func:`rnn_backward`.
    """
    W_xh, W_hh, b = _check_weights(W_xh, W_hh, b)
    H, D = W_xh.shape
    X = _check_input("X", X, 3, D)
    h = check_array("h0", h0, shape=(X.shape[1], H))
    outputs, cache = [], []
    for x_t in X:
        h, step = rnn_cell_forward(x_t, h, W_xh, W_hh, b)
        outputs.append(h)
        cache.append(step)
    return np.stack(outputs), cache


def rnn_backward(grad_H, cache) -> RNNGradients:
    r"""Backpropagation through time.

    Walks the steps backwards with :math:`\partial L/\partial\mathbf h_t = \mathbf g_t +
    \partial\mathbf h_{\text{prev}}` (the second term is what step :math:`t+1` sent back) and
    sums the weight gradients of all steps.

    Parameters
    ----------
    grad_H : ndarray (T, N, H)
        :math:`\mathbf g_t = \partial L/\partial \mathbf h_t` through the outputs only (zeros for
        steps whose output the loss does not read; a loss on the last state only has one
        non-zero row).
    cache : list
        From :func:`rnn_forward`.

    Returns
    -------
    RNNGradients
        ``dX``, ``dh0``, ``dW_xh``, ``dW_hh``, ``db`` and the total gradients ``dH`` per step.
    """
    if not isinstance(cache, list) or not cache:
        what = type(cache).__name__
        raise TypeError(f"cache must be the list returned by rnn_forward, got {what}")
    T, (N, H) = len(cache), cache[0][2].shape
    grad_H = check_array("grad_H", grad_H, shape=(T, N, H))
    W_xh, W_hh = cache[0][3], cache[0][4]
    dX = np.empty((T, N, W_xh.shape[1]))
    dH = np.empty((T, N, H))
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dH[t] = grad_H[t] + dh_next
        dX[t], dh_next, dWx, dWh, db_t = rnn_cell_backward(dH[t], cache[t])
        dW_xh += dWx
        dW_hh += dWh
        db += db_t
    return RNNGradients(dX, dh_next, dW_xh, dW_hh, db, dH)
