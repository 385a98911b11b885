r"""Hidden Markov models with diagonal-Gaussian emissions: forward--backward, Viterbi, Baum--Welch.

A model is :math:`\lambda = (\pi, A, \mu, \sigma^2)`: start probabilities ``pi`` (N,),
transitions ``A`` (N, N), and for every state j a Gaussian with mean ``means[j]`` (d,) and
diagonal variances ``covars[j]`` (d,):

.. math::
   \log b_j(x_t) = -\tfrac12 \sum_{f=1}^{d}\Big[\log(2\pi\sigma^2_{jf})
                   + \frac{(x_{tf}-\mu_{jf})^2}{\sigma^2_{jf}}\Big].

Only the emission differs from the categorical HMM of :mod:`nnbook.seq.hmm`: the chain is
``log_start`` = :math:`\log\pi`, ``log_trans`` = :math:`\log A`, ``log_emit[t, j]`` =
:math:`\log b_j(x_t)` (:func:`log_potentials`), and every recursion is the chain engine's
(:mod:`nnbook.seq.chain`). The M step of Baum--Welch :cite:p:`baum1970,rabiner1989` re-estimates
the Gaussians from the posteriors :math:`\gamma_t(j)`:

.. math::
   \mu_j = \frac{\sum_t \gamma_t(j)\,x_t}{\sum_t\gamma_t(j)}, \qquad
   \sigma^2_{jf} = \frac{c + \sum_t \gamma_t(j)\,(x_{tf}-\mu_{jf})^2}{\sum_t\gamma_t(j)},

where ``covars_prior`` :math:`c \ge 0` is hmmlearn's default inverse-gamma prior
(:math:`c = 0.01`): it keeps a variance away from 0 when a state collapses onto one point,
where the likelihood is unbounded (page 01). With :math:`c = 0` it is the maximum-likelihood
update. The estimator :class:`GaussianHMM` wraps these functions with hmmlearn's API
(``hmmlearn.hmm.GaussianHMM(covariance_type="diag")``; ``tests/seq/test_gaussian_hmm.py``
compares the two).

Book chapter: ``book/ch6-sequence-models/06-gaussian-hmm.ipynb``.
"""
from __future__ import annotations

import numpy as np

from nnbook._validation import (
    check_array, check_int, check_number, check_probabilities, check_random_state,
)
from nnbook.base import Estimator
from nnbook.runtime import one_blas_thread
from nnbook.seq import chain, hmm

__all__ = [
    "check_params", "log_emission", "log_potentials", "forward_log", "posterior", "viterbi",
    "baum_welch", "random_init", "sample", "GaussianHMM", "PARAM_LETTERS", "check_param_letters",
]

#: The letters of ``update`` / ``params`` / ``init_params``, as in hmmlearn.
PARAM_LETTERS = {"s": "start probabilities", "t": "transitions", "m": "means", "c": "covariances"}


def check_param_letters(name: str, value) -> str:
    """An hmmlearn-style parameter string, any of the letters s, t, m, c (see :func:`nnbook.seq.hmm.check_param_letters`)."""
    return hmm.check_param_letters(name, value, PARAM_LETTERS)


def check_params(pi, A, means, covars):
    """Validate ``(pi, A, means, covars)`` and return float64 copies.

    ``pi`` (N,) a probability vector, ``A`` (N, N) row-stochastic, ``means`` (N, d) finite,
    ``covars`` (N, d) finite and > 0 (diagonal variances). ``ValueError`` / ``TypeError``
    naming the argument otherwise.
    """
    pi, A = check_probabilities("pi", pi, ndim=1), check_probabilities("A", A, ndim=2)
    N = len(pi)
    if A.shape != (N, N):
        raise ValueError(f"A must have shape (N, N) = ({N}, {N}) to match pi, got {A.shape}")
    means = check_array("means", means, ndim=2)
    if means.shape[0] != N:
        raise ValueError(f"means must have shape (N, d) with N = {N} to match pi, got {means.shape}")
    covars = check_array("covars", covars, shape=means.shape)
    if (covars <= 0).any():
        where = tuple(int(i) for i in np.argwhere(covars <= 0)[0])
        raise ValueError(f"covars must be > 0 (diagonal variances), got covars{list(where)} = {covars[where]}")
    return pi, A, means, covars


def _check_X(X, d: int | None = None, name: str = "X") -> np.ndarray:
    """Observations (T, d) (or (T,) for d = 1) as float64, finite, non-empty."""
    X = check_array(name, X, ndim=(1, 2))
    X = X[:, None] if X.ndim == 1 else X
    if d is not None and X.shape[1] != d:
        raise ValueError(f"{name} must have shape (T, d) with d = {d} as in means, got {X.shape}")
    return X


