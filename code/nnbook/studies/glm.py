r"""Generalised linear models as one-neuron networks, trained by gradient descent.

A GLM predicts the mean of :math:`y` as :math:`\mu = g^{-1}(\eta)` with
:math:`\eta = w^\top x + b`; the *inverse link* :math:`g^{-1}` is a neuron's output
activation. For a canonical link the negative log-likelihood per example is
:math:`A(\eta) - y\,\eta` (+ a term free of :math:`\eta`), so its gradient is
:math:`\partial \ell / \partial \eta = A'(\eta) - y = \mu - y`: the "prediction minus target"
that backpropagation starts from for squared error + identity, cross-entropy + sigmoid,
cross-entropy + softmax and Poisson loss + exp alike (Nelder & Wedderburn, 1972).

Book page: ``book/ch1-feedforward/05-glm`` (FF4).
"""
from __future__ import annotations

import numpy as np

from nnbook.nn.activations import sigmoid

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


def _check_family(family: str) -> str:
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    return family


def _log_sum_exp(eta: np.ndarray) -> np.ndarray:
    top = eta.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(eta - top).sum(axis=1, keepdims=True)))[:, 0]


def inverse_link(family: str, eta) -> np.ndarray:
    r"""Mean :math:`\mu = g^{-1}(\eta)`; ``eta`` is (m,), or (m, K) for ``"categorical"``."""
    eta = np.asarray(eta, dtype=np.float64)
    family = _check_family(family)
    if family == "gaussian":
        return eta
    if family == "bernoulli":
        return sigmoid(eta)
    if family == "poisson":
        return np.exp(eta)
    return np.exp(eta - _log_sum_exp(eta)[:, None])


def negative_log_likelihood(family: str, eta, y) -> float:
    r"""Mean negative log-likelihood :math:`\frac1m \sum_i A(\eta_i) - y_i \eta_i` (constants dropped
    except the Gaussian's :math:`y^2/2`, so that it equals half the mean squared error).

    ``y``: (m,) reals, 0/1, counts, or int class labels for ``"categorical"`` with ``eta`` (m, K).
    """
    eta = np.asarray(eta, dtype=np.float64)
    y = np.asarray(y)
    if _check_family(family) == "categorical":
        return float(np.mean(_log_sum_exp(eta) - eta[np.arange(len(y)), y]))
    if family == "gaussian":
        return float(np.mean(0.5 * (y - eta) ** 2))
    A = np.logaddexp(0.0, eta) if family == "bernoulli" else np.exp(eta)
    return float(np.mean(A - y * eta))


def nll_gradient(family: str, eta, y) -> np.ndarray:
    r"""Gradient of :func:`negative_log_likelihood` w.r.t. ``eta``: :math:`(\mu - y) / m`."""
    mu = inverse_link(family, eta)
    y = np.asarray(y)
    if family == "categorical":
        mu = mu.copy()
        mu[np.arange(len(y)), y] -= 1.0
        return mu / len(y)
    return (mu - y) / len(y)


class GLMNeuron:
    r"""A single neuron :math:`\mu = g^{-1}(Xw + b)` fitted by full-batch gradient descent.

    Minimises :math:`\frac1m\sum_i \ell(\eta_i, y_i) + \frac{\alpha}{2}\lVert w\rVert^2` (the
    intercept is not penalised), with a backtracking (Armijo) step size. To match
    scikit-learn: ``LogisticRegression(C=C)`` is ``alpha = 1 / (C m)``,
    ``PoissonRegressor(alpha=a)`` is ``alpha = a`` and ``Ridge(alpha=a)`` is ``alpha = a / m``.

    Parameters
    ----------
    family : {"gaussian", "bernoulli", "categorical", "poisson"}
    alpha : float, default 0
        L2 penalty strength.
    max_iter : int, default 20000
        Gradient steps at most.
    tol : float, default 1e-9
        Stop when the largest absolute gradient entry falls below ``tol``.

    Attributes
    ----------
    coef_ : ndarray, (d,) or (K, d) for "categorical"
    intercept_ : float, or ndarray (K,)
    classes_ : ndarray (K,), "categorical" only
    loss_curve_ : list of float, the objective after every step
    n_iter_ : int
    """

    def __init__(self, family: str = "bernoulli", alpha: float = 0.0, max_iter: int = 20000, tol: float = 1e-9):
        self.family = family
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def _eta(self, X, W, b):
        return X @ W.T + b if self.family == "categorical" else X @ W + b

    def _objective(self, X, y, W, b):
        return negative_log_likelihood(self.family, self._eta(X, W, b), y) + 0.5 * self.alpha * np.sum(W * W)

    def fit(self, X, y) -> "GLMNeuron":
        _check_family(self.family)
        if not (isinstance(self.alpha, (int, float)) and self.alpha >= 0):
            raise ValueError(f"alpha must be a number >= 0, got {self.alpha!r}")
        X, y = _check_X_y(X, y, self.family)
        if self.family == "categorical":
            self.classes_, y = np.unique(y, return_inverse=True)
            W, b = np.zeros((len(self.classes_), X.shape[1])), np.zeros(len(self.classes_))
        else:
            W, b = np.zeros(X.shape[1]), 0.0
        loss, step, self.loss_curve_ = self._objective(X, y, W, b), 1.0, []
        for self.n_iter_ in range(1, self.max_iter + 1):
            g_eta = nll_gradient(self.family, self._eta(X, W, b), y)
            gW, gb = g_eta.T @ X + self.alpha * W, g_eta.sum(axis=0)
            if max(np.abs(gW).max(), np.abs(gb).max()) < self.tol:
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

    def decision_function(self, X) -> np.ndarray:
        """Pre-activation :math:`\\eta = Xw + b`."""
        return self._eta(np.asarray(X, dtype=np.float64), self.coef_, self.intercept_)

    def predict_mean(self, X) -> np.ndarray:
        r"""Predicted mean :math:`\mu = g^{-1}(\eta)` (probabilities for the classifiers)."""
        return inverse_link(self.family, self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        """Class labels for "bernoulli"/"categorical", the mean otherwise."""
        mu = self.predict_mean(X)
        if self.family == "bernoulli":
            return (mu > 0.5).astype(np.int64)
        if self.family == "categorical":
            return self.classes_[mu.argmax(axis=1)]
        return mu


def _check_X_y(X, y, family):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must have shape (m, d) with m >= 1, got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    if family == "bernoulli" and not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must be 0 or 1 for family 'bernoulli', got values {np.unique(y)[:5].tolist()}")
    if family == "poisson" and not (np.all(y >= 0) and np.all(y == np.round(y))):
        raise ValueError("y must hold non-negative counts for family 'poisson'")
    if family != "categorical":
        y = y.astype(np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
    return X, y
