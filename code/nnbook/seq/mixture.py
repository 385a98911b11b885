r"""The EM algorithm for two mixtures: Gaussians, and coins (binomials).

EM :cite:p:`dempster1977` maximises :math:`\log p(X\mid\theta)=\sum_n\log\sum_k p(x_n,z_n{=}k\mid\theta)`
through the Jensen lower bound, for any distributions :math:`q_n` over the latent :math:`z_n`,

.. math:: \log p(X\mid\theta) \ge \mathcal L(q,\theta)
   = \sum_n\sum_k q_{nk}\,[\log p(x_n, z_n{=}k\mid\theta) - \log q_{nk}]

(:func:`lower_bound`), with equality iff :math:`q_{nk} = p(z_n{=}k\mid x_n,\theta)`. The E step sets :math:`q` to
that posterior (the responsibilities, :func:`e_step`), making the bound tight; the M step
maximises :math:`\mathcal L(q, \theta)` over :math:`\theta` (:func:`m_step`), so the
log-likelihood never decreases. :func:`em` returns the log-likelihood after every update.

Gaussian mixture: weights :math:`w` (K,), means (K, d), covariances (K, d, d); the same
parameterisation and M step as scikit-learn's ``GaussianMixture(covariance_type="full")``,
including its ``reg_covar`` added to the diagonal. :class:`GaussianMixture` is the estimator
(fit / predict / predict_proba / score / score_samples / sample) on top of these functions.
Two coins: :func:`coin_em` is the example of :cite:t:`do2008`.

Inputs are checked by :mod:`nnbook._validation`: ``X`` a finite real (n, d) array; weights a
probability vector (summing to 1 within ``np.isclose``'s 1e-5); covariances symmetric (to a
relative 1e-10) and positive definite. The log-sum-exp is scipy's: it keeps a weight of 0
(:math:`\log 0=-\infty`) and, unlike ``nnbook.nn.losses.logsumexp``, agrees bit for bit with
the stored book outputs.

Book chapter: ``book/ch6-sequence-models/01-em.ipynb``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import gammaln, logsumexp, xlog1py, xlogy

from nnbook._validation import (check_array, check_bool, check_int, check_number, check_probabilities,
                                check_random_state, check_same_length)
from nnbook.base import Estimator

__all__ = ["EMResult", "GaussianMixture", "coin_em", "e_step", "em", "gaussian_log_pdf", "log_likelihood",
           "lower_bound", "m_step", "random_init"]

#: Tolerance on the sum of ``weights`` and of the rows of ``q`` / ``resp``: ``np.isclose``'s default.
SUM_ATOL = 1e-5 + 1e-8
#: Largest relative asymmetry :math:`\max|\Sigma-\Sigma^\top|/\max|\Sigma|` accepted in a covariance.
SYMMETRY_RTOL = 1e-10


class EMResult(NamedTuple):
    """Parameters after the last update and the log-likelihood after each of k = 0, 1, ... updates."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    log_likelihoods: np.ndarray


def _check_X(X) -> np.ndarray:
    # the one call :func:`m_step` (whose source the book prints) makes; the check is the floor's
    return check_array("X", X, ndim=2)


def _check_params(weights, means, covariances, d: int):
    """The floor's checks of a mixture's parameters against ``d`` features: shapes, sums, symmetry."""
    weights = check_probabilities("weights", weights, atol=SUM_ATOL)
    K = len(weights)
    means = check_array("means", means, ndim=2)
    if means.shape != (K, d):
        raise ValueError(f"means must have shape (K, d) = ({K}, {d}) to match weights (K = {K}) and X (d = {d}), "
                         f"got {means.shape}")
    covariances = _check_covariances(covariances, K, d)
    return weights, means, covariances


def _check_covariances(covariances, K: int, d: int) -> np.ndarray:
    covariances = check_array("covariances", covariances, ndim=3)
    if covariances.shape != (K, d, d):
        raise ValueError(f"covariances must have shape (K, d, d) = ({K}, {d}, {d}) to match means and X, "
                         f"got {covariances.shape}")
    for k, cov in enumerate(covariances):
        asymmetry = np.abs(cov - cov.T).max()
        if asymmetry > SYMMETRY_RTOL * np.abs(cov).max():
            raise ValueError(f"covariances[{k}] must be symmetric, got max |C - C^T| = {asymmetry:.3g} in "
                             f"{np.array2string(cov, precision=4, threshold=20)}")
    return covariances