def _log_emission(X, means, covars):  # unchecked
    return -0.5 * (X.shape[1] * np.log(2 * np.pi) + np.log(covars).sum(axis=1)
                   + (((X[:, None, :] - means[None]) ** 2) / covars[None]).sum(axis=2))


def log_emission(X, means, covars) -> np.ndarray:
    r"""Log-densities :math:`\log b_j(x_t) = \log\mathcal N(x_t \mid \mu_j, \operatorname{diag}\sigma^2_j)`, shape (T, N).

    ``X`` (T, d) (or (T,) when d = 1), ``means`` (N, d), ``covars`` (N, d) > 0.
    """
    means = check_array("means", means, ndim=2)
    covars = check_array("covars", covars, shape=means.shape)
    if (covars <= 0).any():
        raise ValueError(f"covars must be > 0 (diagonal variances), got min {covars.min()}")
    return _log_emission(_check_X(X, means.shape[1]), means, covars)


def _log(x):
    with np.errstate(divide="ignore"):  # log 0 = -inf: a forbidden start or transition
        return np.log(x)


def log_potentials(pi, A, means, covars, X):
    r"""The model as a chain: ``(log_start, log_trans, log_emit)`` = :math:`(\log\pi, \log A, \log b(x_t))`, (N,), (N, N), (T, N)."""
    pi, A, means, covars = check_params(pi, A, means, covars)
    return _log(pi), _log(A), _log_emission(_check_X(X, means.shape[1]), means, covars)


def forward_log(pi, A, means, covars, X):
    r"""``(log_alpha (T, N), log_likelihood)``: :math:`\log\alpha_t(j)` and :math:`\log p(x_{1:T}\mid\lambda)`.

    :math:`\alpha_1(j) = \pi_j b_j(x_1)`, :math:`\alpha_t(j) = [\sum_i\alpha_{t-1}(i)a_{ij}]\,b_j(x_t)`
    (Rabiner 1989, eq. 19--21), by :func:`nnbook.seq.chain.forward`.
    """
    return chain.forward(*log_potentials(pi, A, means, covars, X))


def posterior(pi, A, means, covars, X) -> np.ndarray:
    r"""Posterior marginals :math:`\gamma_t(j) = p(s_t = j\mid x_{1:T})`, shape (T, N), by :func:`nnbook.seq.chain.marginals`."""
    gamma, _, log_lik = chain.marginals(*log_potentials(pi, A, means, covars, X))
    if not np.isfinite(log_lik):
        raise ValueError("X has probability 0 under this model: its posterior is undefined")
    return gamma / gamma.sum(axis=1, keepdims=True)


def viterbi(pi, A, means, covars, X):
    r"""Best state path (T,) and :math:`\log p(x, s^*)`: :math:`\delta_t(j) = \max_i[\delta_{t-1}(i) + \log a_{ij}] + \log b_j(x_t)`."""
    return chain.viterbi(*log_potentials(pi, A, means, covars, X))


def _as_sequences(X_seqs, d):
    if isinstance(X_seqs, np.ndarray):
        X_seqs = [X_seqs]
    if not isinstance(X_seqs, (list, tuple)) or len(X_seqs) == 0:
        raise TypeError(f"X_seqs must be a non-empty list of (T, d) arrays, got {type(X_seqs).__name__}")
    return [_check_X(x, d, name=f"X_seqs[{k}]") for k, x in enumerate(X_seqs)]


