r"""Why zero-centred inputs matter: the zig-zag of gradient descent on one linear unit.

A unit computes :math:`\hat y = \mathbf w^\top \mathbf x` and is trained on the squared error
:math:`L = \tfrac12(\hat y - y)^2`. The gradient of one example is

.. math::  \nabla_{\mathbf w} L = \delta\,\mathbf x, \qquad \delta = \hat y - y,

so when every input :math:`x_i` is positive (as the outputs of a sigmoid layer are), all its
entries have the sign of :math:`\delta`: an update raises all of the unit's weights or lowers
all of them. Reaching a target such as :math:`\mathbf w^* = (1, -1)` then takes a zig-zag path
(LeCun et al., 1998, "Efficient BackProp", section 4.3).

Book section: ``book/ch2-activations/05-zero-centred.ipynb``.
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import check_array, check_float_array, check_int, check_number, check_random_state

#: :func:`sgd_path` stops once a weight grows past this size.
DIVERGED = 1e6


def _check_problem(X, y, w, w_name: str = "w") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = check_array("X", X, finite=False, allow_empty=True)
    if X.ndim != 2 or len(X) == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have shape (n_samples, n_features) with n_samples > 0, got {X.shape}")
    y = check_array("y", y, finite=False, allow_empty=True)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X {X.shape}, got {y.shape}")
    w = check_array(w_name, w, finite=False, allow_empty=True)
    if w.shape != (X.shape[1],):
        raise ValueError(f"{w_name} must have shape ({X.shape[1]},) to match X {X.shape}, got {w.shape}")
    for name, value in (("X", X), ("y", y), (w_name, w)):
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains NaN or infinity")
    return X, y, w


def per_example_gradients(X, y, w) -> np.ndarray:
    r"""Gradients :math:`\delta_n \mathbf x_n` of :math:`\tfrac12(\mathbf w^\top\mathbf x_n - y_n)^2`, shape (n_samples, n_features)."""
    X, y, w = _check_problem(X, y, w)
    delta = X @ w - y
    return delta[:, None] * X


def same_sign_fraction(G, tol: float = 0.0) -> float:
    """Fraction of the rows of ``G`` (shape (n, d), finite) whose entries larger than ``tol`` (>= 0) in size all share one sign.

    For :func:`per_example_gradients` with positive inputs this is 1: every update moves all
    weights the same way.
    """
    G = check_array("G", G, allow_empty=True)
    if G.ndim != 2 or G.size == 0:
        raise ValueError(f"G must be a non-empty 2-D array, got shape {G.shape}")
    tol = check_number("tol", tol, low=0.0)
    big = np.abs(G) > tol
    positive = ((G > 0) | ~big).all(axis=1)
    negative = ((G < 0) | ~big).all(axis=1)
    return float(np.mean(positive | negative))


def sgd_path(X, y, w0, lr: float, epochs: int = 1, batch_size: int = 1, random_state: int = 0) -> np.ndarray:
    r"""Weights visited by mini-batch SGD on the linear unit's mean squared error.

    Update: :math:`\mathbf w \leftarrow \mathbf w - \eta\,\frac{1}{|B|}\sum_{n\in B} \delta_n\mathbf x_n`,
    over shuffled mini-batches. ``batch_size = len(X)`` gives full-batch gradient descent.
    ``lr`` is a finite number > 0, ``epochs`` and ``batch_size`` ints >= 1; ``random_state``
    (None, an int >= 0 or a numpy Generator) shuffles the examples.

    Returns
    -------
    ndarray, shape (n_steps + 1, n_features)
        The starting point and the weights after every step. The path ends early once a
        weight exceeds ``DIVERGED`` in size (the learning rate is too large).
    """
    X, y, w = _check_problem(X, y, w0, "w0")
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    lr = check_number("lr", lr, low=0.0, low_open=True)
    rng = check_random_state(random_state)
    path = [w.copy()]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            delta = X[batch] @ w - y[batch]
            w = w - lr * (delta[:, None] * X[batch]).mean(axis=0)
            path.append(w.copy())
            if np.abs(w).max() > DIVERGED:  # the step size is too large: stop before overflowing
                return np.array(path)
    return np.array(path)


def steps_to_reach(path, w_star, radius: float) -> int | None:
    """Index of the first point of ``path`` (n_steps, d) within ``radius`` (>= 0) of ``w_star`` (d,) (None if never).

    Points at infinity (a diverged path) are never within reach; NaN is refused.
    """
    path = check_float_array("path", path, allow_inf=True, cast_ints=True).astype(np.float64, copy=False)
    w_star = check_array("w_star", w_star)
    radius = check_number("radius", radius, low=0.0)
    if path.ndim != 2 or w_star.shape != (path.shape[1],):
        raise ValueError(f"path must be (n_steps, d) and w_star (d,), got {path.shape} and {w_star.shape}")
    hits = np.flatnonzero(np.linalg.norm(path - w_star, axis=1) <= radius)
    return int(hits[0]) if len(hits) else None