def _log_pdf(X, means, covariances) -> np.ndarray:
    n, d = X.shape
    out = np.empty((n, len(means)))
    for k, (mu, cov) in enumerate(zip(means, covariances)):
        try:
            L = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError(f"covariances[{k}] is not positive definite: {cov}") from None
        z = np.linalg.solve(L, (X - mu).T)  # (d, n): L^{-1}(x - mu)
        out[:, k] = -0.5 * (z**2).sum(0) - np.log(np.diag(L)).sum() - 0.5 * d * np.log(2 * np.pi)
    return out


def gaussian_log_pdf(X, means, covariances) -> np.ndarray:
    r""":math:`\log\mathcal N(x_n\mid\mu_k,\Sigma_k)` through Cholesky factors :math:`\Sigma_k = L_kL_k^\top`.

    .. math:: \log\mathcal N(x\mid\mu,\Sigma) = -\tfrac12\lVert L^{-1}(x-\mu)\rVert^2 - \sum_i\log L_{ii}
       - \tfrac d2\log 2\pi

    Parameters
    ----------
    X : array (n, d)
    means : array (K, d)
    covariances : array (K, d, d), symmetric positive definite

    Returns
    -------
    ndarray (n, K)
    """
    X = _check_X(X)
    means = check_array("means", means, ndim=2)
    if means.shape[1] != X.shape[1]:
        raise ValueError(f"means must have shape (K, d) with d = {X.shape[1]} as in X, got {means.shape}")
    return _log_pdf(X, means, _check_covariances(covariances, len(means), X.shape[1]))


def _log_joint(X, weights, means, covariances):
    with np.errstate(divide="ignore"):  # a weight of 0 is allowed: log 0 = -inf
        return np.log(weights) + _log_pdf(X, means, covariances)


def log_likelihood(X, weights, means, covariances) -> float:
    r""":math:`\sum_n \log\sum_k w_k\,\mathcal N(x_n\mid\mu_k,\Sigma_k)` of ``X`` (n, d).

    ``weights`` (K,) sum to 1, ``means`` (K, d), ``covariances`` (K, d, d) symmetric positive
    definite (a non-symmetric or indefinite one raises ``ValueError`` naming ``covariances[k]``).
    """
    X = _check_X(X)
    return float(logsumexp(_log_joint(X, *_check_params(weights, means, covariances, X.shape[1])), axis=1).sum())


def e_step(X, weights, means, covariances):
    r"""Responsibilities :math:`r_{nk} = p(z_n{=}k \mid x_n) = w_k\mathcal N(x_n\mid\mu_k,\Sigma_k)/p(x_n)`.

    Returns ``(resp, log_likelihood)``: resp (n, K), rows summing to 1, and
    :math:`\sum_n\log p(x_n)`. Arguments as in :func:`log_likelihood`.
    """
    X = _check_X(X)
    log_joint = _log_joint(X, *_check_params(weights, means, covariances, X.shape[1]))
    log_px = logsumexp(log_joint, axis=1)
    return np.exp(log_joint - log_px[:, None]), float(log_px.sum())


def m_step(X, resp, reg_covar: float = 1e-6):
    r"""Maximise the bound: :math:`N_k=\sum_n r_{nk}`, :math:`w_k=N_k/n`, :math:`\mu_k=\sum_n r_{nk}x_n/N_k`,
    :math:`\Sigma_k=\sum_n r_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top/N_k + \text{reg\_covar}\,I`."""
    X = _check_X(X)
    resp = check_probabilities("resp", resp, ndim=2, atol=SUM_ATOL)  # (n, K), rows summing to 1
    check_same_length(("X", "resp"), X, resp)
    reg_covar = check_number("reg_covar", reg_covar, low=0.0)
    nk = resp.sum(0) + 10 * np.finfo(float).eps  # as scikit-learn: no division by an exact zero
    means = resp.T @ X / nk[:, None]
    covariances = np.empty((len(nk), X.shape[1], X.shape[1]))
    for k in range(len(nk)):
        diff = X - means[k]
        covariances[k] = (resp[:, k, None] * diff).T @ diff / nk[k] + reg_covar * np.eye(X.shape[1])
    return nk / nk.sum(), means, covariances


