r"""Generalised linear models as one-neuron networks, trained by gradient descent.

A GLM predicts the mean of :math:`y` as :math:`\mu = g^{-1}(\eta)` with
:math:`\eta = w^\top x + b`; the *inverse link* :math:`g^{-1}` is a neuron's output
activation. For a canonical link the negative log-likelihood per example is
:math:`A(\eta) - y\,\eta` (+ a term free of :math:`\eta`), so its gradient is
:math:`\partial \ell / \partial \eta = A'(\eta) - y = \mu - y`: the "prediction minus target"
that backpropagation starts from for squared error + identity, cross-entropy + sigmoid,
cross-entropy + softmax and Poisson loss + exp alike (Nelder & Wedderburn, 1972).

Shapes: ``eta`` is (m,) for "gaussian", "bernoulli" and "poisson" and (m, K) for
"categorical"; ``y`` is (m,): reals, 0 or 1, non-negative whole counts, or int labels in
``[0, K)``. Mismatched shapes are refused, never broadcast.

Book page: ``book/ch1-feedforward/05-glm`` (FF4).
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import check_array, check_int, check_labels, check_number, check_option
from nnbook.base import Estimator
from nnbook.nn.activations import sigmoid
from nnbook.nn.losses import logsumexp, softmax

#: One row per family: the table of link functions shown in the book.
LINK_TABLE = (
    {"family": "gaussian", "y": "real number", "distribution": "Gaussian N(μ, σ²)",
     "canonical link g(μ)": "identity: μ", "output activation g⁻¹(η)": "identity: η",
     "loss (NLL per example)": "½(y − η)²", "PyTorch loss": "MSELoss"},
    {"family": "bernoulli", "y": "0 or 1", "distribution": "Bernoulli(μ)",
     "canonical link g(μ)": "logit: log μ/(1 − μ)", "output activation g⁻¹(η)": "sigmoid: 1/(1 + e^−η)",
     "loss (NLL per example)": "log(1 + e^η) − yη", "PyTorch loss": "BCEWithLogitsLoss"},
    {"family": "categorical", "y": "one of K classes", "distribution": "Categorical(μ₁..μ_K)",
     "canonical link g(μ)": "log-ratio: log μ_k/μ_K", "output activation g⁻¹(η)": "softmax: e^η_k/Σ_j e^η_j",
     "loss (NLL per example)": "log Σ_j e^η_j − η_y", "PyTorch loss": "CrossEntropyLoss"},
    {"family": "poisson", "y": "count 0, 1, 2, …", "distribution": "Poisson(μ)",
     "canonical link g(μ)": "log: log μ", "output activation g⁻¹(η)": "exp: e^η",
     "loss (NLL per example)": "e^η − yη (+ log y!)", "PyTorch loss": "PoissonNLLLoss(log_input=True)"},
)
FAMILIES = tuple(row["family"] for row in LINK_TABLE)


def _check_eta(family: str, eta) -> np.ndarray:
    family = check_option("family", family, FAMILIES)
    return check_array("eta", eta, ndim=2 if family == "categorical" else 1)


def _check_targets(family: str, y, eta: np.ndarray) -> np.ndarray:
    """``y`` for ``eta``: the same length, and values the family's distribution can take."""
    m = len(eta)
    if family == "categorical":
        y = check_labels("y", y, eta.shape[1])
        if y.shape != (m,):
            raise ValueError(f"y must have shape ({m},) to match eta {eta.shape}, got {y.shape}")
        return y
    y = check_array("y", y, ndim=1)
    if y.shape != (m,):
        raise ValueError(f"y must have shape ({m},) to match eta {eta.shape}, got {y.shape}")
    if family == "bernoulli" and not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must be 0 or 1 for family 'bernoulli', got values {np.unique(y[(y != 0) & (y != 1)])[:5].tolist()}")
    if family == "poisson" and not (np.all(y >= 0) and np.all(y == np.round(y))):
        bad = y[(y < 0) | (y != np.round(y))]
        raise ValueError(f"y must hold non-negative whole counts for family 'poisson', got values {np.unique(bad)[:5].tolist()}")
    return y


