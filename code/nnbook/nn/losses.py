r"""Loss functions of a multilayer perceptron, each with its gradient beside it.

Every loss is the *mean* over the :math:`m` examples of a mini-batch, and every gradient is
the gradient of that mean, so it carries the factor :math:`1/m`:

* :func:`squared_error` -- :math:`J = \frac{1}{m}\sum_i \tfrac12\lVert\hat{\mathbf y}_i-\mathbf y_i\rVert^2`;
* :func:`binary_cross_entropy` -- sigmoid output and cross-entropy, computed from the logit;
* :func:`cross_entropy` -- softmax output and cross-entropy, computed from the logits with
  the log-sum-exp trick;
* :func:`l2_penalty` -- the weight-decay term :math:`\frac{\lambda}{2}\sum_l\lVert W^{(l)}\rVert_F^2`
  (weights only, never biases).

:func:`softmax`, :func:`log_softmax`, :func:`softmax_jacobian` and :func:`softmax_backward`
are here because the cross-entropy is built on them.

Book section: "Losses" (``book/ch3-backprop/01-losses.ipynb``); the gradients are derived in
``book/ch3-backprop/02-derivation.ipynb``.
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import check_float_array, check_int, check_labels, check_number, check_probabilities
from nnbook.nn.activations import sigmoid


def _as_2d_float(name: str, a) -> np.ndarray:
    """A finite, non-empty real array of shape (n_samples, n_outputs); float32 stays float32, ints become float64."""
    return check_float_array(name, a, ndim=2, cast_ints=True)


def _check_same_shape(y_hat: np.ndarray, y: np.ndarray, names=("y_hat", "y")) -> None:
    if y_hat.shape != y.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {y_hat.shape} and {y.shape}")


def _class_labels(y, n_classes: int, n_samples: int) -> np.ndarray:
    """Integer labels ``y`` of shape (n_samples,) in ``0 .. n_classes-1`` (through the floor)."""
    y = check_labels("y", y, n_classes)
    if len(y) != n_samples:
        raise ValueError(f"y must have shape ({n_samples},) to match the {n_samples} rows of logits, got {y.shape}")
    return y


def one_hot(y, n_classes: int) -> np.ndarray:
    """One-hot rows: ``Y[i, y[i]] = 1``. ``y`` int, shape (m,), labels in ``0..n_classes-1``; returns float64 (m, n_classes)."""
    n_classes = check_int("n_classes", n_classes, low=1)
    y = check_labels("y", y, n_classes)
    Y = np.zeros((len(y), n_classes))
    Y[np.arange(len(y)), y] = 1.0
    return Y


# --- squared error -------------------------------------------------------------------------
def squared_error(y_hat, y) -> float:
    r""":math:`J = \frac{1}{m}\sum_{i=1}^m \tfrac12\lVert\hat{\mathbf y}_i-\mathbf y_i\rVert^2`.

    ``y_hat`` and ``y`` have shape (m, n_outputs). The 1/2 cancels the 2 of the derivative;
    the 1/m makes the loss (and the learning rate) independent of the batch size.
    """
    y_hat, y = _as_2d_float("y_hat", y_hat), _as_2d_float("y", y)
    _check_same_shape(y_hat, y)
    return float(0.5 * np.sum((y_hat - y) ** 2) / len(y))


def squared_error_grad(y_hat, y) -> np.ndarray:
    r""":math:`\partial J/\partial\hat{\mathbf y}_i = (\hat{\mathbf y}_i-\mathbf y_i)/m`, shape (m, n_outputs).

    The sign matters: prediction minus target, so that a step against the gradient moves the
    prediction towards the target.
    """
    y_hat, y = _as_2d_float("y_hat", y_hat), _as_2d_float("y", y)
    _check_same_shape(y_hat, y)
    return (y_hat - y) / len(y)


# --- binary cross-entropy (sigmoid output) ---------------------------------------------------
def _bce_inputs(logits, y) -> tuple[np.ndarray, np.ndarray]:
    z, y = _as_2d_float("logits", logits), _as_2d_float("y", y)
    _check_same_shape(z, y, ("logits", "y"))
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"y must hold targets in [0, 1], got values in [{y.min()}, {y.max()}]")
    return z, y


def binary_cross_entropy(logits, y) -> float:
    r"""Mean binary cross-entropy of a sigmoid output, computed from the logit :math:`z`.

    .. math::
        J = -\frac1m\sum_i\big[y_i\log\sigma(z_i)+(1-y_i)\log(1-\sigma(z_i))\big]
          = \frac1m\sum_i\big[\max(z_i,0)-y_iz_i+\log(1+e^{-|z_i|})\big].

    The right-hand form never takes the log of 0 nor the exp of a large number.
    ``logits`` and ``y`` (targets in [0, 1]) have shape (m, 1).
    """
    z, y = _bce_inputs(logits, y)
    return float(np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))) / len(y))


def binary_cross_entropy_grad(logits, y) -> np.ndarray:
    r""":math:`\partial J/\partial z_i = (\sigma(z_i)-y_i)/m`, shape (m, 1); the same inputs as :func:`binary_cross_entropy`."""
    z, y = _bce_inputs(logits, y)
    return (sigmoid(z) - y) / len(y)


# --- softmax and multiclass cross-entropy -----------------------------------------------------
def logsumexp(Z) -> np.ndarray:
    r""":math:`\log\sum_k e^{z_k}` of each row, computed as
    :math:`c+\log\sum_k e^{z_k-c}` with :math:`c=\max_k z_k` (nothing overflows)."""
    Z = _as_2d_float("Z", Z)
    c = Z.max(axis=1, keepdims=True)
    return (c + np.log(np.exp(Z - c).sum(axis=1, keepdims=True)))[:, 0]


def log_softmax(Z) -> np.ndarray:
    r""":math:`\log\operatorname{softmax}(\mathbf z)_k = z_k-\log\sum_j e^{z_j}`, row by row; shape (m, K)."""
    Z = _as_2d_float("Z", Z)
    return Z - logsumexp(Z)[:, None]


def softmax(Z) -> np.ndarray:
    r""":math:`a_k = e^{z_k}/\sum_j e^{z_j}` along the last axis, as :math:`\exp(z_k - \operatorname{logsumexp}(\mathbf z))`.

    The one softmax of the package. ``Z`` has shape (m, K) (one distribution per row) or any
    shape (..., K), treated as rows of length K; the result has the shape of ``Z``.
    """
    Z = check_float_array("Z", Z, cast_ints=True)
    if Z.ndim == 0:
        raise ValueError(f"Z must have at least one axis (..., K), got shape {Z.shape}")
    if Z.ndim == 2:
        return np.exp(log_softmax(Z))
    return np.exp(log_softmax(Z.reshape(-1, Z.shape[-1]))).reshape(Z.shape)


def softmax_jacobian(z) -> np.ndarray:
    r"""The Jacobian :math:`\partial a_i/\partial z_j = a_i(\delta_{ij}-a_j)`, i.e. :math:`\operatorname{diag}(\mathbf a)-\mathbf a\mathbf a^\top`.

    ``z`` has shape (K,); returns (K, K). It is *not* diagonal: every output depends on
    every input.
    """
    z = check_float_array("z", z, cast_ints=True)
    if z.ndim != 1:
        raise ValueError(f"z must be one vector of shape (K,), got shape {z.shape}")
    a = softmax(z[None, :])[0]
    return np.diag(a) - np.outer(a, a)


def softmax_backward(A, grad_out) -> np.ndarray:
    r"""Vector-Jacobian product through softmax, row by row: :math:`\mathbf a\odot(\mathbf g-\langle\mathbf a,\mathbf g\rangle)`.

    ``A`` = softmax output, ``grad_out`` = :math:`\partial J/\partial\mathbf a`, both (m, K);
    returns :math:`\partial J/\partial\mathbf z` without forming the K x K Jacobians.
    """
    A, grad_out = _as_2d_float("A", A), _as_2d_float("grad_out", grad_out)
    _check_same_shape(A, grad_out, ("A", "grad_out"))
    check_probabilities("A", A, ndim=2, atol=1e-6)  # rows of a softmax output
    return A * (grad_out - np.sum(A * grad_out, axis=1, keepdims=True))


def cross_entropy(logits, y) -> float:
    r"""Mean softmax cross-entropy from logits: :math:`J=-\frac1m\sum_i\log\operatorname{softmax}(\mathbf z_i)_{y_i}`.

    Equivalently :math:`-\frac1m\sum_i\sum_k Y_{ik}\log a_{ik}` with one-hot :math:`Y`.
    ``logits`` (m, K); ``y`` int labels (m,) in 0..K-1. Same value as
    ``torch.nn.functional.cross_entropy``.
    """
    Z = _as_2d_float("logits", logits)
    y = _class_labels(y, Z.shape[1], Z.shape[0])
    return float(-log_softmax(Z)[np.arange(len(y)), y].sum() / len(y))


def cross_entropy_grad(logits, y) -> np.ndarray:
    r""":math:`\partial J/\partial\mathbf z_i = (\mathbf a_i-\mathbf y_i)/m` on *every* component (one-hot :math:`\mathbf y_i`)."""
    Z = _as_2d_float("logits", logits)
    y = _class_labels(y, Z.shape[1], Z.shape[0])
    G = softmax(Z)
    G[np.arange(len(y)), y] -= 1.0
    return G / len(y)


# --- L2 weight decay -------------------------------------------------------------------------
def _check_weight_decay(weight_decay) -> float:
    # the name is printed in ch3/01 (the source of l2_penalty_grad); the check is the floor's
    return check_number("weight_decay", weight_decay, low=0.0)


def l2_penalty(weights, weight_decay: float) -> float:
    r"""Weight-decay term :math:`\frac{\lambda}{2}\sum_l\lVert W^{(l)}\rVert_F^2`.

    ``weights`` is the list of weight matrices only: biases are not decayed (a bias shifts a
    unit; shrinking it towards 0 does not make the function smoother). The penalty is added
    once per mini-batch, not divided by m.
    """
    lam = _check_weight_decay(weight_decay)
    weights = _weight_list(weights)
    return 0.5 * lam * float(sum(np.sum(W ** 2) for W in weights))


def _weight_list(weights) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError(f"weights must be a list of weight matrices, got {type(weights).__name__}")
    return [check_float_array(f"weights[{i}]", W, cast_ints=True) for i, W in enumerate(weights)]


def l2_penalty_grad(weights, weight_decay: float) -> list[np.ndarray]:
    r""":math:`\partial/\partial W^{(l)}` of :func:`l2_penalty`: :math:`\lambda W^{(l)}`,
    for each weight matrix."""
    lam = _check_weight_decay(weight_decay)
    weights = _weight_list(weights)
    return [lam * W for W in weights]