def lower_bound(X, q, weights, means, covariances) -> float:
    r"""Jensen's bound :math:`\mathcal L(q,\theta)=\sum_{n,k} q_{nk}[\log w_k\mathcal N(x_n\mid\mu_k,\Sigma_k)-\log q_{nk}]`.

    ``q`` (n, K): a distribution over the K components for every point (non-negative rows
    summing to 1); terms with :math:`q_{nk}=0` contribute 0. Other arguments as in
    :func:`log_likelihood`.
    """
    X = _check_X(X)
    params = _check_params(weights, means, covariances, X.shape[1])
    q = check_probabilities("q", q, ndim=2, atol=SUM_ATOL)
    if q.shape != (len(X), len(params[0])):
        raise ValueError(f"q must have shape (n_samples, K) = ({len(X)}, {len(params[0])}), got {q.shape}")
    log_joint = _log_joint(X, *params)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * (log_joint - np.log(q)), 0.0)
    return float(terms.sum())


def em(X, weights, means, covariances, n_iter: int = 100, tol: float | None = None, reg_covar: float = 1e-6) -> EMResult:
    r"""Run EM from the given parameters for ``n_iter`` updates (fewer if one gains < ``tol``).

    Each update is :func:`m_step` on the responsibilities of :func:`e_step`, so the
    log-likelihood never decreases (:cite:p:`dempster1977`).

    Parameters
    ----------
    X : array (n, d)
    weights, means, covariances : arrays (K,), (K, d), (K, d, d)
        The start, as in :func:`log_likelihood`.
    n_iter : int >= 0
    tol : float >= 0 or None
        Stop once an update gains less than ``tol`` in the *total* log-likelihood (None: never).
    reg_covar : float >= 0
        Added to the diagonal of every covariance, as scikit-learn does.

    Returns
    -------
    EMResult
        The last parameters and the ``n_iter + 1`` (or fewer) log-likelihoods, the start's first.
    """
    X = _check_X(X)
    params = _check_params(weights, means, covariances, X.shape[1])
    n_iter = check_int("n_iter", n_iter, low=0)
    if tol is not None:
        tol = check_number("tol", tol, low=0.0)
    reg_covar = check_number("reg_covar", reg_covar, low=0.0)
    resp, ll = e_step(X, *params)
    history = [ll]
    for _ in range(n_iter):
        params = m_step(X, resp, reg_covar)
        resp, ll = e_step(X, *params)
        history.append(ll)
        if tol is not None and history[-1] - history[-2] < tol:
            break
    return EMResult(*params, np.array(history))


def random_init(X, n_components: int, random_state=None):
    """A common random start: K distinct data points as means, the data covariance for all, equal weights.

    ``n_components`` must lie in ``[1, n_samples]``; ``random_state`` is None, a non-negative
    int or a numpy Generator. Returns ``(weights (K,), means (K, d), covariances (K, d, d))``.
    """
    X = _check_X(X)
    n_components = check_int("n_components", n_components, low=1, high=len(X))
    rng = check_random_state(random_state)
    means = X[rng.choice(len(X), n_components, replace=False)]
    cov = np.atleast_2d(np.cov(X.T, bias=True)) + 1e-6 * np.eye(X.shape[1])
    return np.full(n_components, 1.0 / n_components), means, np.repeat(cov[None], n_components, axis=0)