def inverse_link(family: str, eta) -> np.ndarray:
    r"""Mean :math:`\mu = g^{-1}(\eta)`: identity, sigmoid, softmax (rows) or exp.

    Parameters
    ----------
    family : {"gaussian", "bernoulli", "categorical", "poisson"}
    eta : array_like, shape (m,), or (m, K) for "categorical"
        Finite pre-activations.
    """
    eta = _check_eta(family, eta)
    return _inverse_link(family, eta)


def _inverse_link(family: str, eta: np.ndarray) -> np.ndarray:
    if family == "gaussian":
        return eta
    if family == "bernoulli":
        return sigmoid(eta)
    if family == "poisson":
        return np.exp(eta)
    return softmax(eta)


def negative_log_likelihood(family: str, eta, y) -> float:
    r"""Mean negative log-likelihood :math:`\frac1m \sum_i A(\eta_i) - y_i \eta_i` (constants dropped
    except the Gaussian's :math:`y^2/2`, so that it equals half the mean squared error).

    Parameters
    ----------
    family : {"gaussian", "bernoulli", "categorical", "poisson"}
    eta : array_like, shape (m,), or (m, K) for "categorical"
    y : array_like, shape (m,)
        Reals ("gaussian"), 0 or 1 ("bernoulli"), non-negative whole counts ("poisson"), or
        int class labels in ``[0, K)`` ("categorical"; -1 is refused, not read as the last class).
    """
    eta = _check_eta(family, eta)
    return _nll(family, eta, _check_targets(family, y, eta))


def _nll(family: str, eta: np.ndarray, y: np.ndarray) -> float:
    if family == "categorical":
        return float(np.mean(logsumexp(eta) - eta[np.arange(len(y)), y]))
    if family == "gaussian":
        return float(np.mean(0.5 * (y - eta) ** 2))
    A = np.logaddexp(0.0, eta) if family == "bernoulli" else np.exp(eta)
    return float(np.mean(A - y * eta))


def nll_gradient(family: str, eta, y) -> np.ndarray:
    r"""Gradient of :func:`negative_log_likelihood` w.r.t. ``eta``: :math:`(\mu - y) / m`.

    Same arguments as :func:`negative_log_likelihood`; returns an array of ``eta``'s shape.
    """
    eta = _check_eta(family, eta)
    return _nll_gradient(family, eta, _check_targets(family, y, eta))


