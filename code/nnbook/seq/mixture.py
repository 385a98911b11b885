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
including its ``reg_covar`` added to the diagonal. Two coins: :func:`coin_em` is the example
of :cite:t:`do2008`.

Book chapter: ``book/ch6-sequence-models/01-em.ipynb``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import gammaln, logsumexp, xlog1py, xlogy


class EMResult(NamedTuple):
    """Parameters after the last update and the log-likelihood after each of k = 0, 1, ... updates."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    log_likelihoods: np.ndarray


def _check_X(X) -> np.ndarray:
    X = np.asarray(X)
    if X.dtype == bool or not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
        raise TypeError(f"X must be a real numeric array, got dtype {X.dtype}")
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must have shape (n_samples, n_features) with n_samples >= 1, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X.astype(np.float64)


def _check_params(weights, means, covariances, d: int):
    weights, means, covariances = (np.asarray(a, dtype=np.float64) for a in (weights, means, covariances))
    K = len(weights)
    if weights.ndim != 1 or (weights < 0).any() or not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights must be K non-negative numbers summing to 1, got {weights} (sum {weights.sum():.6g})")
    if means.shape != (K, d):
        raise ValueError(f"means must have shape (K, d) = ({K}, {d}), got {means.shape}")
    if covariances.shape != (K, d, d):
        raise ValueError(f"covariances must have shape (K, d, d) = ({K}, {d}, {d}), got {covariances.shape}")
    return weights, means, covariances


def gaussian_log_pdf(X, means, covariances) -> np.ndarray:
    r""":math:`\log\mathcal N(x_n\mid\mu_k,\Sigma_k)`, shape (n, K), through Cholesky factors."""
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


def _log_joint(X, weights, means, covariances):
    with np.errstate(divide="ignore"):  # a weight of 0 is allowed: log 0 = -inf
        return np.log(weights) + gaussian_log_pdf(X, means, covariances)


def log_likelihood(X, weights, means, covariances) -> float:
    r""":math:`\sum_n \log\sum_k w_k\,\mathcal N(x_n\mid\mu_k,\Sigma_k)`."""
    X = _check_X(X)
    return float(logsumexp(_log_joint(X, *_check_params(weights, means, covariances, X.shape[1])), axis=1).sum())


def e_step(X, weights, means, covariances):
    r"""Responsibilities :math:`r_{nk} = p(z_n{=}k \mid x_n)` (n, K) and the log-likelihood."""
    X = _check_X(X)
    log_joint = _log_joint(X, *_check_params(weights, means, covariances, X.shape[1]))
    log_px = logsumexp(log_joint, axis=1)
    return np.exp(log_joint - log_px[:, None]), float(log_px.sum())


def m_step(X, resp, reg_covar: float = 1e-6):
    r"""Maximise the bound: :math:`N_k=\sum_n r_{nk}`, :math:`w_k=N_k/n`, :math:`\mu_k=\sum_n r_{nk}x_n/N_k`,
    :math:`\Sigma_k=\sum_n r_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top/N_k + \text{reg\_covar}\,I`."""
    X = _check_X(X)
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2 or len(resp) != len(X) or (resp < 0).any() or not np.allclose(resp.sum(1), 1.0):
        raise ValueError(f"resp must be (n_samples, K) with rows of non-negative numbers summing to 1, got shape {resp.shape}")
    nk = resp.sum(0) + 10 * np.finfo(float).eps  # as scikit-learn: no division by an exact zero
    means = resp.T @ X / nk[:, None]
    covariances = np.empty((len(nk), X.shape[1], X.shape[1]))
    for k in range(len(nk)):
        diff = X - means[k]
        covariances[k] = (resp[:, k, None] * diff).T @ diff / nk[k] + reg_covar * np.eye(X.shape[1])
    return nk / nk.sum(), means, covariances


def lower_bound(X, q, weights, means, covariances) -> float:
    r"""Jensen's bound :math:`\mathcal L(q,\theta)=\sum_{n,k} q_{nk}[\log w_k\mathcal N(x_n\mid\mu_k,\Sigma_k)-\log q_{nk}]`
    (terms with :math:`q_{nk}=0` contribute 0)."""
    X = _check_X(X)
    q = np.asarray(q, dtype=np.float64)
    log_joint = _log_joint(X, *_check_params(weights, means, covariances, X.shape[1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * (log_joint - np.log(q)), 0.0)
    return float(terms.sum())


def em(X, weights, means, covariances, n_iter: int = 100, tol: float | None = None, reg_covar: float = 1e-6) -> EMResult:
    """Run EM from the given parameters for ``n_iter`` updates (fewer if one gains < ``tol``)."""
    X = _check_X(X)
    params = _check_params(weights, means, covariances, X.shape[1])
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
    """A common random start: K distinct data points as means, the data covariance for all, equal weights."""
    X = _check_X(X)
    if not 1 <= n_components <= len(X):
        raise ValueError(f"n_components must be in [1, {len(X)}], got {n_components}")
    rng = np.random.default_rng(random_state)
    means = X[rng.choice(len(X), n_components, replace=False)]
    cov = np.atleast_2d(np.cov(X.T, bias=True)) + 1e-6 * np.eye(X.shape[1])
    return np.full(n_components, 1.0 / n_components), means, np.repeat(cov[None], n_components, axis=0)


def coin_em(heads, n_tosses, theta, weights=None, n_iter: int = 10, learn_weights: bool = False):
    r"""EM for a mixture of K coins; set n was tossed ``n_tosses[n]`` times with one hidden coin.

    E step: :math:`r_{nk}\propto w_k\,\theta_k^{h_n}(1-\theta_k)^{m_n-h_n}`; M step:
    :math:`\theta_k=\sum_n r_{nk}h_n/\sum_n r_{nk}m_n` (and :math:`w_k=\sum_n r_{nk}/N` if
    ``learn_weights``). Returns ``(thetas, weights, log_likelihoods)`` with one row per
    update k = 0..n_iter; the log-likelihood includes the binomial coefficients.
    """
    heads, m = np.asarray(heads, dtype=np.float64), np.asarray(n_tosses, dtype=np.float64) * np.ones(len(heads))
    theta = np.asarray(theta, dtype=np.float64)
    if ((heads < 0) | (heads > m)).any():
        raise ValueError(f"heads must lie in [0, n_tosses], got {heads}")
    if ((theta <= 0) | (theta >= 1)).any():
        raise ValueError(f"theta must lie in (0, 1), got {theta}")
    w = np.full(len(theta), 1.0 / len(theta)) if weights is None else np.asarray(weights, dtype=np.float64)
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