def coin_em(heads, n_tosses, theta, weights=None, n_iter: int = 10, learn_weights: bool = False):
    r"""EM for a mixture of K coins; set n was tossed ``n_tosses[n]`` times with one hidden coin.

    E step: :math:`r_{nk}\propto w_k\,\theta_k^{h_n}(1-\theta_k)^{m_n-h_n}`; M step:
    :math:`\theta_k=\sum_n r_{nk}h_n/\sum_n r_{nk}m_n` (and :math:`w_k=\sum_n r_{nk}/N` if
    ``learn_weights``). The two-coin example of :cite:t:`do2008`.

    Parameters
    ----------
    heads : array (N,)
        Heads in each set, in ``[0, n_tosses]`` (real numbers are allowed: expected counts).
    n_tosses : number > 0 or array (N,) of them
    theta : array (K,)
        Start biases, in the open interval (0, 1).
    weights : array (K,), optional
        Coin probabilities (summing to 1); equal if omitted.
    n_iter : int >= 0
    learn_weights : bool

    Returns
    -------
    ``(thetas, weights, log_likelihoods)`` with one row per update k = 0..n_iter; the
    log-likelihood includes the binomial coefficients.
    """
    heads = check_array("heads", heads, ndim=1)
    if np.ndim(n_tosses) == 0:
        m = check_number("n_tosses", n_tosses, low=0.0, low_open=True) * np.ones(len(heads))
    else:
        m = check_array("n_tosses", n_tosses, ndim=1)
        if m.shape != heads.shape:
            raise ValueError(f"n_tosses must be a number or have the shape of heads {heads.shape}, got {m.shape}")
        m = m * np.ones(len(heads))
        if (m <= 0).any():
            raise ValueError(f"n_tosses must be > 0, got {m}")
    theta = check_array("theta", theta, ndim=1)
    n_iter = check_int("n_iter", n_iter, low=0)
    learn_weights = check_bool("learn_weights", learn_weights)
    if ((heads < 0) | (heads > m)).any():
        raise ValueError(f"heads must lie in [0, n_tosses], got {heads}")
    if ((theta <= 0) | (theta >= 1)).any():
        raise ValueError(f"theta must lie in (0, 1), got {theta}")
    if weights is None:
        w = np.full(len(theta), 1.0 / len(theta))
    else:
        w = check_probabilities("weights", weights, atol=SUM_ATOL)
        if w.shape != theta.shape:
            raise ValueError(f"weights must have shape (K,) = ({len(theta)},) like theta, got {w.shape}")
    log_binom = gammaln(m + 1) - gammaln(heads + 1) - gammaln(m - heads + 1)
    thetas, ws, lls = [theta], [w], []
    for k in range(n_iter + 1):
        with np.errstate(divide="ignore"):  # theta may reach 0 or 1, a weight 0: log 0 = -inf
            log_joint = np.log(w) + log_binom[:, None] + xlogy(heads[:, None], theta) + xlog1py((m - heads)[:, None], -theta)
        log_px = logsumexp(log_joint, axis=1)
        lls.append(float(log_px.sum()))
        if k == n_iter:
            break
        r = np.exp(log_joint - log_px[:, None])
        theta = (r * heads[:, None]).sum(0) / (r * m[:, None]).sum(0)
        w = r.mean(0) if learn_weights else w
        thetas.append(theta)
        ws.append(w)
    return np.array(thetas), np.array(ws), np.array(lls)