def _nll_gradient(family: str, eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    mu = _inverse_link(family, eta)
    if family == "categorical":
        mu = mu.copy()
        mu[np.arange(len(y)), y] -= 1.0
        return mu / len(y)
    return (mu - y) / len(y)


class GLMNeuron(Estimator):
    r"""A single neuron :math:`\mu = g^{-1}(Xw + b)` fitted by full-batch gradient descent.

    Minimises :math:`\frac1m\sum_i \ell(\eta_i, y_i) + \frac{\alpha}{2}\lVert w\rVert^2` (the
    intercept is not penalised), with a backtracking (Armijo) step size. To match
    scikit-learn: ``LogisticRegression(C=C)`` is ``alpha = 1 / (C m)``,
    ``PoissonRegressor(alpha=a)`` is ``alpha = a`` and ``Ridge(alpha=a)`` is ``alpha = a / m``.
    Follows the estimator contract of :mod:`nnbook.base`: ``__init__`` only stores its
    arguments, :meth:`fit` validates them, and the other methods raise
    :class:`nnbook.base.NotFittedError` before ``fit``.

    Parameters
    ----------
    family : {"gaussian", "bernoulli", "categorical", "poisson"}
    alpha : float, default 0
        L2 penalty strength, >= 0.
    max_iter : int, default 20000
        Gradient steps at most, >= 1.
    tol : float, default 1e-9
        Stop when the largest absolute gradient entry falls below ``tol`` (>= 0).

    Attributes
    ----------
    coef_ : ndarray, (d,) or (K, d) for "categorical"
    intercept_ : float, or ndarray (K,)
    classes_ : ndarray (K,), "categorical" only
    loss_curve_ : list of float, the objective after every step
    n_iter_ : int
    n_features_in_ : int
        ``d``, the number of columns of ``X`` in :meth:`fit`.
    """

    def __init__(self, family: str = "bernoulli", alpha: float = 0.0, max_iter: int = 20000, tol: float = 1e-9):
        self.family = family
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def _eta(self, X, W, b):
        return X @ W.T + b if self.family == "categorical" else X @ W + b

    def _objective(self, X, y, W, b):
        return _nll(self.family, self._eta(X, W, b), y) + 0.5 * self.alpha * np.sum(W * W)

    def fit(self, X, y) -> "GLMNeuron":
        """Fit to ``X`` (m, d), finite reals, and ``y`` (m,): reals, 0/1, whole counts >= 0, or any
        class labels for "categorical" (ints or strings; stored in ``classes_``). Returns ``self``."""
        check_option("family", self.family, FAMILIES)
        alpha = check_number("alpha", self.alpha, low=0.0)
        max_iter = check_int("max_iter", self.max_iter, low=1)
        tol = check_number("tol", self.tol, low=0.0)
        X, y = _check_X_y(X, y, self.family)
        if self.family == "categorical":
            self.classes_, y = np.unique(y, return_inverse=True)
            W, b = np.zeros((len(self.classes_), X.shape[1])), np.zeros(len(self.classes_))
        else:
            W, b = np.zeros(X.shape[1]), 0.0
        self.n_features_in_ = X.shape[1]
        loss, step, self.loss_curve_ = self._objective(X, y, W, b), 1.0, []
        for self.n_iter_ in range(1, max_iter + 1):
            g_eta = _nll_gradient(self.family, self._eta(X, W, b), y)
            gW, gb = g_eta.T @ X + alpha * W, g_eta.sum(axis=0)
            if max(np.abs(gW).max(), np.abs(gb).max()) < tol:
                break
            sq, step = np.sum(gW * gW) + np.sum(gb * gb), 2.0 * step
            while True:  # backtrack until the Armijo condition holds
                W_new, b_new = W - step * gW, b - step * gb
                new = self._objective(X, y, W_new, b_new)
                if new <= loss - 0.5 * step * sq or step < 1e-12:
                    break
                step *= 0.5
            W, b, loss = W_new, b_new, new
            self.loss_curve_.append(loss)
        self.coef_, self.intercept_ = W, b
        return self

    def _check_X(self, X) -> np.ndarray:
        self._check_fitted("coef_", "intercept_")
        return check_array("X", X, shape=(None, self.n_features_in_))

    def decision_function(self, X) -> np.ndarray:
        r"""Pre-activation :math:`\eta = Xw + b`, shape (m,) or (m, K); ``X`` is (m, d)."""
        return self._eta(self._check_X(X), self.coef_, self.intercept_)

    def predict_mean(self, X) -> np.ndarray:
        r"""Predicted mean :math:`\mu = g^{-1}(\eta)` (probabilities for the classifiers)."""
        return _inverse_link(self.family, self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        """Class labels for "bernoulli"/"categorical", the mean otherwise."""
        mu = self.predict_mean(X)
        if self.family == "bernoulli":
            return (mu > 0.5).astype(np.int64)
        if self.family == "categorical":
            return self.classes_[mu.argmax(axis=1)]
        return mu


def _check_X_y(X, y, family):
    X = check_array("X", X, ndim=2)
    if family == "categorical":
        y = np.asarray(y) if not isinstance(y, (str, bytes, dict, set)) and y is not None else y
        if not isinstance(y, np.ndarray) or y.dtype.kind not in "iuUb" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
            what = type(y).__name__ if not isinstance(y, np.ndarray) else f"dtype {y.dtype}"
            raise TypeError(f"y must hold class labels (ints or strings) for family 'categorical', got {what}")
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {y.shape}")
    else:
        y = check_array("y", y, ndim=1)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X {X.shape}, got {y.shape}")
    if family == "bernoulli" and not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must be 0 or 1 for family 'bernoulli', got values {np.unique(y)[:5].tolist()}")
    if family == "poisson" and not (np.all(y >= 0) and np.all(y == np.round(y))):
        raise ValueError(f"y must hold non-negative whole counts for family 'poisson', got values "
                         f"{np.unique(y[(y < 0) | (y != np.round(y))])[:5].tolist()}")
    return X, y