def baum_welch(X_seqs, pi, A, means, covars, n_iter: int = 10, tol: float | None = None,
               update: str = "stmc", covars_prior: float = 1e-2):
    r"""Baum--Welch (EM) from ``(pi, A, means, covars)`` on one (T, d) array or a list of them.

    E step: :math:`\gamma_t(j)` and :math:`\sum_t\xi_t(i,j)` of all sequences at once
    (:func:`nnbook.seq.chain.forward_backward_packed`); M step: :math:`\pi_i\propto\sum\gamma_1(i)`,
    :math:`a_{ij}\propto\sum_t\xi_t(i,j)`, and the Gaussian updates of the module docstring
    (``covars_prior`` :math:`c`; the variance uses the *new* mean), for the letters of
    ``update`` (any of s, t, m, c). Stops after ``n_iter`` (int >= 0) updates, or earlier
    when one gains < ``tol`` (None: never).

    Returns ``(pi, A, means, covars, log_likelihoods)``: ``log_likelihoods[k]`` is the total
    log-likelihood after k updates (k = 0: the start); with ``covars_prior = 0`` it never
    decreases. ``log_likelihoods[:-1]`` is hmmlearn's ``monitor_.history``.
    """
    check_param_letters("update", update)
    n_iter = check_int("n_iter", n_iter, low=0)
    tol = None if tol is None else check_number("tol", tol, low=0.0)
    covars_prior = check_number("covars_prior", covars_prior, low=0.0)
    pi, A, means, covars = check_params(pi, A, means, covars)
    seqs = _as_sequences(X_seqs, means.shape[1])
    packing = chain.Packing([len(x) for x in seqs])
    X = np.concatenate(seqs)[packing.order]
    first = packing.rows(0)
    history = []
    with one_blas_thread():
        for k in range(n_iter + 1):
            log_b = _log_emission(X, means, covars)
            log_b[first] += _log(pi)
            with np.errstate(invalid="ignore"):
                gamma, trans, total = chain.forward_backward_packed(None, _log(A), log_b, packing)
            if not np.isfinite(total):
                raise ValueError("a sequence has probability 0 under the current model; Baum-Welch cannot start from it")
            history.append(total)
            if k == n_iter or (tol is not None and k > 0 and history[-1] - history[-2] < tol):
                break
            post = gamma.sum(axis=0)  # (N,)
            if "s" in update:
                start = gamma[first].sum(axis=0)
                pi = start / start.sum()
            if "t" in update:
                sums = trans.sum(axis=1, keepdims=True)
                A = np.divide(trans, sums, out=A.copy(), where=sums > 0)
            if "m" in update:
                means = (gamma.T @ X) / post[:, None]
            if "c" in update:  # hmmlearn's form: sum gamma (x - mu)^2 expanded around the new mean
                sq = gamma.T @ X**2 - 2 * means * (gamma.T @ X) + means**2 * post[:, None]
                covars = (covars_prior + sq) / np.maximum(post[:, None], 1e-5)
    return pi, A, means, covars, np.array(history)


def random_init(X, n_components: int, random_state=None, min_covar: float = 1e-3):
    r"""A random start ``(pi, A, means, covars)`` for ``X`` (n_samples, d), as hmmlearn draws one.

    ``pi`` and every row of ``A`` from a flat Dirichlet; ``means`` at ``n_components``
    distinct random rows of ``X`` (hmmlearn uses k-means instead); every variance the
    sample variance of ``X`` (ddof = 1) + ``min_covar``, as hmmlearn.
    """
    X = _check_X(X)
    n_components = check_int("n_components", n_components, low=1, high=len(X))
    min_covar = check_number("min_covar", min_covar, low=0.0)
    rng = check_random_state(random_state)
    pi = rng.dirichlet(np.ones(n_components))
    A = rng.dirichlet(np.ones(n_components), size=n_components)
    means = X[rng.choice(len(X), n_components, replace=False)]
    var = X.var(axis=0, ddof=1) if len(X) > 1 else np.ones(X.shape[1])
    return pi, A, means, np.tile(var + min_covar, (n_components, 1))


def sample(pi, A, means, covars, n_steps: int, random_state=None):
    """Draw ``(X, states)``: X (n_steps, d) and the hidden states (n_steps,)."""
    pi, A, means, covars = check_params(pi, A, means, covars)
    n_steps = check_int("n_steps", n_steps, low=1)
    rng = check_random_state(random_state)
    states = np.empty(n_steps, dtype=np.int64)
    states[0] = rng.choice(len(pi), p=pi)
    for t in range(1, n_steps):
        states[t] = rng.choice(len(pi), p=A[states[t - 1]])
    X = means[states] + np.sqrt(covars[states]) * rng.standard_normal((n_steps, means.shape[1]))
    return X, states