class GaussianMixture(Estimator):
    r"""Gaussian mixture with full covariances, fitted by EM (scikit-learn's API and stopping rule).

    The model :math:`p(x)=\sum_k w_k\,\mathcal N(x\mid\mu_k,\Sigma_k)`; ``fit`` alternates
    :func:`e_step` and :func:`m_step` from :func:`random_init` (or the given ``*_init``), as
    ``sklearn.mixture.GaussianMixture(covariance_type="full", n_init=1)`` does from the same
    start: it stops when the mean log-likelihood changes by less than ``tol`` or after
    ``max_iter`` updates. Book chapter: ``book/ch6-sequence-models/01-em.ipynb``.

    Parameters
    ----------
    n_components : int, default 1
        K, at most the number of samples.
    tol : float >= 0, default 1e-3
        Convergence threshold on the change of the mean log-likelihood per sample.
    reg_covar : float >= 0, default 1e-6
        Added to the diagonal of every covariance.
    max_iter : int >= 1, default 100
    weights_init, means_init, covariances_init : arrays (K,), (K, d), (K, d, d), optional
        Start values; those not given come from :func:`random_init`.
    random_state : None, int >= 0 or numpy Generator
        Seed of :func:`random_init` and of :meth:`sample`.

    Attributes
    ----------
    weights_ (K,), means_ (K, d), covariances_ (K, d, d)
        The fitted mixture.
    converged_ : bool
    n_iter_ : int
        Number of EM updates run.
    lower_bound_ : float
        Mean log-likelihood at the start of the last update (scikit-learn's ``lower_bound_``).
    log_likelihoods_ : ndarray (n_iter_ + 1,)
        Total log-likelihood before the first and after every update (non-decreasing).
    n_features_in_ : int
    """

    def __init__(self, n_components=1, *, tol=1e-3, reg_covar=1e-6, max_iter=100, weights_init=None,
                 means_init=None, covariances_init=None, random_state=None):
        self.n_components = n_components
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.weights_init = weights_init
        self.means_init = means_init
        self.covariances_init = covariances_init
        self.random_state = random_state

    def fit(self, X, y=None) -> "GaussianMixture":
        """Fit the mixture to ``X`` (n_samples, n_features) by EM; ``y`` is ignored. Returns ``self``."""
        X = _check_X(X)
        n, d = X.shape
        K = check_int("n_components", self.n_components, low=1)
        if K > n:
            raise ValueError(f"n_components must be <= n_samples = {n}, got {K}")
        tol = check_number("tol", self.tol, low=0.0)
        reg_covar = check_number("reg_covar", self.reg_covar, low=0.0)
        max_iter = check_int("max_iter", self.max_iter, low=1)
        weights, means, covariances = random_init(X, K, check_random_state(self.random_state))
        if self.weights_init is not None:
            weights = check_probabilities("weights_init", self.weights_init, atol=SUM_ATOL)
        if self.means_init is not None:
            means = check_array("means_init", self.means_init, shape=(K, d))
        if self.covariances_init is not None:
            covariances = check_array("covariances_init", self.covariances_init, shape=(K, d, d))
        if len(weights) != K:
            raise ValueError(f"weights_init must have shape (n_components,) = ({K},), got {weights.shape}")
        params = _check_params(weights, means, covariances, d)
        resp, ll = e_step(X, *params)
        history, lower, converged, n_iter = [ll], -np.inf, False, 0
        while n_iter < max_iter and not converged:
            previous, lower = lower, history[-1] / n  # the mean log-likelihood before this update
            params = m_step(X, resp, reg_covar)
            resp, ll = e_step(X, *params)
            history.append(ll)
            n_iter += 1
            converged = abs(lower - previous) < tol
        self.weights_, self.means_, self.covariances_ = params
        self.converged_, self.n_iter_, self.lower_bound_ = converged, n_iter, float(lower)
        self.log_likelihoods_ = np.array(history)
        self.n_features_in_ = d
        return self

    def _log_joint(self, X) -> np.ndarray:
        self._check_fitted("weights_", "means_", "covariances_")
        X = check_array("X", X, shape=(None, self.n_features_in_))
        return _log_joint(X, self.weights_, self.means_, self.covariances_)

    def score_samples(self, X) -> np.ndarray:
        r""":math:`\log p(x_n)` of each row of ``X`` (n, d); shape (n,)."""
        return logsumexp(self._log_joint(X), axis=1)

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per sample (scikit-learn's convention; times n for :func:`log_likelihood`)."""
        return float(self.score_samples(X).mean())

    def predict_proba(self, X) -> np.ndarray:
        r"""Responsibilities :math:`p(z_n{=}k\mid x_n)`, shape (n, K)."""
        log_joint = self._log_joint(X)
        return np.exp(log_joint - logsumexp(log_joint, axis=1)[:, None])

    def predict(self, X) -> np.ndarray:
        """The most probable component of each row, shape (n,)."""
        return self._log_joint(X).argmax(axis=1)

    def fit_predict(self, X, y=None) -> np.ndarray:
        """``fit(X)`` then ``predict(X)``."""
        return self.fit(X).predict(X)

    def sample(self, n_samples: int = 1):
        """Draw ``(X, labels)``: X (n_samples, d) grouped by component, labels (n_samples,).

        Uses ``random_state`` afresh, as scikit-learn does: the component counts from a
        multinomial, then each component's points from its Gaussian.
        """
        self._check_fitted("weights_", "means_", "covariances_")
        n_samples = check_int("n_samples", n_samples, low=1)
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        X = np.vstack([rng.multivariate_normal(mean, cov, int(c)) for mean, cov, c in zip(self.means_, self.covariances_, counts)])
        labels = np.concatenate([np.full(c, k, dtype=np.int64) for k, c in enumerate(counts)])
        return X, labels