class GaussianHMM(Estimator):
    r"""HMM with diagonal-Gaussian emissions, trained by Baum--Welch (hmmlearn-compatible API).

    Mirrors ``hmmlearn.hmm.GaussianHMM(covariance_type="diag")`` with its default priors
    (``covars_prior`` = 0.01 on the variances, none on the rest): from the same start both
    give the same parameters after the same number of updates. ``X`` is (n_samples, d), the
    concatenated sequences, cut at ``lengths``.

    Parameters
    ----------
    n_components : int >= 1, default 1
    n_iter : int >= 1, default 10
    tol : float >= 0 or None, default 1e-2
        Stop when an update gains < ``tol`` in log-likelihood (None: never).
    covars_prior : float >= 0, default 1e-2
    min_covar : float >= 0, default 1e-3
        Added to the data variance for the initial covariances.
    init_params, params : str, default "stmc"
        Which parameters ``fit`` initialises by :func:`random_init` (and any not set yet), and
        which it updates.
    random_state : None, int >= 0 or numpy Generator

    Attributes
    ----------
    startprob_ (N,), transmat_ (N, N), means_ (N, d), covars_ (N, d)
        The model; ``covars_`` are the diagonal variances (hmmlearn's ``_covars_``).
    log_likelihoods_ : ndarray (n_iter_ + 1,)
    n_iter_ : int
    """

    def __init__(self, n_components: int = 1, n_iter: int = 10, tol: float | None = 1e-2,
                 covars_prior: float = 1e-2, min_covar: float = 1e-3, init_params: str = "stmc",
                 params: str = "stmc", random_state=None):
        self.n_components = n_components
        self.n_iter = n_iter
        self.tol = tol
        self.covars_prior = covars_prior
        self.min_covar = min_covar
        self.init_params = init_params
        self.params = params
        self.random_state = random_state

    def _split(self, X, lengths, d=None):
        X = _check_X(X, d)
        if lengths is None:
            return [X]
        lengths = check_array("lengths", lengths, ndim=1, dtype="int")
        if (lengths < 1).any() or lengths.sum() != len(X):
            raise ValueError(f"lengths must be positive ints summing to len(X) = {len(X)}, got {lengths.tolist()}")
        return np.split(X, np.cumsum(lengths)[:-1])

    def fit(self, X, lengths=None) -> "GaussianHMM":
        """Run Baum--Welch on ``X`` (n_samples, d) cut at ``lengths``; returns ``self``."""
        N = check_int("n_components", self.n_components, low=1)
        n_iter = check_int("n_iter", self.n_iter, low=1)
        tol = None if self.tol is None else check_number("tol", self.tol, low=0.0)
        covars_prior = check_number("covars_prior", self.covars_prior, low=0.0)
        min_covar = check_number("min_covar", self.min_covar, low=0.0)
        check_param_letters("init_params", self.init_params)
        check_param_letters("params", self.params)
        rng = check_random_state(self.random_state)
        seqs = self._split(X, lengths)
        data = np.concatenate(seqs)
        if N > len(data):
            raise ValueError(f"n_components must be <= n_samples = {len(data)}, got {N}")
        drawn = dict(zip(["startprob_", "transmat_", "means_", "covars_"],
                         random_init(data, N, random_state=rng, min_covar=min_covar)))
        for letter, attr in zip("stmc", drawn):  # hmmlearn's rule: drawn if asked for, or if missing
            if letter in self.init_params or not hasattr(self, attr):
                setattr(self, attr, drawn[attr])
        pi, A, means, covars = self._params(data.shape[1])
        if len(pi) != N:
            raise ValueError(f"startprob_ must have n_components = {N} entries, got {len(pi)}")
        *params, history = baum_welch(seqs, pi, A, means, covars, n_iter=n_iter, tol=tol,
                                      update=self.params, covars_prior=covars_prior)
        self.startprob_, self.transmat_, self.means_, self.covars_ = params
        self.log_likelihoods_, self.n_iter_ = history, len(history) - 1
        return self

    def _params(self, d=None):
        self._check_fitted("startprob_", "transmat_", "means_", "covars_")
        params = check_params(self.startprob_, self.transmat_, self.means_, self.covars_)
        if d is not None and params[2].shape[1] != d:
            raise ValueError(f"means_ must have d = {d} columns as X, got shape {params[2].shape}")
        return params

    def score(self, X, lengths=None) -> float:
        r"""Total log-likelihood :math:`\sum_k \log p(x^{(k)}\mid\lambda)`."""
        params = self._params()
        return float(sum(forward_log(*params, x)[1] for x in self._split(X, lengths, params[2].shape[1])))

    def decode(self, X, lengths=None):
        """Viterbi: ``(log_prob, states)``, the joint log-probability and the concatenated paths."""
        params = self._params()
        results = [viterbi(*params, x) for x in self._split(X, lengths, params[2].shape[1])]
        return float(sum(r[1] for r in results)), np.concatenate([r[0] for r in results])

    def predict(self, X, lengths=None) -> np.ndarray:
        """The Viterbi states, shape (n_samples,)."""
        return self.decode(X, lengths)[1]

    def predict_proba(self, X, lengths=None) -> np.ndarray:
        r"""Posterior marginals :math:`\gamma_t(j)`, shape (n_samples, n_components)."""
        params = self._params()
        return np.concatenate([posterior(*params, x) for x in self._split(X, lengths, params[2].shape[1])])

    def sample(self, n_samples: int = 1, random_state=None):
        """Draw ``(X, states)`` of n_samples steps (``random_state`` defaults to the model's)."""
        params = self._params()
        rng = check_random_state(self.random_state if random_state is None else random_state)
        return sample(*params, n_samples, random_state=rng)
